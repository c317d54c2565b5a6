#pragma once
// Telex text conventions shared by the teleprinter adapters (IPTC 7901 and ZCZC): marker lines
// and marker prefixes ("1ST LEAD", "KILL KILL KILL", "СРОЧНО: …"), the dateline ("Berlin (dpa) -
// ", "КИЕВ, 10 июля. /Интерфакс/ - "), uri slugs, line cutting (at LF, or at any line end with
// line noise dropped) and body paragraphs with column-aligned tables kept. Header-only, inline.
//
// ANPA-1312 shares only the line cutting and the column test; it keeps its own dateline, byline
// and marker-line rules: AP's "KYIV, Ukraine (AP) _" and Kyodo's creditless dateline,
// capitals-only "By JOHN DOE" bylines and a fixed list of caret marker lines are different logic,
// not copies of these.
#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/lifecycle.hpp"
#include "core/story.hpp"
#include "core/text.hpp"

namespace wire::adapters::telex {

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// The words of `s` split on spaces, trimmed, empty ones dropped.
inline std::vector<std::string_view> tokens(std::string_view s) {
    std::vector<std::string_view> out;
    for (auto t : split(s, ' '))
        if (!trim(t).empty()) out.push_back(trim(t));
    return out;
}

/// A line of the input and the offset of its first byte.
struct line_at {
    size_t offset;
    std::string_view text;  // without the LF and a CR before it
};

/// `s` cut at each LF (a CR before it dropped), as framing is read; no entry for the empty rest
/// after a final LF. (IPTC 7901 text lines have their own rule: see lines_of there.)
inline std::vector<line_at> lf_lines(std::string_view s) {
    std::vector<line_at> out;
    for (size_t p = 0; p < s.size();) {
        size_t e = std::min(s.find('\n', p), s.size());
        std::string_view l = s.substr(p, e - p);
        if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
        out.push_back({p, l});
        p = e + 1;
    }
    return out;
}

/// A line of the input, its offset and its text as owned bytes (see any_lines).
struct text_line {
    size_t offset;
    std::string text;
};

/// True for the bytes a telex line leaves in copy but that are no text: C0 controls but TAB
/// (NUL, BEL, SUB, ...) and DEL.
inline bool line_noise(char c) {
    auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t' && c != '\r' && c != '\n') || u == 0x7F;
}

/// Length of the line end at `s[i]`, 0 when there is none: CR CR LF, CR LF and LF CR end one
/// line each, as do a lone CR and a lone LF, so copy that mixes them cuts where it looks cut.
inline size_t line_end(std::string_view s, size_t i) {
    if (s[i] == '\n') return i + 1 < s.size() && s[i + 1] == '\r' ? 2 : 1;
    if (s[i] != '\r') return 0;
    if (s.substr(i, 3) == "\r\r\n") return 3;
    return i + 1 < s.size() && s[i + 1] == '\n' ? 2 : 1;
}

/// `s` cut into lines at any line end (see line_end), line noise (NUL, DEL, SUB, BEL ...)
/// dropped from the text. No entry for the empty rest after a final line end.
inline std::vector<text_line> any_lines(std::string_view s) {
    std::vector<text_line> out;
    size_t p = 0;
    std::string cur;
    for (size_t i = 0; i < s.size();) {
        if (size_t e = line_end(s, i)) {
            out.push_back({p, std::move(cur)});
            cur.clear();
            p = i += e;
        } else {
            if (!line_noise(s[i])) cur += s[i];
            ++i;
        }
    }
    if (p < s.size()) out.push_back({p, std::move(cur)});
    return out;
}

/// The texts of any_lines(s).
inline std::vector<std::string> line_texts(std::string_view s) {
    std::vector<std::string> out;
    for (auto& l : any_lines(s)) out.push_back(std::move(l.text));
    return out;
}

/// The gaps of two or more spaces between the words of `l`; -1 when it holds a TAB between
/// words (a column stop).
inline int column_gaps(std::string_view l) {
    size_t b = l.find_first_not_of(" \t"), e = l.find_last_not_of(" \t");
    if (b == std::string_view::npos) return 0;
    l = l.substr(b, e - b + 1);
    if (l.find('\t') != std::string_view::npos) return -1;
    int gaps = 0;
    for (size_t i = 0; (i = l.find("  ", i)) != std::string_view::npos; ++gaps)
        i = l.find_first_not_of(' ', i);
    return gaps;
}

/// A line laid out in columns (results, racing fields, agate): a TAB or two or more gaps of
/// two or more spaces between its words. Prose has single spaces (one double space after a full
/// stop at most).
inline bool columned(std::string_view l) {
    int g = column_gaps(l);
    return g < 0 || g >= 2;
}

/// A run of lines is a table when most of its lines are columned, or when each of its (at least
/// two) lines has a gap ("In favour  29").
inline bool table_run(const std::vector<std::string>& lines, size_t i, size_t j) {
    size_t cols = 0, gapped = 0;
    for (size_t k = i; k < j; ++k) {
        cols += columned(lines[k]);
        gapped += column_gaps(lines[k]) != 0;
    }
    return j - i >= 2 && (cols * 2 > j - i || gapped == j - i);
}

/// Body HTML of lines[from, to): a run of non-blank lines is a paragraph, its lines joined by a
/// space (each line its own paragraph when `line_paragraphs`). A table run (table_run), or every
/// run when `preformatted`, keeps its exact lines in one <pre>.
inline std::string paragraphs_html(const std::vector<std::string>& lines, size_t from, size_t to,
                                   bool line_paragraphs, bool preformatted) {
    std::string html;
    for (size_t i = from, j; i < to; i = j + (j == i)) {
        for (j = i; j < to && !trim(lines[j]).empty();) ++j;
        if (j == i) continue;
        if (preformatted || table_run(lines, i, j)) {
            html += "<pre>";
            for (size_t k = i; k < j; ++k) {
                std::string_view l = lines[k];
                while (!l.empty() && (l.back() == ' ' || l.back() == '\t')) l.remove_suffix(1);
                html += escape_html(l) + (k + 1 < j ? "\n" : "");
            }
            html += "</pre>";
            continue;
        }
        for (size_t k = i; k < j; ++k) {
            bool open = k == i || line_paragraphs, close = k + 1 == j || line_paragraphs;
            html += (open ? "<p>" : " ") + escape_html(trim(lines[k])) + (close ? "</p>" : "");
        }
    }
    return html;
}

/// The first meaningful line of lines[from, to): not blank, and with at least one letter or
/// digit (rules like "----" and "* * *" are layout). Its index, or `to`.
inline size_t first_meaningful(const std::vector<std::string>& lines, size_t from, size_t to) {
    for (size_t k = from; k < to; ++k)
        for (char c : lines[k])
            if (std::isalnum(static_cast<unsigned char>(c)) || (c & 0x80)) return k;
    return to;
}

/// The code point at s[i] (valid UTF-8, as adapters get it) and its length in bytes.
inline std::pair<char32_t, size_t> code_point(std::string_view s, size_t i) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (i + n > s.size()) return {0xFFFD, 1};
    char32_t cp = n == 1 ? c : c & (0x7F >> n);
    for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    return {cp, n};
}

/// Readable text, not line noise or garbage: some line holds three words of two or more
/// letters (Latin, Greek, Cyrillic or CJK) between spaces or punctuation; letters glued to
/// symbols or digits ("q#8J!xx", "0x3f", bytes of a binary read as windows-1252) make no word.
inline bool has_prose(const std::vector<std::string>& lines) {
    auto letter = [](char32_t c) {
        return (c < 0x80 && std::isalpha(static_cast<int>(c))) ||
               (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) || (c >= 0x370 && c <= 0x4FF) ||
               (c >= 0x3040 && c <= 0x9FFF);
    };
    auto separator = [](char32_t c) {
        return c == ' ' || c == '\t' ||
               (c < 0x80 && std::string_view(",.-:;'\"()!?").find(static_cast<char>(c)) !=
                                std::string_view::npos) ||
               c == 0xAB || c == 0xBB || (c >= 0x2010 && c <= 0x201F);
    };
    for (const auto& l : lines) {
        int words = 0, run = 0;
        for (size_t i = 0; i <= l.size();) {
            auto [c, n] = i < l.size() ? code_point(l, i) : std::pair<char32_t, size_t>{' ', 1};
            i += n;
            if (letter(c)) {
                ++run;
            } else if (separator(c)) {
                words += run >= 2;
                run = 0;
            } else {
                run = -1000;  // glued to a symbol or digit: no word
            }
            if (words >= 3) return true;
        }
    }
    return false;
}

/// Lower-case Latin (incl. Latin-1 ß-ÿ) or Cyrillic letters: headline text, never a telex marker.
/// Adapters get valid UTF-8 (decode_to_utf8 guarantees it), so a lead byte always has its
/// continuation byte; the bound check only keeps a stray one from reading past the end.
inline bool has_lower(std::string_view s) {
    for (size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c >= 'a' && c <= 'z') return true;
        if (i + 1 < s.size()) {
            auto n = static_cast<unsigned char>(s[i + 1]);
            if ((c == 0xD0 && n >= 0xB0) || (c == 0xD1 && n <= 0x9F) || (c == 0xC3 && n >= 0x9F))
                return true;
        }
    }
    return false;
}

/// Words (runs of ASCII letters and digits or non-ASCII bytes), ASCII lower-cased; Cyrillic
/// stays as sent, which is why the vocabulary below lists its capitalisations.
inline std::vector<std::string> words(std::string_view s) {
    std::vector<std::string> out(1);
    for (char c : ascii_lower(s)) {
        if (std::isalnum(static_cast<unsigned char>(c)) || (c & 0x80))
            out.back() += c;
        else if (!out.back().empty())
            out.emplace_back();
    }
    if (out.back().empty()) out.pop_back();
    return out;
}

/// Which urgency words a format reads. dpa's German "Eilt" is read in IPTC 7901 copy only: no
/// ZCZC feed we take sends it, and the ZCZC adapter has never treated an "EILT" line as a
/// marker, so adding it there would change what that adapter makes of such a line.
enum class vocabulary { common, with_eilt };

/// The urgency a marker word (as words() gives it) names: 1 flash, 2 urgent, or nullopt.
inline std::optional<int> urgency_word(std::string_view w, vocabulary v) {
    for (std::string_view f : {"blitz", "flash", "МОЛНИЯ", "Молния", "молния"})
        if (w == f) return 1;
    for (std::string_view u : {"eil", "urgent", "bulletin", "СРОЧНО", "Срочно", "срочно"})
        if (w == u) return 2;
    if (v == vocabulary::with_eilt && w == "eilt") return 2;
    return std::nullopt;
}

/// Lifecycle signal and urgency collected from a story's marker lines, notes and header.
struct markers {
    std::optional<signal_kind> signal;
    std::optional<int> urgency;
    void add(std::optional<signal_kind> s) {
        if (s) signal = signal ? stronger(*signal, *s) : *s;
    }
    void add(std::optional<int> u) {
        if (u) urgency = urgency ? std::min(*urgency, *u) : *u;
    }
    /// Onto the story: a marker's urgency wins only when it is higher (a smaller number) than
    /// the one the priority gave. (finalize_story() makes pubstatus follow a kill or withhold.)
    void apply(story& s) const {
        if (urgency && (!s.urgency || *urgency < *s.urgency)) s.urgency = urgency;
        if (signal) s.wire.signal = *signal;
    }
};

/// True (and the markers taken) when `text` is made only of telex marker vocabulary, in capitals:
/// "1ST LEAD", "UPDATE", "KILL KILL KILL", "ИСПРАВЛЕНИЕ", "СРОЧНО", "REFILE". Requiring every word
/// to be vocabulary keeps all-caps headlines such as "NATO TO LEAD MISSION" out.
inline bool take_markers(std::string_view text, markers& m, vocabulary v) {
    if (text.size() > 120 || has_lower(text)) return false;
    auto ws = words(text);
    if (ws.empty() || ws.size() > 6) return false;
    markers found;
    found.add(signal_from_text(text));  // phrases: "ИСПРАВЛЕННАЯ ВЕРСИЯ", "MANDATORY KILL"
    for (const auto& w : ws) {
        auto sig = signal_from_text(w);
        auto urg = urgency_word(w, v);
        bool filler = is_digit(w[0]) || w == "mandatory" || w == "ВЕРСИЯ" || w == "ИСПРАВЛЕННАЯ";
        if (!sig && !urg && !filler) return false;
        found.add(sig);
        found.add(urg);
    }
    if (!found.signal && !found.urgency) return false;
    m.add(found.signal);
    m.add(found.urgency);
    return true;
}

/// A headline without its marker prefix ("СРОЧНО: …", "URGENT: …", "REFILE-…"): the part before
/// the first ':' or '-', when it is at most 39 bytes of marker vocabulary, is taken into `m` and
/// cut off. Otherwise the line as it is.
inline std::string drop_marker_prefix(std::string_view line, markers& m, vocabulary v) {
    size_t p = line.find_first_of(":-");
    if (p != std::string_view::npos && p > 0 && p < 40 && take_markers(line.substr(0, p), m, v))
        return std::string(trim(line.substr(p + 1)));
    return std::string(line);
}

/// "Berlin (dpa) - ", "Peine (dpa/lni) - ", "КИЕВ, 10 июля. /Интерфакс/ - ",
/// "MOSCOW/KYIV. July 10 (Interfax) - ": a short prefix ending with the agency in brackets or
/// slashes, then a dash. `located` is the place: the prefix up to its first comma, full stop or
/// bracket. Both are left alone when the line has no dateline.
inline bool find_dateline(std::string_view line, std::string& dateline, std::string& located) {
    constexpr auto npos = std::string_view::npos;
    size_t dash = npos;
    for (std::string_view sep : {" - ", " \u2013 ", " \u2014 "})
        dash = std::min(dash, line.find(sep));
    if (dash == npos || dash > 120) return false;
    std::string_view prefix = trim(line.substr(0, dash));
    if (prefix.size() < 3 || (prefix.back() != ')' && prefix.back() != '/')) return false;
    size_t cut = prefix.size();
    for (std::string_view stop : {", ", ". ", " (", " /"}) cut = std::min(cut, prefix.find(stop));
    if (cut == 0 || cut > 60) return false;
    dateline = prefix;
    located = trim(prefix.substr(0, cut));
    return true;
}

/// The dateline opens one of the first three paragraphs (runs of non-blank lines) of
/// lines[from, to), not always the first (dpa puts a teaser paragraph before it). Sets
/// s.wire.dateline and s.located from the first line that has one.
inline void take_dateline(const std::vector<std::string>& lines, size_t from, size_t to, story& s) {
    for (size_t k = from, para = 0; k < to && para < 3; ++k) {
        if (trim(lines[k]).empty()) continue;
        if (find_dateline(lines[k], s.wire.dateline, s.located)) break;
        while (k + 1 < to && !trim(lines[k + 1]).empty()) ++k;
        ++para;
    }
}

/// True when the '.', '?' or '!' at p[at] ends a sentence: a space follows, and for a full stop
/// the next word does not start in lower case and the stop closes no initial or abbreviation
/// ("U.S.", "J.", "Mr.").
inline bool sentence_end(std::string_view p, size_t at) {
    if (at + 1 >= p.size() || p[at + 1] != ' ') return false;
    if (p[at] != '.') return true;
    size_t n = p.find_first_not_of(' ', at + 1);
    if (n != std::string_view::npos && std::islower(static_cast<unsigned char>(p[n]))) return false;
    size_t w = p.rfind(' ', at);
    std::string_view word = p.substr(w == std::string_view::npos ? 0 : w + 1);
    word = word.substr(0, word.find('.'));
    if (word.size() == 1 && std::isupper(static_cast<unsigned char>(word[0]))) return false;
    for (std::string_view a : {"Mr", "Mrs", "Ms", "Dr", "St", "Jr", "Sr", "Gen", "Sen", "Rep",
                               "Gov", "Lt", "Col", "Sgt", "Prof", "No", "vs"})
        if (word == a) return false;
    return true;
}

/// A headline made of `para` (a paragraph's text): up to the end of its first sentence, at most
/// 200 bytes, cut at a space; a dateline ("WELLINGTON, July 10 (NZPA) - ") left out.
inline std::string first_sentence(std::string_view para) {
    std::string dl, loc;
    if (find_dateline(para, dl, loc))
        for (std::string_view sep : {" - ", " \u2013 ", " \u2014 "})
            if (para.substr(dl.size()).find(sep) < 4) {
                para = trim(para.substr(para.find(sep, dl.size()) + sep.size()));
                break;
            }
    size_t end = para.size();
    for (size_t at = para.find_first_of(".?!"); at != std::string_view::npos && at < end;
         at = para.find_first_of(".?!", at + 1))
        if (sentence_end(para, at)) end = at + 1;
    para = trim(para.substr(0, end));
    if (para.ends_with('.') && !para.ends_with("..")) para.remove_suffix(1);
    if (para.size() > 200) para = trim(para.substr(0, std::max<size_t>(para.rfind(' ', 200), 1)));
    return std::string(para);
}

/// The headline a layout without one gets: the first sentence of the first meaningful paragraph
/// of lines[from, to) (see first_sentence); "" when there is none.
inline std::string guess_headline(const std::vector<std::string>& lines, size_t from, size_t to) {
    size_t k = first_meaningful(lines, from, to);
    std::string para;
    for (; k < to && !trim(lines[k]).empty() && para.size() < 400; ++k)
        para += (para.empty() ? "" : " ") + std::string(trim(lines[k]));
    return first_sentence(para);
}

/// A uri slug: lower-case words joined by '-'. Latin-1 and general punctuation (« » – „ “)
/// separate words as ASCII punctuation does; at most 120 bytes, cut on a character boundary.
inline std::string slug_part(std::string_view s) {
    std::string out, l = ascii_lower(s);
    for (size_t i = 0; i < l.size(); ++i) {
        auto c = static_cast<unsigned char>(l[i]);
        size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        bool punct = c == 0xC2 || (c == 0xE2 && i + 1 < l.size() && (l[i + 1] & 0xFE) == 0x80);
        if (std::isalnum(c) || (c >= 0x80 && !punct))
            out.append(l, i, len);
        else if (!out.empty() && out.back() != '-')
            out += '-';
        i += len - 1;
    }
    size_t cut = std::min<size_t>(out.size(), 120);
    while (cut < out.size() && cut > 0 && (out[cut] & 0xC0) == 0x80) --cut;
    out.resize(cut);
    while (!out.empty() && out.back() == '-') out.pop_back();
    return out;
}

}  // namespace wire::adapters::telex

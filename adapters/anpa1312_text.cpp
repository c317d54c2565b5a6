// ANPA-1312 text (docs/formats.md): what stands between STX and ETX. AP's caret
// lines (headline, byline, notes, markers), TAB-indented paragraphs, agate and results rows kept
// as preformatted lines, the dateline, and TTS typography.
#include <algorithm>

#include "anpa1312_parts.hpp"
#include "core/text.hpp"
#include "telex_common.hpp"

namespace wire::adapters::anpa {
namespace {

constexpr std::size_t k_max_lines = 20000;
constexpr std::size_t npos = std::string_view::npos;

// TTS typography: a lone `_` is a dash (rendered as an em dash, everywhere we take text from),
// `` and '' are typographer's double quotes and a single ` an opening single quote.
// Runs such as `___` (AP's section rule) and underscores inside words stay as they are.
std::string render(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        bool lone =
            s[i] == '_' && (i == 0 || s[i - 1] == ' ') && (i + 1 == s.size() || s[i + 1] == ' ');
        if (lone)
            out += "\u2014";
        else if (s.substr(i, 2) == "``" || s.substr(i, 2) == "''")
            out += s[i++] == '`' ? "\u201C" : "\u201D";
        else if (s[i] == '`')
            out += "\u2018";
        else
            out += s[i];
    }
    return out;
}

// "By JOHN DOE": AP bylines name the writer in capitals, which tells them from a headline.
bool is_byline(std::string_view c) {
    return c.size() > 4 && c.substr(0, 3) == "By " && upper(c[3]) && !(c[4] >= 'a' && c[4] <= 'z');
}
// Whole-line alert/lifecycle markers that are not headlines ("^APNewsAlert<", "^KILL<").
bool marker_line(std::string_view c) {
    for (std::string_view m : {"APNewsAlert", "APNewsNow", "BULLETIN", "URGENT", "FLASH", "KILL",
                               "CORRECTION", "WITHHOLD", "ELIMINATION", "ADVISORY"})
        if (c.size() == m.size() && starts_with_ci(c, m)) return true;
    return false;
}
bool note_line(std::string_view c) {
    return starts_with_ci(c, "Eds:") || starts_with_ci(c, "EDITOR'S NOTE") ||
           starts_with_ci(c, "AP Photo");
}

// "KYIV, Ukraine (AP) _ …" or Kyodo's "MOSCOW, July 10 Kyodo - …": the dateline and its place.
bool find_dateline(std::string_view p, std::string& dateline, std::string& place) {
    std::string_view head = p.substr(0, 100);
    std::size_t dash = npos;
    for (std::string_view d : {" _ ", " -- ", " - "})
        if (std::size_t i = head.find(d); i != npos && i < dash) dash = i;
    if (dash == npos || dash < 3 || !upper(p[0])) return false;
    std::string_view lead = p.substr(0, dash);
    std::size_t comma = lead.find(',');
    if (lead.back() == ')') {
        std::size_t open = lead.rfind(" (");
        if (open == npos || open == 0 || lead.size() - open > 24) return false;
        dateline = std::string(lead);
        place = std::string(lead.substr(0, std::min(open, comma)));
        return true;
    }
    // Kyodo style: an all-capital place, a date with a month name, one credit word.
    if (comma == npos) return false;
    std::string_view city = lead.substr(0, comma);
    if (!std::all_of(city.begin(), city.end(), [](char c) { return !(c >= 'a' && c <= 'z'); }))
        return false;
    auto parts = split(trim(lead.substr(comma + 1)), ' ');
    std::string month(parts[0]);
    if (!month.empty() && month.back() == '.') month.pop_back();
    if (parts.size() != 3 || month_from_name(month) == 0 || !match(parts[1], 0, "d") ||
        parts[2].empty() || !upper(parts[2][0]))
        return false;
    dateline = std::string(lead);
    place = std::string(city);
    return true;
}

void add_line(std::string& to, std::string_view line) {
    if (!to.empty()) to += '\n';
    to += line;
}

// A paragraph of the text; `pre` keeps its lines (agate, results).
struct para {
    std::string text;
    bool pre = false;
};

// The dateline from the first paragraph; the body as plain paragraphs, or as HTML when some are
// preformatted. Without a caret headline line, the first line of the text is the headline.
void set_body(const std::vector<para>& paras, story& s) {
    std::string place;
    if (!paras.empty() && !paras[0].pre &&
        find_dateline(paras.front().text, s.wire.dateline, place))
        s.located = place;  // verbatim ("KYIV"): agencies capitalise it, a title case would lie
    bool pre = std::any_of(paras.begin(), paras.end(), [](const para& p) { return p.pre; });
    for (const auto& p : paras) {
        if (pre)
            s.body_html += (p.pre ? "<pre>" : "<p>") + escape_html(render(p.text)) +
                           (p.pre ? "</pre>" : "</p>");
        else
            s.body_text += (s.body_text.empty() ? "" : "\n\n") + render(p.text);
    }
    if (!s.headlines.empty() || paras.empty()) return;
    std::string dl;  // AP's dateline ends in " _ ": not part of a headline
    std::string_view first = paras[0].text;
    if (!paras[0].pre && find_dateline(first, dl, place))
        first = trim(first.substr(std::min(first.size(), first.find(' ', dl.size() + 1))));
    std::string h = telex::first_sentence(first);
    if (paras.size() == 1 && first.size() == h.size() + 1 && first.back() == '.' &&
        first.starts_with(h))
        h = first;  // a text of one sentence (an alert): the headline as sent, full stop kept
    s.headlines.push_back({"main", "text/plain", render(h)});
    s.wire.warn("headline_guessed",
                "no caret headline line: headline taken from the first sentence of the text");
}

// The trailer when it is the last text line, leading Eds: / EDITOR'S NOTE paragraphs (notes,
// not copy), then the body.
void finish_paras(std::vector<para>& paras, story& s, text_out& t) {
    if (!paras.empty() && paras.back().text.size() < 40 && parse_trailer(paras.back().text)) {
        if (!parse_trailer(t.trailer)) t.trailer = paras.back().text;
        paras.pop_back();
    }
    std::size_t notes = 0;
    while (notes < paras.size() && !paras[notes].pre && note_line(paras[notes].text))
        add_line(t.notes, render(paras[notes++].text));
    paras.erase(paras.begin(), paras.begin() + static_cast<std::ptrdiff_t>(notes));
    set_body(paras, s);
}

}  // namespace

void parse_text(std::string_view text, const header& h, story& s, text_out& t) {
    const bool tabular = h.format_id.size() == 2 && h.format_id[1] == '\x12';
    std::string clean;
    for (char c : text)
        if (c == '\x10')
            clean += ' ';      // TTS space band: a space of variable width, not nothing
        else if (c != '\x08')  // tab line indicator: layout only
            clean += c;
    std::vector<para> paras;
    std::string cur, table;
    auto flush_text = [&] {
        if (!trim(cur).empty()) paras.push_back({std::string(trim(cur)), false});
        cur.clear();
    };
    auto flush = [&] {
        flush_text();
        if (!table.empty()) paras.push_back({std::move(table), true});
        table.clear();
    };
    bool first_caret = true, after_byline = false;
    std::size_t n = 0;
    for (const std::string& raw : telex::line_texts(clean)) {
        if (++n > k_max_lines) {
            s.wire.warn("text_cut", "text longer than " + std::to_string(k_max_lines) +
                                        " lines; the rest was dropped");
            break;
        }
        std::string_view line = raw;
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
        std::string_view c = trim(!line.empty() && line[0] == '^' ? line.substr(1) : line);
        if (c.empty()) {
            flush();
            continue;
        }
        const std::string_view whole = c;  // body copy keeps a final '<' or '='
        char end = c.back();
        bool closed = end == '<' || end == '=';
        if (closed) c = trim(c.substr(0, c.size() - 1));
        if (line[0] == '^' && first_caret && closed) {
            first_caret = false;  // `^BC-…,<words><` repeats the slug: already in the header
            std::string_view count = c.substr(std::min(c.size(), c.rfind(',') + 1));
            bool counted = c.rfind(',') != npos && !count.empty() &&
                           std::all_of(count.begin(), count.end(), digit);
            if (counted || starts_with_ci(c, h.keyword.substr(0, 8))) {
                t.keyword_line = c;
                continue;
            }
        }
        if (closed && is_byline(c)) {
            if (s.by.empty()) s.by = c;
            after_byline = true;
            continue;
        }
        if (line[0] == '^' && closed && end == '=' && (after_byline || !s.headlines.empty())) {
            first_caret = false;
            if (after_byline) continue;  // byline title ("Associated Press="): no ninjs field
            flush();                     // a heading over agate: "^AMERICAN LEAGUE="
            if (tabular)
                table = std::string(c);
            else
                paras.push_back({std::string(c), false});
            continue;
        }
        after_byline = false;
        if (line[0] == '^' && closed) {
            first_caret = false;
            if (c.size() > 2 && c.front() == '(' && c.back() == ')' && note_line(c.substr(1)))
                c = trim(c.substr(1, c.size() - 2));  // "(Eds: Minor edits. …)"
            if (note_line(c))
                add_line(t.notes, render(c));
            else if (marker_line(c))
                add_line(t.markers, c);
            else if (s.headlines.empty())
                s.headlines.push_back({"main", "text/plain", render(c)});
            else  // AP sends an abstract line after the headline
                s.descriptions.push_back({"summary", "text/plain", render(c)});
            continue;
        }
        if (tabular || (line[0] != '^' && telex::columned(line))) {
            flush_text();  // agate rows and column-aligned results keep their lines
            if (line[0] == '\t' || line[0] == '^') line.remove_prefix(1);
            table += (table.empty() ? "" : "\n") + std::string(line);
            continue;
        }
        if (!table.empty()) flush();
        if (line[0] == '^' || line[0] == '\t') {
            flush();  // a tab starts a paragraph; an unterminated ^ line is one
            cur = whole;
            if (line[0] == '^') flush();
        } else {
            cur += ' ';
            cur += whole;
        }
    }
    flush();
    finish_paras(paras, s, t);
}

}  // namespace wire::adapters::anpa

// ANPA-1312 (wire-formats.md section 7): SYN SYN SOH header, priority/category/slug line, STX
// text ETX trailer [FF] EOT. One input may be a captured stream of several messages back to
// back: one story per message, junk between messages skipped with a warning, a message without
// ETX refused on its own (the others still come out).
//
// Mapping choices: selector code -> wire.keywords (routing, like a keyword; "-----" dropped);
// service letter + story number -> wire.sequence; version field -> wire.take_key; the reference
// field and byline titles ("Associated Press=") have no ninjs/wire place and are dropped. `_`
// becomes an em dash. Error offsets count bytes of the decoded UTF-8 text, which equals the raw
// offset only while everything before it is ASCII (decode_context has no raw-offset map).
#include <algorithm>
#include <cstdio>
#include <optional>

#include "core/datetime.hpp"
#include "core/lifecycle.hpp"
#include "core/registry.hpp"
#include "core/text.hpp"

namespace wire::adapters {
namespace {

constexpr char k_soh = '\x01', k_stx = '\x02', k_etx = '\x03', k_syn = '\x16', k_us = '\x1F';
constexpr std::size_t k_max_messages = 1000;
constexpr std::size_t k_max_line1 = 64;   // SOH + 5 + provider + US + selector (5) is ~20
constexpr std::size_t k_max_line2 = 160;  // slug max 24, version, reference, date, count
constexpr std::size_t k_max_lines = 20000;
constexpr std::size_t npos = std::string_view::npos;

bool digit(char c) { return c >= '0' && c <= '9'; }
bool alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool upper(char c) { return c >= 'A' && c <= 'Z'; }
int num(std::string_view s) {
    int v = 0;
    for (char c : s.substr(0, 6)) v = v * 10 + (c - '0');
    return v;
}
// `pattern`: 'd' is a digit, every other character itself.
bool match(std::string_view s, std::size_t p, std::string_view pattern) {
    if (p + pattern.size() > s.size()) return false;
    for (std::size_t i = 0; i < pattern.size(); ++i)
        if (pattern[i] == 'd' ? !digit(s[p + i]) : s[p + i] != pattern[i]) return false;
    return true;
}

// A message starts at SOH + service level letter + 4-digit story number.
bool message_start(std::string_view s, std::size_t i) {
    return i + 5 < s.size() && s[i] == k_soh && alpha(s[i + 1]) && match(s, i + 2, "dddd");
}
std::size_t next_start(std::string_view s, std::size_t from) {
    for (std::size_t i = s.find(k_soh, from); i != npos; i = s.find(k_soh, i + 1))
        if (message_start(s, i)) return i;
    return npos;
}
// Link padding between messages: line ends, FF, EOT, SYN, NUL, DEL, blanks.
bool padding(char c) { return std::string_view("\r\n\f\x04\x16\x7F\t \0", 9).find(c) != npos; }

std::optional<utc_time> at(int y, int mo, int d, int h, int mi, int offset_minutes) {
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59) return {};
    utc_time local{y, mo, d, h, mi, 0};
    return utc_time::from_epoch(local.epoch_seconds() - std::int64_t{offset_minutes} * 60);
}
int year2(int yy) { return yy < 70 ? 2000 + yy : 1900 + yy; }

// US Eastern offset for a local time: EDT from the 2nd Sunday of March to the 1st of November.
int eastern_offset(int y, int mo, int d, int h) {
    auto sunday = [y](int m, int nth) {
        auto days = utc_time{y, m, 1, 0, 0, 0}.epoch_seconds() / 86400;
        int dow = static_cast<int>((days + 4) % 7);  // 1970-01-01 was a Thursday
        return 1 + (7 - dow) % 7 + 7 * (nth - 1);
    };
    int start = sunday(3, 2), end = sunday(11, 1);
    bool dst = (mo > 3 && mo < 11) || (mo == 3 && (d > start || (d == start && h >= 2))) ||
               (mo == 11 && (d < end || (d == end && h < 2)));
    return dst ? -240 : -300;
}

// The transmission time after ETX. AP `AP-WF-07-10-17 1105GMT<` (mm-dd-yy, UTC); Kyodo
// `KWS-hh:mm-dd-mm-yy`; CP `16:35ET dd-mm-yy`. Kyodo names no zone: we assume Tokyo time
// (UTC+9), the desk that sends it; this is unverified and flagged in the report.
std::optional<utc_time> parse_trailer(std::string_view t) {
    for (std::size_t p = 0; p < t.size(); ++p) {
        auto n = [&](std::size_t off) { return num(t.substr(p + off, 2)); };
        if (match(t, p, "dd-dd-dd ddddGMT")) return at(year2(n(6)), n(0), n(3), n(9), n(11), 0);
        if (match(t, p, "KWS-dd:dd-dd-dd-dd"))
            return at(year2(n(16)), n(13), n(10), n(4), n(7), 540);
        if (match(t, p, "dd:ddET dd-dd-dd") && n(11) >= 1 && n(11) <= 12)
            return at(year2(n(14)), n(11), n(8), n(0), n(3),
                      eastern_offset(year2(n(14)), n(11), n(8), n(0)));
    }
    return {};
}

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

struct header {
    std::string sequence, provider, selector, priority, category, format_id;
    std::string keyword, version, reference;
    int month = 0, day = 0, words = -1;
};

// Parses `<pri> SP <cat>[2 format chars] SP <keyword> SP [<version>] SP [<reference>] SP
// <filing date> SP <word count>`; the fields are positional, empty ones leave extra spaces.
std::optional<adapter_error> parse_line2(std::string_view l, std::size_t off, bool day_first,
                                         header& h) {
    auto err = [&](story_errc c, std::string m) {
        return adapter_error{c, m + " (line at byte " + std::to_string(off) + ")", off, ""};
    };
    if (l.size() < 5 || !alpha(l[0]) || l[1] != ' ' || !alpha(l[2]))
        return err(story_errc::malformed, "the second header line is not '<priority> <category>'");
    h.priority = l.substr(0, 1);
    h.category = l.substr(2, 1);
    std::size_t p = 3;
    while (p < l.size() && p < 5 && l[p] >= '\x11' && l[p] <= '\x14') h.format_id += l[p++];
    if (p >= l.size() || l[p] != ' ')
        return err(story_errc::malformed, "no space after the category and format identifier");
    auto f = split(l.substr(p + 1), ' ');
    while (!f.empty() && f.back().empty()) f.pop_back();
    std::size_t date = f.size();
    auto is_date = [](std::string_view s) { return s.size() == 5 && match(s, 0, "dd-dd"); };
    if (!f.empty() && is_date(f.back()))
        date = f.size() - 1;
    else if (f.size() >= 2 && is_date(f[f.size() - 2]) &&
             std::all_of(f.back().begin(), f.back().end(), digit) && f.back().size() <= 5) {
        date = f.size() - 2;
        h.words = num(f.back());
    }
    if (date == f.size())
        return err(story_errc::missing_required, "no filing date (mm-dd) in the header");
    if (date == 0 || f[0].empty())
        return err(story_errc::missing_required, "no keyword (slug) in the header");
    h.keyword = f[0];
    if (date > 1) h.version = f[1];
    for (std::size_t i = 2; i < date && h.reference.empty(); ++i) h.reference = f[i];
    int a = num(f[date].substr(0, 2)), b = num(f[date].substr(3, 2));
    h.month = day_first ? b : a;
    h.day = day_first ? a : b;
    if (h.month < 1 || h.month > 12 || h.day < 1 || h.day > days_in_month(2000, h.month))
        return err(story_errc::bad_value, "filing date '" + std::string(f[date]) + "' is not a " +
                                              (day_first ? "dd-mm" : "mm-dd") + " date");
    return std::nullopt;
}

// The text between STX and ETX: headline (^…<), byline (^By …=), editor's notes, paragraphs
// (TAB + 3 spaces), agate rows. Sets `trailer` when the trailer sits inside the text.
struct text_out {
    std::string trailer;  // in: the one after ETX; out: or the one found at the end of the text
    std::string notes;    // Eds: lines, EDITOR'S NOTE, photo notes -> ednote
    std::string markers;  // APNewsAlert, KILL…: lifecycle markers only
};
void add_line(std::string& to, std::string_view line) {
    if (!to.empty()) to += '\n';
    to += line;
}

void parse_text(std::string_view text, const header& h, story& s, text_out& t) {
    const bool tabular = h.format_id.size() == 2 && h.format_id[1] == '\x12';
    std::string clean;
    for (char c : text)
        if (c == '\x10')
            clean += ' ';      // TTS space band: a space of variable width, not nothing
        else if (c != '\x08')  // tab line indicator: layout only
            clean += c;
    std::vector<std::string> paras;
    std::string cur;
    auto flush = [&] {
        if (!trim(cur).empty()) paras.emplace_back(trim(cur));
        cur.clear();
    };
    bool first_caret = true;
    std::size_t n = 0;
    for (std::string_view raw : split(clean, '\n')) {
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
            if (counted || starts_with_ci(c, h.keyword.substr(0, 8))) continue;
        }
        if (closed && is_byline(c)) {
            if (s.by.empty()) s.by = c;
            continue;
        }
        if (line[0] == '^' && closed) {
            first_caret = false;
            if (end == '=') continue;  // byline title ("Associated Press="): no ninjs field
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
        if (line[0] == '^' || line[0] == '\t' || tabular) {
            flush();  // a tab starts a paragraph; an unterminated ^ line or agate row is one
            cur = whole;
            if (line[0] == '^' || tabular) flush();
        } else {
            cur += ' ';
            cur += whole;
        }
    }
    flush();
    // Some captures carry the trailer as the last text line, before ETX.
    if (!paras.empty() && paras.back().size() < 40 && parse_trailer(paras.back())) {
        if (!parse_trailer(t.trailer)) t.trailer = paras.back();
        paras.pop_back();
    }
    // Leading Eds: / EDITOR'S NOTE paragraphs are notes, not copy.
    std::size_t notes = 0;
    while (notes < paras.size() && note_line(paras[notes]))
        add_line(t.notes, render(paras[notes++]));
    paras.erase(paras.begin(), paras.begin() + static_cast<std::ptrdiff_t>(notes));
    std::string place;
    if (!paras.empty() && find_dateline(paras.front(), s.wire.dateline, place))
        s.located = place;  // verbatim ("KYIV"): agencies capitalise it, a title case would lie
    for (auto& p : paras) s.body_text += (s.body_text.empty() ? "" : "\n\n") + render(p);
}

// The first nthLd number of a version field ("2ndLd-Writethru" -> 2), or 0.
int lead_number(std::string_view v) {
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (!digit(v[i]) || (i > 0 && digit(v[i - 1]))) continue;
        std::size_t j = i;
        while (j < v.size() && digit(v[j]) && j - i < 3) ++j;
        if (j + 4 <= v.size() && alpha(v[j]) && alpha(v[j + 1]) &&
            starts_with_ci(v.substr(j + 2), "ld"))
            return num(v.substr(i, j - i));
    }
    return 0;
}

item_result decode_message(std::string_view in, std::size_t soh, const decode_context& ctx,
                           std::size_t& next) {
    std::size_t stop = next_start(in, soh + 1);
    next = stop == npos ? in.size() : stop;  // an error resumes at the next message
    std::string_view msg = in.substr(soh, next - soh);
    auto err = [&](story_errc c, std::string m, std::size_t at) {
        return adapter_error{c, m + " (message at byte " + std::to_string(soh) + ")", soh + at, ""};
    };
    // A header line that does not end: cut off (malformed) or runaway (too_large).
    auto unended = [&](std::size_t from, std::size_t lf, std::size_t max, const char* which) {
        bool cut = lf == npos && msg.size() - from <= max;
        return err(cut ? story_errc::malformed : story_errc::too_large,
                   std::string("the ") + which + " header line does not end within " +
                       std::to_string(max) + " bytes",
                   from);
    };
    std::size_t lf1 = msg.find('\n');
    if (lf1 == npos || lf1 > k_max_line1) return unended(0, lf1, k_max_line1, "first");
    std::string_view l1 = msg.substr(1, lf1 - 1);
    if (!l1.empty() && l1.back() == '\r') l1.remove_suffix(1);
    std::size_t us = l1.find(k_us);
    if (us == npos) return err(story_errc::malformed, "no US before the selector code", 0);
    header h;
    h.sequence = l1.substr(0, 5);
    h.provider = trim(l1.substr(5, us - 5));
    h.selector = trim(l1.substr(us + 1));

    std::size_t l2 = lf1 + 1;
    if (l2 >= msg.size() || msg[l2] == k_stx)
        return err(story_errc::missing_required, "no priority/category/slug header line", l2);
    std::size_t lf2 = msg.find('\n', l2);
    if (lf2 == npos || lf2 - l2 > k_max_line2) return unended(l2, lf2, k_max_line2, "second");
    std::string_view line2 = msg.substr(l2, lf2 - l2);
    if (!line2.empty() && line2.back() == '\r') line2.remove_suffix(1);
    if (auto e = parse_line2(line2, soh + l2, ctx.prof.anpa_date_day_first, h)) return *e;

    std::size_t stx = lf2 + 1;
    while (stx < msg.size() && (msg[stx] == '\r' || msg[stx] == '\n')) ++stx;
    if (stx >= msg.size() || msg[stx] != k_stx)
        return err(story_errc::malformed, "no STX after the header", stx);
    std::size_t etx = msg.find(k_etx, stx);
    if (etx == npos) return err(story_errc::malformed, "no ETX: the message is truncated", 0);
    std::size_t tend = etx + 1;
    while (tend < msg.size() && tend - etx < 80 &&
           std::string_view("\r\n\f\x04\x16").find(msg[tend]) == npos)
        ++tend;  // the trailer runs to the end of its line
    next = soh + tend;

    story s;
    text_out t{std::string(trim(msg.substr(etx + 1, tend - etx - 1))), "", ""};
    parse_text(msg.substr(stx + 1, etx - stx - 1), h, s, t);
    s.ednote = t.notes;
    s.slugline = h.keyword;  // verbatim, cycle prefix included ("BC-EU--NATO-Ukraine")
    s.wire.priority = h.priority;
    s.wire.category = h.category;
    s.wire.sequence = h.sequence;
    s.wire.take_key = h.version;
    if (!h.selector.empty() && h.selector.find_first_not_of('-') != npos)
        s.wire.keywords.push_back(h.selector);  // subscriber routing code, e.g. "glbsm"
    if (auto u = ctx.prof.anpa_priority.find(ascii_lower(h.priority));
        u != ctx.prof.anpa_priority.end())
        s.urgency = u->second;
    else
        s.wire.warn("urgency_unmapped", "unknown ANPA priority '" + h.priority + "'; no urgency");
    if (!h.provider.empty()) {  // Kyodo and UPI name themselves after the story number
        s.wire.agency = ascii_lower(h.provider);
        s.infosources.push_back({h.provider, "", "", "", "source"});
    }

    // The trailer is the only full date-time. AP's filing date is the desk's (Eastern) date, so
    // filing date + trailer time would be a day off around midnight GMT; use the trailer's own.
    auto sent = parse_trailer(t.trailer);
    std::string date;
    char buf[16];
    if (sent) {
        s.versioncreated = sent->rfc3339();
        int y = sent->year + (h.month == 12 && sent->month == 1 ? -1 : 0) +
                (h.month == 1 && sent->month == 12 ? 1 : 0);
        if (h.day > days_in_month(y, h.month))
            return err(story_errc::bad_value, "filing date has no such day in " + std::to_string(y),
                       l2);
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, h.month, h.day);
    } else {
        std::snprintf(buf, sizeof buf, "--%02d-%02d", h.month, h.day);  // ISO 8601 sans year
        s.wire.warn("no_version_time", "no transmission trailer: no version time, no year");
    }
    date = buf;
    // ANPA carries no story id (story numbers wrap daily and change per take). The slug keyword
    // stays the same across writethrus, corrections and kills, and AP reuses slugs on other
    // days, so agency + filing date + keyword identifies the story.
    std::string agency = h.provider.empty() ? "" : ascii_lower(h.provider) + ":";
    s.uri = (agency.empty() ? ctx.prof.uri_prefix : "urn:wiregate:" + agency) + "anpa:" + date +
            ":" + h.keyword;

    // Lifecycle: version field, Eds: notes and marker lines; y = rerun, category v = advisory.
    auto sig = signal_kind::new_story;
    auto add = [&](std::string_view text) {
        if (auto k = signal_from_text(text)) sig = stronger(sig, *k);
    };
    add(h.version);
    add(t.notes);
    add(t.markers);
    if (ascii_lower(h.priority) == "y") sig = stronger(sig, signal_kind::repeat);
    if (ascii_lower(h.category) == "v") sig = stronger(sig, signal_kind::advisory);
    s.wire.signal = sig;
    // Version: nthLd -> n + 1; no version field (or a non-lifecycle one like APNewsAlert) -> 1;
    // "Correction"/"Kill" without a number is a later version we cannot number: left out rather
    // than "1", which would collide with the original.
    auto own = signal_from_text(h.version);
    if (int n = lead_number(h.version); n > 0)
        s.version = std::to_string(n + 1);
    else if (!own || *own == signal_kind::advisory || *own == signal_kind::repeat)
        s.version = "1";
    if (s.version == "1") s.firstcreated = s.versioncreated;
    // The header count covers the whole text; far fewer words in the body means a lost tail.
    int ours = count_words(s.body_text);
    if (h.words >= 100 && ours * 4 < h.words)
        s.wire.warn("wordcount_mismatch", "header says " + std::to_string(h.words) +
                                              " words, the body has " + std::to_string(ours));
    return s;
}

std::vector<item_result> decode(std::string_view in, const decode_context& ctx) {
    std::vector<item_result> out;
    std::vector<warning> pending;  // junk warnings for the next story
    auto attach = [&](story& s) {
        for (auto& w : pending) s.wire.warnings.push_back(std::move(w));
        pending.clear();
    };
    std::size_t pos = 0;
    while (pos < in.size() && out.size() < k_max_messages) {
        std::size_t soh = next_start(in, pos);
        std::size_t end = soh == npos ? in.size() : soh;
        std::size_t first = pos, last = end;  // the junk span: first to last non-padding byte
        while (first < end && padding(in[first])) ++first;
        while (last > first && padding(in[last - 1])) --last;
        std::size_t junk = last - first;
        if (junk > 0 && !(soh == npos && out.empty()))
            pending.push_back(
                {"junk_skipped",
                 "skipped " + std::to_string(junk) + " bytes of junk " +
                     (soh == npos ? "after the last message"
                                  : "before the message at byte " + std::to_string(soh))});
        if (soh == npos) break;
        std::size_t next = soh + 1;
        auto item = decode_message(in, soh, ctx, next);
        if (auto* s = std::get_if<story>(&item)) attach(*s);
        out.push_back(std::move(item));
        pos = std::max(next, soh + 1);
    }
    if (out.empty())
        return {adapter_error{story_errc::malformed,
                              "no ANPA-1312 message (SOH, service letter, 4-digit story number)", 0,
                              ""}};
    if (out.size() == k_max_messages && pos < in.size())
        pending.push_back({"text_cut", "more than 1000 messages; the rest was dropped"});
    for (auto it = out.rbegin(); it != out.rend() && !pending.empty(); ++it)
        if (auto* s = std::get_if<story>(&*it)) attach(*s);  // trailing junk: the last story
    return out;
}

// [SYN…] SOH, a letter, 4 digits, and US within the first 40 bytes; SYN is optional because
// Kyodo starts with SOH. IPTC 7901 also opens with SOH but has no US and longer service ids.
bool sniff(std::string_view head) {
    std::size_t i = 0;
    while (i < head.size() && i < 8 && head[i] == k_syn) ++i;
    return message_start(head, i) && head.substr(i, 40).find(k_us) != npos;
}

}  // namespace

WIRE_REGISTER_ADAPTER(adapter_info{"anpa1312", "ANPA-1312 (NAA) wire messages, one or a stream",
                                   decode, sniff, charset_source::transport, 10});

}  // namespace wire::adapters

// IPTC 7901 (docs/formats.md): SOH header, keyword line(s), STX text ETX, date-time
// group, EOT. One story per message, any number of messages per input. Also reads dpa archive
// copy whose control characters were stripped (header line first, LF line ends, DTG line last).
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <regex>

#include "core/concepts.hpp"

#include "core/datetime.hpp"
#include "core/lifecycle.hpp"
#include "core/registry.hpp"
#include "core/text.hpp"
#include "iptc7901_framing.hpp"
#include "iptc7901_lines.hpp"
#include "telex_common.hpp"

namespace wire::adapters {
namespace {

using namespace iptc7901;

constexpr auto npos = std::string_view::npos;
constexpr auto k_vocab = telex::vocabulary::with_eilt;  // dpa sends "Eilt"

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), telex::is_digit);
}

// Lines at any line end (LF, CR LF, the teleprinter's CR CR LF, LF CR, a lone CR), without
// BEL (dpa rings five on urgents), NUL, DEL and other line noise.
std::vector<std::string> lines_of(std::string_view s) { return telex::line_texts(s); }

// Paragraphs are runs of non-blank lines (what finalize_story makes of body_text). A run whose
// lines all start with '|' is a table (dpa results): kept as rows, not one run-on paragraph. A
// run laid out in columns with spaces (results, racing fields) keeps its lines in a <pre>.
std::string body_html(const std::vector<std::string>& lines, size_t from, size_t to) {
    std::string html;
    for (size_t i = from, j; i < to; i = j) {
        for (j = i; j < to && !trim(lines[j]).empty();) ++j;
        bool rows = j > i && std::all_of(lines.begin() + static_cast<std::ptrdiff_t>(i),
                                         lines.begin() + static_cast<std::ptrdiff_t>(j),
                                         [](const std::string& l) { return trim(l)[0] == '|'; });
        if (!rows && j > i) {
            html += telex::paragraphs_html(lines, i, j, false, false);
            j += j == i;
            continue;
        }
        std::string para;
        for (size_t k = i; k < j; ++k) {
            auto cells = split(trim(lines[k]), '|');
            para += "<tr>";
            for (size_t c = 1; c + 1 < cells.size(); ++c)
                para += "<td>" + escape_html(trim(cells[c])) + "</td>";
            para += "</tr>";
        }
        if (j > i) html += "<table>" + para + "</table>";
        j += j == i;
    }
    return html;
}

// The agency named in the optional info ("dpa 0000", "ccccb   dpa 061", "lni 0000"): the first
// word of letters that is neither a routing code ("ccccb": four equal letters) nor a marker.
std::string info_agency(std::string_view info) {
    for (auto t : telex::tokens(info)) {
        bool routing = t.size() == 5 && t[0] == t[1] && t[1] == t[2] && t[2] == t[3];
        bool letters =
            std::all_of(t.begin(), t.end(), [](char c) { return is_alpha(c) || c == '-'; });
        if (letters && t.size() >= 2 && t.size() <= 12 && !routing && !signal_from_text(t))
            return ascii_lower(t);
    }
    return "";
}

// dpa's embargo note "(… Sperrfrist 11. Juli 14.00 Uhr …)": German local time (CET, CEST from
// the last Sunday of March to the last Sunday of October), no year: the DTG's, or the next one
// when the date would otherwise lie more than a month before the DTG.
std::optional<utc_time> sperrfrist(std::string_view note, const utc_time& dtg) {
    size_t at = ascii_lower(note).find("sperrfrist ");
    auto t = telex::tokens(note.substr(at == npos ? note.size() : at + 11));
    int day = 0, h = 0, mi = 0;
    if (t.size() < 3 || std::sscanf(std::string(t[0]).c_str(), "%2d.", &day) != 1 ||
        std::sscanf(std::string(t[2]).c_str(), "%2d.%2d", &h, &mi) != 2)
        return std::nullopt;
    utc_time local{dtg.year, month_from_name(t[1]), day, h, mi, 0};
    if (local.month == 0 || day < 1 || day > days_in_month(local.year, local.month) || h > 23 ||
        mi > 59)
        return {};
    if (local.month < dtg.month - 1) ++local.year;
    auto last_sunday = [&](int month) {  // 01:00 UTC on the last Sunday of the month
        utc_time d{local.year, month, 31, 1, 0, 0};
        return d.epoch_seconds() - ((d.epoch_seconds() / 86400 + 4) % 7) * 86400;
    };
    std::int64_t e = local.epoch_seconds() - 3600;  // as CET
    bool summer = e - 3600 >= last_sunday(3) && e - 3600 < last_sunday(10);
    return utc_time::from_epoch(e - (summer ? 3600 : 0));
}

// The header fields as read; `service` is empty when the first line is no header.
struct header_info {
    std::string service, category;
    std::optional<int> words;
    std::string agency;  // named in the optional info
    std::string info;    // the optional info
};

bool service_number(std::string_view t) {
    size_t d = t.find_first_of("0123456789");
    return d != 0 && d != npos && t.size() <= 16 && all_digits(t.substr(d)) &&
           std::all_of(t.begin(), t.begin() + static_cast<std::ptrdiff_t>(d),
                       [](char c) { return is_alpha(c) || c == '-'; });
}

// Header: <service><number> <priority> <category> <word count> [<optional info>]. A field
// missing or out of shape is a warning and left out; false when the line is no header at all.
bool read_header(std::string_view header, story& s, header_info& h, const decode_context& ctx) {
    auto t = telex::tokens(header);
    if (t.empty() || !service_number(t[0])) return false;
    h.service = ascii_lower(t[0].substr(0, t[0].find_first_of("0123456789")));
    s.wire.sequence = t[0];
    if (t.size() == 3 && all_digits(t[2])) t.insert(t.begin() + 2, std::string_view());
    if (t.size() < 4 || t[2].empty())
        s.wire.warn("layout_guessed", "the header '" + std::string(header) +
                                          "' lacks fields of '<service><number> <priority> "
                                          "<category> <words>'");
    if (t.size() > 1) {
        s.wire.priority = t[1];
        if (t[1].size() != 1 || !telex::is_digit(t[1][0]))
            s.wire.warn("unknown_value",
                        "priority '" + std::string(t[1]) + "' is not one digit; no urgency");
        else if (auto u = ctx.prof.telex_priority.find(t[1]); u != ctx.prof.telex_priority.end())
            s.urgency = u->second;
        else
            s.wire.warn("urgency_unmapped", "priority " + std::string(t[1]) +
                                                " has no urgency in profile " + ctx.prof.name);
    }
    if (t.size() > 2 && t[2].size() <= 8) s.wire.category = h.category = t[2];
    if (t.size() > 2 && t[2].size() > 8)
        s.wire.warn("unknown_value", "category '" + std::string(t[2]) + "' is longer than 8");
    if (t.size() > 3 && all_digits(t[3]) && t[3].size() <= 6) {
        h.words = std::stoi(std::string(t[3]));
        // ninjs has no field for the declared word count: kept verbatim as an altid.
        s.altids.push_back({"wordcount", std::string(t[3])});
    } else if (t.size() > 3) {
        s.wire.warn("unknown_value", "word count '" + std::string(t[3]) + "' is not a number");
    }
    if (t.size() <= 4) return true;
    // The free optional info, kept as an altid so nothing of the header is lost.
    std::string_view info = trim(header.substr(static_cast<size_t>(t[4].data() - header.data())));
    s.altids.push_back({"optional-info", std::string(info)});
    h.info = info;
    h.agency = info_agency(info);
    if (!h.agency.empty()) s.infosources.push_back({h.agency, "", "", "", "originfeed"});
    return true;
}

// The keyword lines ("Partei/Deutschland/Grüne/") opening `pre`, and the rest of it.
void split_keywords(std::string_view pre, std::string& keywords, std::string& rest) {
    bool open = true;
    for (const auto& l : lines_of(pre)) {
        std::string_view t = trim(l);
        if (open && t.empty()) continue;
        if (open && t.back() == '/' && t.size() <= 200) {
            keywords += std::string(t) + "\n";
            continue;
        }
        open = false;
        rest += l + "\n";
    }
}

// Headline block: the lines up to the first one ending in '=', before any blank line. Without
// one, a short first paragraph (at most three lines, no dateline) is the headline. Notes,
// marker lines and a byline in it are taken; returns the first body line.
size_t read_headline(const std::vector<std::string>& lines, size_t i, story& s, telex::markers& mk,
                     const std::optional<utc_time>& when) {
    size_t n = lines.size(), j;
    auto open = [&](size_t k) { return k < n && k < i + 30 && !trim(lines[k]).empty(); };
    for (j = i; open(j) && trim(lines[j]).back() != '=';) ++j;
    std::string dl, loc;
    bool short_first = j - i <= 3 && i < n && !telex::find_dateline(lines[i], dl, loc);
    size_t end = open(j) ? j + 1 : short_first ? j : i;
    std::string title, note;
    int depth = 0;
    for (size_t k = i; k < end; ++k) {
        std::string line(trim(lines[k]));
        if (k + 1 == end && line.ends_with('='))
            line = std::string(trim(line.substr(0, line.size() - 1)));
        if (depth > 0 || (!line.empty() && line[0] == '(')) {  // "(Berichtigung: …)", "(Eil)"
            note += (note.empty() ? "" : " ") + line;
            depth += static_cast<int>(std::count(line.begin(), line.end(), '(') -
                                      std::count(line.begin(), line.end(), ')'));
            if (depth > 0 && k + 1 < end) continue;
            depth = 0;
            auto ws = telex::words(note);
            if (title.empty() && !ws.empty() && ws.size() <= 3)  // "(Achtung)"
                add_take_key(s, note);
            if (ws.size() <= 2 && !ws.empty() && telex::urgency_word(ws[0], k_vocab)) {
                mk.add(telex::urgency_word(ws[0], k_vocab));
            } else {
                mk.add(signal_from_text(note));
                if (auto e = when ? sperrfrist(note, *when) : std::nullopt;
                    e && s.embargoed.empty())
                    s.embargoed = e->rfc3339();
                s.ednote += note + "\n";
            }
            note.clear();
        } else if (telex::take_markers(line, mk, k_vocab)) {
            if (title.empty()) add_take_key(s, line);  // "1ST LEAD", "REFILE"
        } else if (title.empty() && take_key_line(lines, k, end)) {
            add_take_key(s, line);  // "EXTRA"
        } else if (!title.empty() && (starts_with_ci(line, "Von ") || starts_with_ci(line, "By ") ||
                                      starts_with_ci(line, "\u041e\u0442 "))) {
            s.by = line;  // "Von Marco Krefting und Sunrita Sen, dpa"
        } else {
            if (title.empty()) line = telex::drop_marker_prefix(line, mk, k_vocab);  // "СРОЧНО: …"
            title += (title.empty() ? "" : " ") + line;
        }
    }
    if (!title.empty()) s.headlines.push_back({"main", "text/plain", title});
    return end;
}

// Body up to the notepad; the closing line (its own paragraph at the end) is an ednote too.
void read_body(const std::vector<std::string>& lines, size_t end, story& s, const header_info& h) {
    size_t n = lines.size(), body_end = n, last = n;
    while (last > end && trim(lines[last - 1]).empty()) --last;
    bool closing = last > end + 1 && trim(lines[last - 2]).empty() && closing_line(lines[last - 1]);
    if (closing) body_end = last - 1;
    for (size_t k = end; k < body_end; ++k)
        if (notepad_start(lines[k])) {
            body_end = k;
            break;
        }
    for (size_t k = body_end; k < last; ++k) s.ednote += "\n" + lines[k];
    telex::take_dateline(lines, end, body_end, s);
    s.body_html = body_html(lines, end, body_end);
    // dpa's converter counts the body's words (no headline, no notepad); far fewer here means a
    // lost tail, far more a wrong header.
    std::string words;
    for (size_t k = end; k < body_end; ++k) words += lines[k] + "\n";
    int ours = count_words(words);
    if (h.words && *h.words >= 50 && (ours * 2 < *h.words || ours > *h.words * 2))
        s.wire.warn("wordcount_mismatch", "header says " + std::to_string(*h.words) +
                                              " words, the body has " + std::to_string(ours));
}

// 7901 carries no story id: the message number counts messages per service and day (dpa sends
// 0000) and changes with every version. What an agency keeps across a story's updates and
// corrections is its keyword line, so the uri is agency + UTC day + service + category +
// keywords (the headline when there are none). A story re-slugged, or corrected on the next
// day, gets a new uri: a limit of the format. Without a DTG there is no day: core's hash rule.
void set_uri(story& s, const header_info& h, const std::optional<utc_time>& when,
             const decode_context& ctx) {
    std::string_view what = s.slugline.empty() ? "headline" : "keywords";
    std::string base = telex::slug_part(!s.slugline.empty()   ? s.slugline
                                        : s.headlines.empty() ? ""
                                                              : s.headlines[0].value);
    if (base.empty()) base = telex::slug_part(s.wire.sequence), what = "message number";
    if (!when || base.empty()) return;
    char day[9];
    std::snprintf(day, sizeof day, "%04d%02d%02d", when->year, when->month, when->day);
    // The profile's uri prefix names its agency already; a generic prefix gets the document's.
    std::string who =
        !ctx.prof.agency.empty() ? "" : (h.agency.empty() ? "unknown" : h.agency) + ":";
    std::string svc = h.service.empty()    ? ""
                      : h.category.empty() ? h.service + ":"
                                           : h.service + "-" + ascii_lower(h.category) + ":";
    s.uri = ctx.prof.uri_prefix + who + day + ":" + svc + base;
    s.wire.warn("id_derived", "uri from the agency, the DTG's day, " +
                                  std::string(h.service.empty() ? "" : "service, category, ") +
                                  std::string(what) + " (7901 copy has no id)");
}

item_result build_story(const message& m, size_t index, const decode_context& ctx) {
    story s;
    s.wire.warnings = m.warnings;
    header_info h;
    std::string keywords = m.keywords, text = m.text;
    if (!read_header(m.header, s, h, ctx)) {
        keywords.clear();
        text.clear();
        split_keywords(m.header + "\n" + m.keywords + (m.loose ? "\n" + m.text : ""), keywords,
                       text);
        if (!m.loose) text += m.text;
        bool said = std::any_of(m.warnings.begin(), m.warnings.end(),
                                [](const warning& w) { return w.code == "layout_guessed"; });
        if (!said)
            s.wire.warn("layout_guessed",
                        "no 7901 header line '<service><number> <priority> <category> <words>': "
                        "read as headerless copy");
    } else if (m.loose) {
        keywords.clear();
        text.clear();
        split_keywords(m.keywords + "\n" + m.text, keywords, text);
    }
    if (ctx.prof.agency.empty()) s.wire.agency = h.agency;  // a configured agency wins
    telex::markers mk;
    mk.add(signal_from_text(h.info));  // Belga: "F BELGA-0031 COR 703"

    for (const auto& line : lines_of(keywords))
        for (auto k : split(line, '/')) {
            k = trim(k);
            if (k.size() == 8 && all_digits(k))  // an IPTC subject code among the keywords
                add_concept(s.subjects, code_concept("", k), 100);
            else if (!k.empty())
                s.wire.keywords.emplace_back(k);
        }
    for (const auto& k : s.wire.keywords) s.slugline += (s.slugline.empty() ? "" : "/") + k;

    auto lines = lines_of(text);
    while (!lines.empty() && trim(lines.back()).empty()) lines.pop_back();
    std::string dtg(trim(m.dtg));
    if (dtg.empty() && !lines.empty() && dtg_line(lines.back())) {
        dtg = trim(lines.back());  // no ETX: the DTG closes the text
        lines.pop_back();
    }
    size_t i = telex::first_meaningful(lines, 0, lines.size());
    if (i == lines.size())
        return adapter_error{story_errc::malformed, "the message has no text", m.offset,
                             "/message[" + std::to_string(index + 1) + "]/text"};
    // No zone in the DTG means GMT (dpa, ATS and Belga write none); not worth a warning.
    auto when = parse_dtg(dtg, 0);
    if (when)
        s.versioncreated = when->rfc3339();
    else if (!dtg.empty())
        s.wire.warn("bad_date", "date-time group '" + dtg + "' is not 'ddhhmm [zone] Mon yy'");
    size_t end = read_headline(lines, i, s, mk, when);
    if (s.headlines.empty()) {
        std::string l = telex::guess_headline(lines, end, lines.size());
        if (l.empty()) l = telex::guess_headline(lines, i, lines.size());  // only notes
        s.headlines.push_back({"main", "text/plain", l});
        s.wire.warn("headline_guessed",
                    "no headline line ending in ' =': headline taken from the first sentence of "
                    "the text");
    }
    if (telex::first_meaningful(lines, end, lines.size()) == lines.size()) end = i;
    read_body(lines, end, s, h);
    if (s.body_html.empty()) s.body_html = body_html(lines, i, lines.size());
    mk.apply(s);
    set_uri(s, h, when, ctx);
    return s;
}

std::vector<item_result> decode(std::string_view raw, const decode_context& ctx) {
    std::string kept;  // NUL, DEL and SUB are line noise, also inside header and DTG lines
    for (char c : raw)
        if (c != '\0' && c != '\x7F' && c != '\x1A') kept += c;
    std::string_view utf8 = kept;
    auto framed = frame(utf8);
    if (auto* e = std::get_if<adapter_error>(&framed)) return {*e};
    const auto& msgs = std::get<std::vector<message>>(framed);
    bool controls = utf8.find_first_of(std::string_view("\x01\x02", 2)) != npos;
    bool headed = !msgs.empty() && !msgs[0].header.empty();
    if (msgs.empty() || (!controls && !headed && !telex::has_prose(lines_of(utf8))))
        return {adapter_error{story_errc::malformed,
                              "not IPTC 7901: no SOH, no header line "
                              "'<service><number> <priority> <category> <words>' and no text",
                              0, ""}};
    std::vector<item_result> out;
    for (size_t i = 0; i < msgs.size(); ++i) out.push_back(build_story(msgs[i], i, ctx));
    return out;
}

// SOH, letters, digits, space, one digit, space, a letter; or a stripped dpa header line followed
// by a keyword line ("…/") or a headline ("… =") so that a lone look-alike line is not enough.
bool sniff(std::string_view head) {
    static const std::regex soh(R"(^\x01[A-Za-z][A-Za-z-]*\d+ \d [A-Za-z])");
    std::string_view first = trim(head.substr(0, head.find_first_of("\r\n")));
    if (first.size() > 200) return false;
    if (!first.empty() && first[0] == '\x01')
        return std::regex_search(first.begin(), first.end(), soh);
    return stripped_header(first) && (head.find("/\n") != npos || head.find(" =\n") != npos);
}

}  // namespace

WIRE_REGISTER_ADAPTER(adapter_info{"iptc7901", "IPTC 7901 telex (SOH … STX text ETX DTG EOT)",
                                   decode, sniff, charset_source::transport, 12});

}  // namespace wire::adapters

// IPTC 7901 (wire-formats.md section 6): SOH header, keyword line(s), STX text ETX, date-time
// group, EOT. One story per message, any number of messages per input. Also reads dpa archive
// copy whose control characters were stripped (header line first, LF line ends, DTG line last).
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <regex>

#include "core/datetime.hpp"
#include "core/lifecycle.hpp"
#include "core/registry.hpp"
#include "core/text.hpp"
#include "telex_common.hpp"

namespace wire::adapters {
namespace {

constexpr size_t k_max_messages = 1000;
constexpr auto npos = std::string_view::npos;
constexpr auto k_vocab = telex::vocabulary::with_eilt;  // dpa sends "Eilt"

// One message cut out of the framing.
struct message {
    std::string header, keywords, text, dtg;
    size_t offset = 0;    // of the message in the decoded input
    std::string problem;  // set when the framing is broken (truncated copy)
    std::vector<warning> warnings;
};

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), telex::is_digit);
}

// Lines without BEL (dpa rings five on urgents). LF, CR LF, the teleprinter's CR CR LF and a
// lone CR each end one line.
std::vector<std::string> lines_of(std::string_view s) {
    std::vector<std::string> out(1);
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r' || s[i] == '\n') {
            while (s[i] == '\r' && i + 1 < s.size() && (s[i + 1] == '\r' || s[i + 1] == '\n')) ++i;
            out.emplace_back();
        } else if (s[i] != '\a') {
            out.back() += s[i];
        }
    }
    return out;
}

// dpa's notepad: "# Notizblock" (any one-word level-1 heading), the "* * * *" line before the
// non-public part, or the sentence saying the rest is not for publication.
bool notepad_start(std::string_view line) {
    line = trim(line);
    if (line == "* * * *") return true;
    if (line.size() > 2 && line.size() <= 30 && line.substr(0, 2) == "# " &&
        line.find(' ', 2) == npos)
        return true;
    return starts_with_ci(line, "Die folgenden Informationen sind nicht") ||
           starts_with_ci(line, "The following information is not");
}

// dpa's closing line: agency, then editor initials: "dpa kre/su yysw a3 lön mda", "dpa s5".
bool closing_line(std::string_view line) {
    auto t = telex::tokens(line = trim(line));
    auto only = [](std::string_view w, std::string_view extra) {
        return std::all_of(w.begin(), w.end(), [&](char c) {
            return (c >= 'a' && c <= 'z') || extra.find(c) != npos || (c & 0x80);
        });
    };
    return line.size() <= 80 && t.size() >= 2 && t.size() <= 10 && t[0].size() >= 2 &&
           (t[0][0] & 0x80) == 0 && only(t[0], "-") && only(line, "0123456789 /-");
}

// Paragraphs are runs of non-blank lines (what finalize_story makes of body_text). A run whose
// lines all start with '|' is a table (dpa results): kept as rows, not one run-on paragraph.
std::string body_html(const std::vector<std::string>& lines, size_t from, size_t to) {
    std::string html;
    for (size_t i = from, j; i < to; i = j) {
        for (j = i; j < to && !trim(lines[j]).empty();) ++j;
        bool rows = j > i && std::all_of(lines.begin() + static_cast<std::ptrdiff_t>(i),
                                         lines.begin() + static_cast<std::ptrdiff_t>(j),
                                         [](const std::string& l) { return trim(l)[0] == '|'; });
        std::string para;
        for (size_t k = i; k < j; ++k) {
            if (!rows) {
                para += (k > i ? " " : "") + escape_html(trim(lines[k]));
                continue;
            }
            auto cells = split(trim(lines[k]), '|');
            para += "<tr>";
            for (size_t c = 1; c + 1 < cells.size(); ++c)
                para += "<td>" + escape_html(trim(cells[c])) + "</td>";
            para += "</tr>";
        }
        if (j > i) html += rows ? "<table>" + para + "</table>" : "<p>" + para + "</p>";
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

item_result build_story(const message& m, size_t index, const decode_context& ctx) {
    const std::string path = "/message[" + std::to_string(index + 1) + "]";
    auto fail = [&](story_errc c, std::string why, std::string where) {
        return adapter_error{c, std::move(why), m.offset, path + where};
    };
    if (!m.problem.empty()) return fail(story_errc::malformed, m.problem, "");
    // Header: <service><number> <priority> <category> <word count> [<optional info>]
    auto t = telex::tokens(m.header);
    static constexpr const char* k_fields[] = {"service/number", "priority", "category", "words"};
    if (t.size() < 4)
        return fail(story_errc::missing_required,
                    std::string("the header has no ") + k_fields[t.size()], "/header");
    size_t d = t[0].find_first_of("0123456789");
    if (d == 0 || d == npos || !all_digits(t[0].substr(d)))
        return fail(story_errc::malformed,
                    "header starts with '" + std::string(t[0]) + "', not <service><number>",
                    "/header");
    if (t[1].size() != 1 || !telex::is_digit(t[1][0]) || t[2].size() > 8 || !all_digits(t[3]))
        return fail(story_errc::bad_value,
                    "header '" + m.header +
                        "': priority must be one digit, category at most "
                        "8 characters, word count a number",
                    "/header");
    std::string_view info = trim(std::string_view(m.header).substr(
        static_cast<size_t>(t[3].data() + t[3].size() - m.header.data())));

    if (trim(m.text).empty())
        return fail(story_errc::malformed, "the message has no text between STX and ETX", "/text");
    std::string_view dtg = trim(m.dtg);
    if (dtg.empty())
        return fail(story_errc::missing_required, "no date-time group after ETX", "/dtg");
    // No zone in the DTG means GMT (dpa, ATS and Belga write none); not worth a warning.
    auto when = parse_dtg(dtg, 0);
    if (!when)
        return fail(story_errc::bad_value,
                    "date-time group '" + std::string(dtg) + "' is not 'ddhhmm [zone] Mon yy'",
                    "/dtg");

    story s;
    s.wire.warnings = m.warnings;
    s.versioncreated = when->rfc3339();
    s.wire.sequence = t[0];
    s.wire.priority = t[1];
    s.wire.category = t[2];
    if (auto u = ctx.prof.telex_priority.find(t[1]); u != ctx.prof.telex_priority.end())
        s.urgency = u->second;
    else
        s.wire.warn("urgency_unmapped", "priority " + std::string(t[1]) +
                                            " has no urgency in profile " + ctx.prof.name);
    // ninjs has no field for the declared word count or the free optional info: both are kept
    // verbatim as altids so nothing of the header is lost.
    s.altids.push_back({"wordcount", std::string(t[3])});
    if (!info.empty()) s.altids.push_back({"optional-info", std::string(info)});
    std::string agency = info_agency(info);
    if (!agency.empty()) s.infosources.push_back({agency, "", "", "", "originfeed"});
    if (ctx.prof.agency.empty()) s.wire.agency = agency;  // a configured agency wins
    telex::markers mk;
    mk.add(signal_from_text(info));  // Belga: "F BELGA-0031 COR 703"

    for (const auto& line : lines_of(m.keywords))
        for (auto k : split(line, '/'))
            if (!trim(k).empty()) s.wire.keywords.emplace_back(trim(k));
    for (const auto& k : s.wire.keywords) s.slugline += (s.slugline.empty() ? "" : "/") + k;

    // Headline block: the lines up to the first one ending in '=', before any blank line. Without
    // one, a short first paragraph (at most three lines, no dateline) is the headline.
    auto lines = lines_of(m.text);
    size_t i = 0, n = lines.size(), j;
    while (i < n && trim(lines[i]).empty()) ++i;
    auto open = [&](size_t k) { return k < n && k < i + 30 && !trim(lines[k]).empty(); };
    for (j = i; open(j) && trim(lines[j]).back() != '=';) ++j;
    std::string dl, loc;
    bool short_first = j - i <= 3 && i < n && !telex::find_dateline(lines[i], dl, loc);
    size_t end = open(j) ? j + 1 : short_first ? j : i;

    std::string title, note, ednote;
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
            if (ws.size() <= 2 && !ws.empty() && telex::urgency_word(ws[0], k_vocab)) {
                mk.add(telex::urgency_word(ws[0], k_vocab));
            } else {
                mk.add(signal_from_text(note));
                if (auto e = sperrfrist(note, *when); e && s.embargoed.empty())
                    s.embargoed = e->rfc3339();
                ednote += note + "\n";
            }
            note.clear();
        } else if (telex::take_markers(line, mk, k_vocab)) {
            continue;  // "1ST LEAD", "ОТМЕНА"
        } else if (!title.empty() && (starts_with_ci(line, "Von ") || starts_with_ci(line, "By ") ||
                                      starts_with_ci(line, "\u041e\u0442 "))) {
            s.by = line;  // "Von Marco Krefting und Sunrita Sen, dpa"
        } else {
            if (title.empty()) line = telex::drop_marker_prefix(line, mk, k_vocab);  // "СРОЧНО: …"
            title += (title.empty() ? "" : " ") + line;
        }
    }
    if (!title.empty()) s.headlines.push_back({"main", "text/plain", title});

    // Body up to the notepad; the closing line (its own paragraph at the end) is an ednote too.
    size_t body_end = n, last = n;
    while (last > end && trim(lines[last - 1]).empty()) --last;
    bool closing = last > end + 1 && trim(lines[last - 2]).empty() && closing_line(lines[last - 1]);
    if (closing) body_end = last - 1;
    for (size_t k = end; k < body_end; ++k)
        if (notepad_start(lines[k])) {
            body_end = k;
            break;
        }
    for (size_t k = body_end; k < last; ++k) ednote += "\n" + lines[k];
    s.ednote = ednote;
    telex::take_dateline(lines, end, body_end, s);
    s.body_html = body_html(lines, end, body_end);

    mk.apply(s);

    // 7901 carries no story id: the message number counts messages per service and day (dpa
    // sends 0000) and changes with every version. What an agency keeps across a story's updates
    // and corrections is its keyword line, so the uri is agency + UTC day + service + category +
    // keywords (the headline when there are none). A story re-slugged, or corrected on the next
    // day, gets a new uri: a limit of the format.
    std::string base = telex::slug_part(s.slugline.empty() ? title : s.slugline);
    if (base.empty()) base = telex::slug_part(t[0]);
    char day[9];
    std::snprintf(day, sizeof day, "%04d%02d%02d", when->year, when->month, when->day);
    // The profile's uri prefix names its agency already; a generic prefix gets the document's.
    std::string who = !ctx.prof.agency.empty() ? "" : (agency.empty() ? "unknown" : agency) + ":";
    s.uri = ctx.prof.uri_prefix + who + day + ":" + ascii_lower(t[0].substr(0, d)) + "-" +
            ascii_lower(t[2]) + ":" + base;
    return s;
}

// SOH-framed input: a message runs from SOH to EOT (or the next SOH, or the end).
std::variant<std::vector<message>, adapter_error> frame_controls(std::string_view s) {
    std::vector<message> out;
    auto garbage = [](std::string_view g) {
        return static_cast<size_t>(std::count_if(g.begin(), g.end(), [](char c) {
            return c != '\x7F' && !std::isspace(static_cast<unsigned char>(c));
        }));
    };
    size_t pos = s.find('\x01'), skipped = garbage(s.substr(0, pos));
    while (pos != npos) {
        if (out.size() == k_max_messages)
            return adapter_error{story_errc::too_large,
                                 "more than " + std::to_string(k_max_messages) + " messages", pos,
                                 ""};
        size_t next = s.find('\x01', pos + 1);
        std::string_view msg = s.substr(pos + 1, next == npos ? npos : next - pos - 1);
        message m;
        m.offset = pos;
        if (skipped)
            m.warnings.push_back(
                {"junk_skipped", std::to_string(skipped) + " bytes before SOH skipped"});
        skipped = 0;
        size_t eot = msg.find('\x04');
        if (eot == npos)
            m.warnings.push_back({"unterminated", "the message has no EOT"});
        else {
            skipped = garbage(msg.substr(eot + 1));
            msg = msg.substr(0, eot);
        }
        size_t stx = msg.find('\x02'), etx = msg.find('\x03', stx == npos ? 0 : stx);
        size_t hdr_end = std::min(msg.find_first_of("\r\n"), stx);
        m.header = msg.substr(0, hdr_end);
        if (stx == npos)
            m.problem = "truncated: the message has no STX (start of text)";
        else if (etx == npos || etx < stx)
            m.problem = "truncated: the message has no ETX (end of text)";
        else {
            m.keywords = msg.substr(hdr_end, stx - hdr_end);
            m.text = msg.substr(stx + 1, etx - stx - 1);
            std::string_view rest = msg.substr(etx + 1);
            m.dtg = rest.substr(0, rest.find_first_of("\r\n"));
        }
        out.push_back(std::move(m));
        pos = next;
    }
    return out;
}

// The header of dpa copy without control characters. Lines are capped before matching, so
// std::regex cannot run away.
bool stripped_header(std::string_view l) {
    static const std::regex re(R"(^[a-z]{2,4}\d{3,4} \d [a-zA-Z]{1,3} \d+( .*)?$)");
    return l.size() <= 200 && std::regex_match(l.begin(), l.end(), re);
}

bool dtg_line(std::string_view l) { return l.size() <= 32 && parse_dtg(trim(l)).has_value(); }

// Stripped copy: a message starts at a header line (first, or after a DTG line), keyword lines
// end with '/', the last line is the DTG.
std::variant<std::vector<message>, adapter_error> frame_stripped(std::string_view s) {
    std::vector<telex::line_at> ls;  // the non-blank lines, trimmed
    for (auto l : telex::lf_lines(s))
        if (!trim(l.text).empty()) ls.push_back({l.offset, trim(l.text)});
    std::vector<size_t> starts;
    for (size_t i = 0; i < ls.size(); ++i)
        if (stripped_header(ls[i].text) && (i == 0 || dtg_line(ls[i - 1].text)))
            starts.push_back(i);
    if (starts.empty() || starts[0] != 0)
        return adapter_error{story_errc::malformed,
                             "not IPTC 7901: no SOH and no header line '<service><number> "
                             "<priority> <category> <words>'",
                             0, ""};
    if (starts.size() > k_max_messages)
        return adapter_error{story_errc::too_large, "more than 1000 messages",
                             ls[starts[k_max_messages]].offset, ""};
    std::vector<message> out;
    for (size_t k = 0; k < starts.size(); ++k) {
        size_t b = starts[k], e = k + 1 < starts.size() ? starts[k + 1] : ls.size();
        message m;
        m.offset = ls[b].offset;
        m.header = ls[b].text;
        size_t i = b + 1;
        for (; i < e && ls[i].text.back() == '/'; ++i) m.keywords += std::string(ls[i].text) + "\n";
        if (e - 1 < i || !dtg_line(ls[e - 1].text)) {
            m.problem = "truncated: no date-time group line ends the message";
        } else {
            m.dtg = ls[e - 1].text;
            size_t from = i < e ? ls[i].offset : s.size(), to = ls[e - 1].offset;
            m.text = s.substr(from, to > from ? to - from : 0);
        }
        out.push_back(std::move(m));
    }
    return out;
}

std::vector<item_result> decode(std::string_view utf8, const decode_context& ctx) {
    auto framed = utf8.find('\x01') != npos ? frame_controls(utf8) : frame_stripped(utf8);
    if (auto* e = std::get_if<adapter_error>(&framed)) return {*e};
    std::vector<item_result> out;
    const auto& msgs = std::get<std::vector<message>>(framed);
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

// ZCZC … NNNN teleprinter framing (wire-formats.md section 8) around plain-text copy. ZCZC/NNNN
// are only record delimiters; inside, the first line carries a channel/sequence ("ZCZC AAP",
// "ZCZC FMG000", Interfax-style "ZCZC IFX1234 3 POL"), then optional provider header lines (AAP
// "%…", "$J", ":slug", "*X"; News Bites KEY#value pairs AN#, KN#, PD#, TI#, TX#…), a headline
// line, a dateline ("MOSCOW, July 10 (Interfax) - "), the body and an optional closing DTG line.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>

#include "core/datetime.hpp"
#include "core/lifecycle.hpp"
#include "core/registry.hpp"
#include "core/text.hpp"
#include "telex_common.hpp"

namespace wire::adapters {
namespace {

constexpr size_t k_max_records = 1000;
constexpr auto npos = std::string_view::npos;
constexpr auto k_vocab = telex::vocabulary::common;

struct record {
    size_t offset = 0;
    std::string_view zczc;  // the rest of the ZCZC line
    std::vector<std::string_view> lines;
    bool closed = false;  // NNNN seen
};

bool zczc_line(std::string_view l) {
    l = trim(l);
    return starts_with_ci(l, "zczc") && (l.size() == 4 || l[4] == ' ' || l[4] == '\t');
}
bool nnnn_line(std::string_view l) { return ascii_lower(trim(l)) == "nnnn"; }

// News Bites' PD#: "06 June 2016 14:00:00"; ISO 8601 is accepted too.
std::optional<utc_time> parse_pd(std::string_view v) {
    if (auto iso = parse_iso8601(v)) return iso;
    auto t = telex::tokens(v);
    auto num = [](std::string_view s, int& out) {
        auto r = std::from_chars(s.data(), s.data() + s.size(), out);
        return r.ec == std::errc() && r.ptr == s.data() + s.size() && out >= 0 && out <= 9999;
    };
    auto hms = t.size() == 4 ? split(t[3], ':') : std::vector<std::string_view>{};
    int day, year, h, mi, sec = 0, month = t.size() == 4 ? month_from_name(t[1]) : 0;
    if (!month || !num(t[0], day) || !num(t[2], year) || hms.size() < 2 || hms.size() > 3 ||
        !num(hms[0], h) || !num(hms[1], mi) || (hms.size() == 3 && !num(hms[2], sec)))
        return std::nullopt;
    char iso[40];
    std::snprintf(iso, sizeof iso, "%04d-%02d-%02dT%02d:%02d:%02dZ", year, month, day, h, mi, sec);
    return parse_iso8601(iso);
}

item_result build_story(const record& r, size_t index, const decode_context& ctx) {
    const std::string path = "/record[" + std::to_string(index + 1) + "]";
    auto fail = [&](story_errc c, std::string why, std::string where) {
        return adapter_error{c, std::move(why), r.offset, path + where};
    };
    story s;
    if (!r.closed) s.wire.warn("unterminated", "the record has no closing NNNN");
    telex::markers mk;
    // ZCZC line: <channel><sequence> [<priority digit> [<category>]] [markers…]
    auto zt = telex::tokens(r.zczc);
    std::string channel = "zczc";
    if (!zt.empty()) {
        size_t d = zt[0].find_first_of("0123456789");
        channel = ascii_lower(zt[0].substr(0, d));
        if (d != npos) s.wire.sequence = zt[0];
        if (!channel.empty()) s.altids.push_back({"channel", std::string(zt[0].substr(0, d))});
    }
    size_t z = 1;
    if (zt.size() > z && zt[z].size() == 1 && telex::is_digit(zt[z][0])) {
        s.wire.priority = zt[z++];
        if (auto u = ctx.prof.telex_priority.find(s.wire.priority);
            u != ctx.prof.telex_priority.end())
            s.urgency = u->second;
        if (zt.size() > z && zt[z].size() <= 8 && !signal_from_text(zt[z]))
            s.wire.category = zt[z++];
    }
    for (; z < zt.size(); ++z) mk.add(signal_from_text(zt[z]));

    // Provider header lines, until the first line that is none.
    std::vector<std::string> text;
    bool tx = false, tabular = false;
    size_t k = 0;
    for (; k < r.lines.size() && !tx; ++k) {
        std::string_view l = trim(r.lines[k]);
        if (l.empty()) continue;
        bool pair = l.size() >= 3 && std::isupper(static_cast<unsigned char>(l[0])) &&
                    std::isupper(static_cast<unsigned char>(l[1])) && l[2] == '#';
        std::string key(pair ? l.substr(0, 2) : l.substr(0, 1));
        std::string value(trim(l.substr(pair ? 3 : 1)));
        if (pair) {
            if (key == "AN" && !value.empty()) s.altids.push_back({"AN", value});
            if (key == "KN" && !value.empty()) s.infosources.push_back({value, "", "", "", ""});
            if (key == "BY") s.by = value;
            if (key == "TI") s.headlines.push_back({"main", "text/plain", value});
            if (key == "AB") s.descriptions.push_back({"summary", "text/plain", value});
            if (key == "CO" && !value.empty()) s.organisations.push_back({"", "", "", value, ""});
            if (key == "KY")
                for (auto w : telex::tokens(value)) s.wire.keywords.emplace_back(w);
            if (key == "KY") s.slugline = value;
            if (key == "PD" && !value.empty()) {
                // PD# carries no zone; taken as UTC (a feed with local times needs a profile zone).
                auto when = parse_pd(value);
                if (!when)
                    return fail(story_errc::bad_value, "PD# '" + value + "' is not a date-time",
                                "/PD");
                s.versioncreated = when->rfc3339();
            }
            if (key == "TX") {
                tx = true;  // the text follows, one paragraph per line
                if (!value.empty()) text.push_back(value);
            }
        } else if (key == "$" && !value.empty()) {
            s.wire.category = value;  // AAP: "$J"
        } else if (key == "^" && !value.empty()) {
            s.headlines.push_back({"main", "text/plain", value});
        } else if (key == ":" || key == "=") {  // AAP slug and take key
            std::string& field = key == ":" ? s.slugline : s.wire.take_key;
            if (field.empty()) field = value;
        } else if (key == "+" && !value.empty()) {
            s.subjects.push_back({"", "", "http://cv.iptc.org/newscodes/subjectcode/" + value});
        } else if (key == "*") {
            tabular = value == "T";  // "*X" text, "*T" tabular
        } else if (!(key == "%" || key == "&" || key == "#" || starts_with_ci(l, "YY "))) {
            break;  // AAP routing lines are skipped; anything else is text
        }
    }
    for (; k < r.lines.size(); ++k) text.emplace_back(r.lines[k]);
    while (!text.empty() && trim(text.back()).empty()) text.pop_back();
    // A closing DTG line ("101405 MSK JUL 17", the 7901 habit) dates the record.
    if (!text.empty() && trim(text.back()).size() <= 32)
        if (auto when = parse_dtg(trim(text.back()), 0)) {
            if (s.versioncreated.empty()) s.versioncreated = when->rfc3339();
            text.pop_back();
        }

    // Top lines: markers ("UPDATE", "KILL KILL KILL"), editor notes "(…)", the headline line
    // (unless a header gave one; at most 200 bytes, not a dateline), then an optional "By …" line.
    size_t i = 0, n = text.size();
    std::string ednote, dl, loc;
    while (i < n) {
        std::string line(trim(text[i]));
        bool headline = s.headlines.empty() && !tx && line.size() <= 200;
        if (line.empty() && !s.headlines.empty()) break;
        if (line.empty() || telex::take_markers(line, mk, k_vocab)) {
            ++i;
        } else if (line.front() == '(' && line.back() == ')') {
            mk.add(signal_from_text(line));
            ednote += line + "\n";
            ++i;
        } else if (headline && !telex::find_dateline(line, dl, loc)) {
            if (line.back() == '=') line = std::string(trim(line.substr(0, line.size() - 1)));
            line = telex::drop_marker_prefix(line, mk, k_vocab);  // "URGENT: …", "REFILE-…"
            s.headlines.push_back({"main", "text/plain", line});
            ++i;
        } else if (!s.headlines.empty() && s.by.empty() && starts_with_ci(line, "By ")) {
            s.by = line;
            ++i;
        } else {
            break;
        }
    }
    bool no_body = std::all_of(text.begin() + static_cast<std::ptrdiff_t>(i), text.end(),
                               [](const std::string& l) { return trim(l).empty(); });
    if (no_body && s.headlines.empty())
        return fail(story_errc::missing_required, "the record holds no text", "");
    s.ednote = ednote;

    // Dateline in the first paragraphs; body = the rest. News Bites' TX text and AAP "*T" tabular
    // copy have no blank lines between paragraphs or rows: there every line is one.
    telex::take_dateline(text, i, n, s);
    std::string body;
    for (size_t k2 = i; k2 < n; ++k2) body += text[k2] + (tx || tabular ? "\n\n" : "\n");
    s.body_text = body;

    mk.apply(s);

    // Identity: News Bites' AN# when present. Otherwise ZCZC copy has no id (the sequence changes
    // with every version), so the uri is channel + UTC day + slug, or the headline without its
    // markers: an update or correction that keeps its headline keeps its uri; one that rewrites
    // the headline starts a new story (a limit of the format).
    for (const auto& a : s.altids)
        if (a.role == "AN") s.uri = a.value;
    if (s.uri.empty()) {
        std::string base =
            telex::slug_part(!s.slugline.empty()   ? s.slugline
                             : s.headlines.empty() ? std::string_view()
                                                   : std::string_view(s.headlines[0].value));
        if (base.empty()) base = telex::slug_part(s.wire.sequence);
        if (base.empty())
            return fail(story_errc::missing_required, "no AN#, slug or headline identifies it", "");
        std::string day = s.versioncreated.substr(0, 10);
        std::erase(day, '-');
        s.uri = ctx.prof.uri_prefix + (channel.empty() ? "zczc" : channel) + ":" +
                (day.empty() ? "" : day + ":") + base;
    }
    return s;
}

std::vector<item_result> decode(std::string_view utf8, const decode_context& ctx) {
    std::vector<record> records;
    record* open = nullptr;
    for (auto [p, l] : telex::lf_lines(utf8)) {
        if (zczc_line(l)) {
            if (records.size() == k_max_records)
                return {adapter_error{story_errc::too_large,
                                      "more than " + std::to_string(k_max_records) + " records", p,
                                      ""}};
            records.push_back({p, trim(trim(l).substr(4)), {}, false});
            open = &records.back();
        } else if (open && nnnn_line(l)) {
            open->closed = true;
            open = nullptr;
        } else if (open) {
            open->lines.push_back(l);  // text outside records is line noise: skipped
        }
    }
    if (records.empty())
        return {adapter_error{story_errc::malformed, "no ZCZC line: not ZCZC-framed copy", 0, ""}};
    std::vector<item_result> out;
    for (size_t i = 0; i < records.size(); ++i) out.push_back(build_story(records[i], i, ctx));
    return out;
}

// "ZCZC"/"zczc" opening one of the first three lines (AAP once indented it).
bool sniff(std::string_view head) {
    auto ls = telex::lf_lines(head);
    for (size_t n = 0; n < 3 && n < ls.size(); ++n)
        if (zczc_line(ls[n].text)) return true;
    return false;
}

}  // namespace

WIRE_REGISTER_ADAPTER(adapter_info{"zczc", "ZCZC … NNNN teleprinter framing around plain text",
                                   decode, sniff, charset_source::transport, 15});

}  // namespace wire::adapters

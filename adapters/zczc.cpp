// ZCZC … NNNN teleprinter framing (docs/formats.md) around plain-text copy. ZCZC/NNNN
// are only record delimiters; inside, the first line carries a channel/sequence ("ZCZC AAP",
// "ZCZC FMG000", Interfax-style "ZCZC IFX1234 3 POL"), then optional provider header lines (AAP
// "%…", "$J", ":slug", "*X"; News Bites KEY#value pairs AN#, KN#, PD#, TI#, TX#…), a headline
// line, a dateline ("MOSCOW, July 10 (Interfax) - "), the body and an optional closing DTG line.
// Lines end at LF, CR LF, LF CR or a lone CR; NUL, DEL and other line noise is dropped. Copy in
// a layout none of these fit is read as a headline line over the body, with a warning.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>

#include "core/concepts.hpp"
#include "core/datetime.hpp"
#include "core/lifecycle.hpp"
#include "core/registry.hpp"
#include "core/text.hpp"
#include "telex_common.hpp"
#include "zczc_racing.hpp"

namespace wire::adapters {
namespace {

constexpr size_t k_max_records = 1000;
constexpr auto npos = std::string_view::npos;
constexpr auto k_vocab = telex::vocabulary::common;

struct record {
    size_t offset = 0;
    std::string zczc;  // the rest of the ZCZC line
    std::vector<std::string> lines;
    bool closed = false;    // NNNN seen
    bool unframed = false;  // no ZCZC line: the whole input
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

// Whose sigil lines: AAP's own (':' slug, '^' headline), Medianet's (AAP's press-release
// service: '%MNET…' routing, ':' headline) or Pagemasters' ('#' slug, ':' headline, '@' take key).
enum class sigil_set { aap, medianet, pagemasters };

// What the header lines of a record told: which layout, and where the text starts.
struct layout {
    bool tx = false, tabular = false, sigils = false, pairs = false, interfax = false;
    bool racing = false;  // the racing system's copy: "YY TDR" routing, "RACING : …" title line
    bool header_headline = false;
    sigil_set who = sigil_set::aap;
    size_t text_from = 0;
};

// ZCZC line: <channel><sequence> [<priority digit> [<category>]] [markers…]. Returns the channel.
std::string read_zczc_line(const record& r, story& s, telex::markers& mk, layout& lay,
                           const decode_context& ctx) {
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
        lay.interfax = true;
        s.wire.priority = zt[z++];
        if (auto u = ctx.prof.telex_priority.find(s.wire.priority);
            u != ctx.prof.telex_priority.end())
            s.urgency = u->second;
        else
            s.wire.warn("urgency_unmapped", "ZCZC priority " + s.wire.priority +
                                                " has no urgency in profile " + ctx.prof.name);
        if (zt.size() > z && zt[z].size() <= 8 && !signal_from_text(zt[z]))
            s.wire.category = zt[z++];
    }
    for (; z < zt.size(); ++z) mk.add(signal_from_text(zt[z]));
    return channel.empty() ? "zczc" : channel;
}

// News Bites KEY#value pair. TX# starts the text.
void read_pair(std::string_view key, const std::string& value, story& s, layout& lay,
               std::vector<std::string>& text) {
    if (key == "AN" && !value.empty()) s.altids.push_back({"AN", value});
    if (key == "KN" && !value.empty()) s.infosources.push_back({value, "", "", "", ""});
    if (key == "BY") s.by = value;
    if (key == "TI" && !value.empty()) {
        s.headlines.push_back({"main", "text/plain", value});
        lay.header_headline = true;
    }
    if (key == "AB") s.descriptions.push_back({"summary", "text/plain", value});
    if (key == "CO" && !value.empty()) s.organisations.push_back({"", "", "", value, ""});
    if (key == "KY") {
        for (auto w : telex::tokens(value)) s.wire.keywords.emplace_back(w);
        s.slugline = value;
    }
    if (key == "PD" && !value.empty()) {
        // PD# carries no zone; taken as UTC (a feed with local times needs a profile zone).
        if (auto when = parse_pd(value))
            s.versioncreated = when->rfc3339();
        else
            s.wire.warn("bad_date", "PD# '" + value + "' is not a date-time; ignored");
    }
    if (key == "TX") {
        lay.tx = true;  // the text follows, one paragraph per line
        if (!value.empty()) text.push_back(value);
    }
}

// An AAP-style sigil line ("$J", ":NATO-Ukraine", "=2", "^Headline", "+11000000 16009000",
// "*T", "&A", "#SYD", "%MNETALL …"), in any order. False when the line is no such header line
// (a value too long or shaped wrong for its sigil is text: "$5 million …").
bool read_sigil(char key, const std::string& value, story& s, layout& lay) {
    bool word = value.size() <= 24 && value.find(' ') == npos;
    bool headline_key = key == ':' && lay.who != sigil_set::aap;
    if (lay.who == sigil_set::pagemasters && (key == '#' || key == '@'))
        key = key == '#' ? ':' : '=';
    if (headline_key) key = '^';
    if (key == ':' && value.find(" :") != npos && value.size() <= 60) {
        for (auto w : telex::tokens(value))  // ":PREMIERSHIP :SPORTMANS": racing system sections
            if (w != ":") s.wire.keywords.emplace_back(w[0] == ':' ? w.substr(1) : w);
        return true;
    }
    switch (key) {
        case '$':  // category
            if (!word) return false;
            if (!value.empty() && s.wire.category.empty()) s.wire.category = value;
            return true;
        case '^':  // headline; a second one is a summary
            if (value.size() > 300) return false;
            if (value.empty()) return true;
            if (s.headlines.empty())
                s.headlines.push_back({"main", "text/plain", value});
            else
                s.descriptions.push_back({"summary", "text/plain", value});
            lay.header_headline = true;
            return true;
        case ':':  // slug (keyword)
        case '=':  // take key
            if (value.size() > 60) return false;
            if (std::string& f = key == ':' ? s.slugline : s.wire.take_key; f.empty()) f = value;
            return true;
        case '+':  // IPTC subject codes
            for (auto c : telex::tokens(value))
                for (auto code : split(c, ','))
                    if (!trim(code).empty())
                        add_concept(s.subjects, code_concept("", trim(code)), 100);
            return true;
        case '*':  // format: X text, T tabular
            if (value.size() > 1) return false;
            lay.tabular = value == "T" || value == "t";
            return true;
        case '&':  // service level
        case '#':  // locator
            if (!word) return false;
            if (!value.empty())
                s.altids.push_back({key == '&' ? "service-level" : "locator", value});
            return true;
        case '%':  // routing / selector codes
            return true;
        default:
            return false;
    }
}

bool is_pair(std::string_view l) {
    return l.size() >= 3 && std::isupper(static_cast<unsigned char>(l[0])) &&
           std::isupper(static_cast<unsigned char>(l[1])) && l[2] == '#';
}

bool routing_line(std::string_view l) {
    return starts_with_ci(l, "YY ") || starts_with_ci(l, "HH ");
}

// Whose sigils the header lines use (see `sigils`), and whether a routing line marks racing copy.
void classify(const record& r, layout& lay) {
    std::string keys;
    bool mnet = false;
    for (const auto& raw : r.lines) {
        std::string_view l = trim(raw);
        if (l.empty() || is_pair(l)) continue;
        if (routing_line(l)) {
            lay.racing = true;
            continue;
        }
        if (std::string_view("$:=^+*&#%@").find(l[0]) == npos) break;
        keys += l[0];
        mnet = mnet || (l[0] == '%' && ascii_lower(l).find("mnet") != npos);
    }
    if (keys.find('^') != npos) return;
    if (!keys.empty() && keys[0] == '#')
        lay.who = sigil_set::pagemasters;
    else if (mnet)
        lay.who = sigil_set::medianet;
}

// Provider header lines, until the first line that is none; the rest is text.
std::vector<std::string> read_header(const record& r, story& s, layout& lay) {
    std::vector<std::string> text;
    classify(r, lay);
    size_t k = 0;
    for (; k < r.lines.size() && !lay.tx; ++k) {
        std::string_view l = trim(r.lines[k]);
        if (l.empty()) continue;
        if (is_pair(l)) {
            lay.pairs = true;
            read_pair(l.substr(0, 2), std::string(trim(l.substr(3))), s, lay, text);
        } else if (read_sigil(l[0], std::string(trim(l.substr(1))), s, lay)) {
            lay.sigils = true;
        } else if (!routing_line(l)) {
            break;  // AAP routing lines are skipped; anything else is text
        }
    }
    for (; k < r.lines.size(); ++k) text.push_back(r.lines[k]);
    while (!text.empty() && trim(text.back()).empty()) text.pop_back();
    return text;
}

// Top lines: markers ("UPDATE", "KILL KILL KILL"), editor notes "(…)", the headline line
// (unless a header gave one; at most 200 bytes, not a dateline), then an optional "By …" line.
// Returns the index of the first body line.
size_t read_top(const std::vector<std::string>& text, const layout& lay, story& s,
                telex::markers& mk) {
    size_t i = 0, n = text.size();
    std::string ednote, dl, loc;
    while (i < n) {
        std::string line(trim(text[i]));
        bool headline = s.headlines.empty() && !lay.tx && line.size() <= 200;
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
    s.ednote = ednote;
    return i;
}

// A headline from the first sentence of the body, when the layout gave none.
void guess_headline(const std::vector<std::string>& text, size_t from, story& s) {
    std::string h = telex::guess_headline(text, from, text.size());
    if (h.empty()) return;
    s.headlines.push_back({"main", "text/plain", h});
    s.wire.warn("headline_guessed", "headline taken from the first sentence of the text");
}

// Identity: News Bites' AN# when present. Otherwise ZCZC copy has no id (the sequence changes
// with every version), so the uri is channel + UTC day + slug, or the headline without its
// markers: an update or correction that keeps its headline keeps its uri; one that rewrites the
// headline starts a new story (a limit of the format). Nothing to go by: core's hash rule.
void set_uri(story& s, const std::string& channel, const decode_context& ctx) {
    for (const auto& a : s.altids)
        if (a.role == "AN") s.uri = a.value;
    if (!s.uri.empty()) return;
    std::string_view what = "slug";
    std::string base = telex::slug_part(s.slugline);
    if (base.empty() && !s.headlines.empty())
        base = telex::slug_part(s.headlines[0].value), what = "headline";
    if (base.empty()) base = telex::slug_part(s.wire.sequence), what = "sequence number";
    if (base.empty()) return;
    std::string day = s.versioncreated.substr(0, 10);
    std::erase(day, '-');
    s.uri = ctx.prof.uri_prefix + channel + ":" + (day.empty() ? "" : day + ":") + base;
    s.wire.warn("id_derived", "uri from the channel, " + std::string(day.empty() ? "" : "day, ") +
                                  std::string(what) + " (ZCZC copy has no id)");
}

item_result build_story(const record& r, size_t index, const decode_context& ctx) {
    story s;
    if (!r.closed) s.wire.warn("unterminated", "the record has no closing NNNN");
    if (r.unframed) s.wire.warn("layout_guessed", "no ZCZC line: the input read as one record");
    telex::markers mk;
    layout lay;
    std::string channel = read_zczc_line(r, s, mk, lay, ctx);
    auto text = read_header(r, s, lay);
    if (lay.who == sigil_set::pagemasters) zczc::pagemasters_date(s);
    if (lay.racing && s.headlines.empty()) zczc::racing_headline(text, s, lay.header_headline);
    // Race fields, results and weights are laid out by line: kept as sent.
    lay.tabular = lay.tabular || lay.racing || lay.who == sigil_set::pagemasters;
    // A closing DTG line ("101405 MSK JUL 17", the 7901 habit) dates the record.
    if (!text.empty() && trim(text.back()).size() <= 32)
        if (auto when = parse_dtg(trim(text.back()), 0)) {
            if (s.versioncreated.empty()) s.versioncreated = when->rfc3339();
            text.pop_back();
        }
    bool known = lay.interfax || lay.sigils || lay.pairs || lay.racing;
    size_t i = read_top(text, lay, s, mk);
    bool from_text = !s.headlines.empty() && !lay.header_headline;
    if (telex::first_meaningful(text, i, text.size()) == text.size() && from_text)
        i = 0;  // only a headline line: it is the body too, the text is never lost
    if (telex::first_meaningful(text, i, text.size()) == text.size() && s.headlines.empty())
        return adapter_error{story_errc::missing_required, "the record holds no text", r.offset,
                             "/record[" + std::to_string(index + 1) + "]"};
    if (!known && !r.unframed)
        s.wire.warn("layout_guessed",
                    "no channel priority, provider header or KEY# lines: read "
                    "as plain text under a headline line");
    if (s.headlines.empty())
        guess_headline(text, i, s);
    else if (from_text && (!known || lay.sigils || lay.pairs || lay.racing))
        s.wire.warn("headline_guessed", "headline taken from the first line of the text");
    if (lay.racing && s.slugline.empty() && !s.headlines.empty())
        s.slugline = zczc::racing_slug(s.headlines[0].value);

    // Dateline in the first paragraphs; body = the rest. News Bites' TX text has no blank lines
    // between paragraphs: there every line is one. AAP "*T" tabular copy and column-aligned
    // runs (results, racing fields) keep their exact lines.
    telex::take_dateline(text, i, text.size(), s);
    s.body_html = telex::paragraphs_html(text, i, text.size(), lay.tx, lay.tabular);
    if (s.body_html.empty() && !s.headlines.empty()) s.body_text = s.headlines[0].value;
    mk.apply(s);
    set_uri(s, channel, ctx);
    return s;
}

std::vector<item_result> decode(std::string_view utf8, const decode_context& ctx) {
    std::vector<record> records;
    record* open = nullptr;
    for (auto& [p, l] : telex::any_lines(utf8)) {
        if (zczc_line(l)) {
            if (records.size() == k_max_records)
                return {adapter_error{story_errc::too_large,
                                      "more than " + std::to_string(k_max_records) + " records", p,
                                      ""}};
            records.push_back({p, std::string(trim(trim(l).substr(4))), {}, false, false});
            open = &records.back();
        } else if (open && nnnn_line(l)) {
            open->closed = true;
            open = nullptr;
        } else if (open) {
            open->lines.push_back(std::move(l));  // text outside records is line noise: skipped
        }
    }
    if (records.empty()) {  // copy without framing: one record when it holds readable text
        record whole{0, "", {}, true, true};
        for (auto& l : telex::any_lines(utf8))
            if (!nnnn_line(l.text)) whole.lines.push_back(std::move(l.text));
        if (!telex::has_prose(whole.lines))
            return {adapter_error{story_errc::malformed,
                                  "no ZCZC line and no readable text: not ZCZC-framed copy", 0,
                                  ""}};
        records.push_back(std::move(whole));
    }
    std::vector<item_result> out;
    for (size_t i = 0; i < records.size(); ++i) out.push_back(build_story(records[i], i, ctx));
    return out;
}

// "ZCZC"/"zczc" opening one of the first three lines (AAP once indented it).
bool sniff(std::string_view head) {
    auto ls = telex::any_lines(head);
    for (size_t n = 0; n < 3 && n < ls.size(); ++n)
        if (zczc_line(ls[n].text)) return true;
    return false;
}

}  // namespace

WIRE_REGISTER_ADAPTER(adapter_info{"zczc", "ZCZC … NNNN teleprinter framing around plain text",
                                   decode, sniff, charset_source::transport, 15});

}  // namespace wire::adapters

// ANPA-1312 (docs/formats.md): SYN SYN SOH header, priority/category/slug line, STX
// text ETX trailer [FF] EOT. One input may be a captured stream of several messages back to
// back: one story per message, junk between messages skipped with a warning. Broken framing is
// read as far as it goes, with a warning: no US, no second header line or one in another shape,
// no STX, no ETX (the text runs to the next message). Header fields and the trailer are read in
// anpa1312_header.cpp, the text in anpa1312_text.cpp.
//
// Mapping choices: selector code -> wire.keywords (routing, like a keyword; "-----" dropped);
// service letter + story number -> wire.sequence; version field -> wire.take_key; the reference
// field and byline titles ("Associated Press=") have no ninjs/wire place and are dropped. `_`
// becomes an em dash. Error offsets count bytes of the decoded UTF-8 text, which equals the raw
// offset only while everything before it is ASCII (decode_context has no raw-offset map).
#include <algorithm>
#include <cstdio>
#include <optional>
#include <utility>
#include <variant>

#include "anpa1312_parts.hpp"
#include "core/concepts.hpp"
#include "core/datetime.hpp"
#include "core/lifecycle.hpp"
#include "core/registry.hpp"
#include "core/text.hpp"
#include "telex_common.hpp"

namespace wire::adapters {
namespace {

using namespace anpa;

constexpr char k_soh = '\x01', k_stx = '\x02', k_etx = '\x03', k_syn = '\x16', k_us = '\x1F';
constexpr std::size_t k_max_messages = 1000;
constexpr std::size_t k_max_line1 = 64;   // SOH + 5 + provider + US + selector (5) is ~20
constexpr std::size_t k_max_line2 = 256;  // slug max 24, version, reference, date, count
constexpr std::size_t npos = std::string_view::npos;

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

// The end of the line at `from` (before its CR/LF) and the start of the next, at most `max`
// bytes on; {npos, npos} when none ends there.
std::pair<std::size_t, std::size_t> header_line(std::string_view msg, std::size_t from,
                                                std::size_t max) {
    for (std::size_t i = from; i < msg.size() && i - from <= max; ++i) {
        if (msg[i] == k_stx) return {i, i};
        if (std::size_t e = telex::line_end(msg, i)) return {i, i + e};
    }
    return {npos, npos};
}

// Where the framing put things in one message, and what it had to guess.
struct framed {
    std::string_view text, trailer;
    std::size_t end = 0;  // past the message's trailer (where the next may start)
};

// The header lines of `msg` into `h`, and the text span; an error only when no text is there.
std::variant<framed, adapter_error> read_frame(std::string_view msg, std::size_t soh, header& h,
                                               story& s, const decode_context& ctx) {
    auto err = [&](story_errc c, std::string m, std::size_t at) {
        return adapter_error{c, m + " (message at byte " + std::to_string(soh) + ")", soh + at, ""};
    };
    auto [e1, n1] = header_line(msg, 1, k_max_line1);
    if (e1 == npos) {
        bool cut = msg.size() <= k_max_line1;
        return err(
            cut ? story_errc::malformed : story_errc::too_large,
            "the first header line does not end within " + std::to_string(k_max_line1) + " bytes",
            0);
    }
    std::string_view l1 = msg.substr(1, e1 - 1);
    std::size_t us = l1.find(k_us);
    h.sequence = l1.substr(0, 5);
    h.provider = trim(l1.substr(5, us == npos ? npos : us - 5));
    if (us != npos) h.selector = trim(l1.substr(us + 1));
    if (us == npos) s.wire.warn("layout_guessed", "no US before the selector code: no selector");
    std::size_t at = n1;
    while (at < msg.size() && (msg[at] == '\r' || msg[at] == '\n')) ++at;
    if (at < msg.size() && msg[at] != k_stx && msg[at] != '^' && msg[at] != '\t') {
        auto [e2, n2] = header_line(msg, at, k_max_line2);
        std::string_view line2 = msg.substr(at, e2 == npos ? 0 : e2 - at);
        if (e2 == npos || !parse_line2(line2, ctx.prof.anpa_date_day_first, h, s))
            read_line2_loose(line2, ctx.prof.anpa_date_day_first, h, s);
        at = e2 == npos ? at : n2;
    } else {
        s.wire.warn("layout_guessed", "no priority/category/slug header line");
    }
    while (at < msg.size() && (msg[at] == '\r' || msg[at] == '\n')) ++at;
    if (at < msg.size() && msg[at] == k_stx)
        ++at;
    else
        s.wire.warn("layout_guessed", "no STX after the header: the text starts on the next line");
    framed f;
    std::size_t etx = msg.find(k_etx, at);
    if (etx == npos) {
        s.wire.warn("unterminated", "no ETX: the message is cut off; its text read to the end");
        std::size_t end = msg.size();
        while (end > at && padding(msg[end - 1])) --end;
        f.text = msg.substr(at, end - at);
        f.end = msg.size();
    } else {
        std::size_t tend = etx + 1;
        while (tend < msg.size() && tend - etx < 80 &&
               std::string_view("\r\n\f\x04\x16").find(msg[tend]) == npos)
            ++tend;  // the trailer runs to the end of its line
        f.text = msg.substr(at, etx - at);
        f.trailer = trim(msg.substr(etx + 1, tend - etx - 1));
        f.end = tend;
    }
    return f;
}

// Date and identity. The trailer is the only full date-time. AP's filing date is the desk's
// (Eastern) date, so filing date + trailer time would be a day off around midnight GMT; use the
// trailer's own. ANPA carries no story id (story numbers wrap daily and change per take). The
// slug keyword stays the same across writethrus, corrections and kills, and AP reuses slugs on
// other days, so agency + filing date + keyword identifies the story; without a keyword, the
// story number + date; without any date, core's hash rule.
void set_identity(const header& h, std::string_view trailer, story& s, const decode_context& ctx) {
    auto sent = parse_trailer(trailer);
    char buf[16] = "";
    int month = h.month, day = h.day;
    if (sent) {
        s.versioncreated = sent->rfc3339();
        int y = sent->year + (month == 12 && sent->month == 1 ? -1 : 0) +
                (month == 1 && sent->month == 12 ? 1 : 0);
        if (month && day > days_in_month(y, month)) {
            s.wire.warn("bad_date", "filing date has no such day in " + std::to_string(y));
            month = 0;
        }
        if (!month) month = sent->month, day = sent->day;
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, month, day);
    } else {
        if (month) std::snprintf(buf, sizeof buf, "--%02d-%02d", month, day);  // ISO 8601 sans year
        s.wire.warn("no_version_time", "no transmission trailer: no version time, no year");
    }
    std::string date = buf;
    std::string key = h.keyword.empty() ? h.sequence : h.keyword;
    if (date.empty() || trim(key).empty()) return;
    std::string agency = h.provider.empty() ? "" : ascii_lower(h.provider) + ":";
    s.uri = (agency.empty() ? ctx.prof.uri_prefix : "urn:wiregate:" + agency) + "anpa:" + date +
            ":" + key;
    s.wire.warn("id_derived",
                h.keyword.empty()
                    ? "no keyword (slug): uri from the story number and date"
                    : "uri from the agency, filing date and keyword (ANPA has no id)");
}

// Lifecycle: version field, Eds: notes and marker lines; y = rerun, category v = advisory.
// Version: nthLd -> n + 1; no version field (or a non-lifecycle one like APNewsAlert) -> 1;
// "Correction"/"Kill" without a number is a later version we cannot number: left out rather
// than "1", which would collide with the original.
void set_lifecycle(const header& h, const text_out& t, story& s) {
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
    auto own = signal_from_text(h.version);
    if (int n = lead_number(h.version); n > 0)
        s.version = std::to_string(n + 1);
    else if (!own || *own == signal_kind::advisory || *own == signal_kind::repeat)
        s.version = "1";
    if (s.version == "1") s.firstcreated = s.versioncreated;
}

// The story from a framed message's header and text. Text that is only notes or marker lines
// (a kill) is the body too, so nothing is lost.
item_result finish(const framed& f, header& h, story& s, std::size_t soh,
                   const decode_context& ctx) {
    text_out t{std::string(f.trailer), "", ""};
    parse_text(f.text, h, s, t);
    if (s.body_text.empty() && s.body_html.empty() && s.headlines.empty()) {
        std::string notes = !t.notes.empty()     ? t.notes
                            : !t.markers.empty() ? t.markers
                                                 : t.keyword_line;  // a message cut to its slug
        if (notes.empty())
            return adapter_error{
                story_errc::malformed,
                "the message holds no text (message at byte " + std::to_string(soh) + ")", soh, ""};
        s.headlines.push_back({"main", "text/plain", telex::first_sentence(notes)});
        s.wire.warn("headline_guessed", "the text is only notes: headline taken from them");
    }
    if (s.body_text.empty() && s.body_html.empty())
        s.body_text = t.notes.empty() ? s.headlines[0].value : t.notes;  // never empty
    s.ednote = t.notes;
    s.slugline = slugline(h.keyword, t.keyword_line, s);
    if (auto code = sport_subject(h.keyword); !code.empty())
        add_concept(s.subjects, code_concept("", code), 100);
    if (!h.words_text.empty())  // ninjs has no field for the declared count: kept as an altid
        s.altids.push_back({"wordcount", h.words_text});
    s.wire.priority = h.priority;
    s.wire.category = h.category;
    s.wire.sequence = h.sequence;
    s.wire.take_key = h.version;
    for (auto sel : split(h.selector, ' '))  // subscriber routing codes, e.g. "glbsm"
        if (!trim(sel).empty() && sel.find_first_not_of('-') != npos)
            s.wire.keywords.emplace_back(trim(sel));
    if (auto u = ctx.prof.anpa_priority.find(ascii_lower(h.priority));
        u != ctx.prof.anpa_priority.end())
        s.urgency = u->second;
    else
        s.wire.warn("urgency_unmapped", "unknown ANPA priority '" + h.priority + "'; no urgency");
    if (!h.provider.empty()) {  // Kyodo and UPI name themselves after the story number
        s.wire.agency = ascii_lower(h.provider);
        s.infosources.push_back({h.provider, "", "", "", "source"});
    }
    set_identity(h, t.trailer, s, ctx);
    set_lifecycle(h, t, s);
    // The header count covers the whole text; far fewer words in the body means a lost tail.
    int ours = count_words(s.body_text.empty() ? s.body_html : s.body_text);
    if (h.words >= 100 && ours * 4 < h.words)
        s.wire.warn("wordcount_mismatch", "header says " + std::to_string(h.words) +
                                              " words, the body has " + std::to_string(ours));
    return s;
}

item_result decode_message(std::string_view in, std::size_t soh, const decode_context& ctx,
                           std::size_t& next) {
    std::size_t stop = next_start(in, soh + 1);
    next = stop == npos ? in.size() : stop;  // an error resumes at the next message
    std::string_view msg = in.substr(soh, next - soh);
    header h;
    story s;
    auto fr = read_frame(msg, soh, h, s, ctx);
    if (auto* e = std::get_if<adapter_error>(&fr)) return *e;
    const auto& f = std::get<framed>(fr);
    next = soh + f.end;
    return finish(f, h, s, soh, ctx);
}

// Copy without the SOH header line (a capture that lost it): the text from STX (or the start)
// to ETX (or the end); a second header line before STX is read when it is one.
item_result decode_headless(std::string_view in, const decode_context& ctx) {
    header h;
    story s;
    s.wire.warn("layout_guessed", "no SOH header line: the input read as one message");
    std::size_t stx = in.find(k_stx), from = stx == npos ? 0 : stx + 1;
    if (stx != npos)
        for (const auto& l : telex::line_texts(in.substr(0, stx)))
            if (parse_line2(trim(l), ctx.prof.anpa_date_day_first, h, s)) break;
    framed f;
    std::size_t etx = in.find(k_etx, from);
    f.text = in.substr(from, etx == npos ? npos : etx - from);
    std::string_view rest = etx == npos ? std::string_view() : in.substr(etx + 1);
    f.trailer = trim(rest.substr(0, std::min<std::size_t>(80, rest.find_first_of("\r\n\f\x04"))));
    return finish(f, h, s, 0, ctx);
}

std::vector<item_result> decode(std::string_view raw, const decode_context& ctx) {
    std::string kept;  // NUL, DEL, SUB and BEL are line noise, also inside the header lines
    for (char c : raw)
        if (c != '\0' && c != '\x7F' && c != '\x1A' && c != '\a') kept += c;
    std::string_view in = kept;
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
    if (out.empty() && in.find(k_soh) == npos && telex::has_prose(telex::line_texts(in)))
        out.push_back(decode_headless(in, ctx));
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

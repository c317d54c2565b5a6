// IPTC 7901 framing (docs/formats.md): SOH header, keyword line(s), STX text ETX,
// date-time group, EOT; or the same with the control characters stripped (dpa archives). Broken
// framing is read as far as it goes: no STX (the text follows the header and keyword lines), no
// ETX (the text runs to EOT or the end), no SOH (the copy opens the message), each a warning.
#include "iptc7901_framing.hpp"

#include <algorithm>
#include <cctype>
#include <regex>

#include "core/datetime.hpp"
#include "core/text.hpp"
#include "telex_common.hpp"

namespace wire::adapters::iptc7901 {
namespace {

constexpr auto npos = std::string_view::npos;

size_t garbage(std::string_view g) {
    return static_cast<size_t>(std::count_if(g.begin(), g.end(), [](char c) {
        return c != '\x7F' && c != '\0' && !std::isspace(static_cast<unsigned char>(c));
    }));
}

// One message between SOH (excluded) and the next SOH; `skipped` counts junk bytes before it and
// is set to the junk after its EOT.
message cut_message(std::string_view msg, size_t offset, size_t& skipped) {
    message m;
    m.offset = offset;
    if (skipped)
        m.warnings.push_back(
            {"junk_skipped", std::to_string(skipped) + " bytes before SOH skipped"});
    skipped = 0;
    size_t eot = msg.find('\x04');
    if (eot != npos) {
        skipped = garbage(msg.substr(eot + 1));
        msg = msg.substr(0, eot);
    }
    size_t stx = msg.find('\x02');
    size_t hdr_end = std::min(msg.find_first_of("\r\n"), stx);
    m.header = msg.substr(0, hdr_end);
    std::string_view body;
    if (stx != npos) {
        m.keywords = msg.substr(hdr_end, stx - hdr_end);
        body = msg.substr(stx + 1);
    } else {
        m.warnings.push_back({"layout_guessed",
                              "the message has no STX: its text is read from after the header "
                              "and keyword lines"});
        m.loose = true;
        if (hdr_end != npos) body = msg.substr(hdr_end);
    }
    size_t etx = body.find('\x03');
    if (etx == npos) {
        m.warnings.push_back({"unterminated", "the message has no ETX: text read to its end"});
        m.text = body;
    } else {
        if (eot == npos) m.warnings.push_back({"unterminated", "the message has no EOT"});
        m.text = body.substr(0, etx);
        std::string_view rest = body.substr(etx + 1);
        m.dtg = rest.substr(0, rest.find_first_of("\r\n"));
    }
    return m;
}

// SOH-framed input: a message runs from SOH to EOT (or the next SOH, or the end). With
// `soh` = npos (no SOH, but an STX) the input opens the one message.
std::variant<std::vector<message>, adapter_error> frame_controls(std::string_view s, size_t pos) {
    std::vector<message> out;
    size_t skipped = pos == npos ? 0 : garbage(s.substr(0, pos));
    for (bool first = true; first || pos != npos; first = false) {
        if (out.size() == k_max_messages)
            return adapter_error{story_errc::too_large,
                                 "more than " + std::to_string(k_max_messages) + " messages", pos,
                                 ""};
        size_t from = pos == npos ? 0 : pos + 1;
        size_t next = s.find('\x01', from);
        out.push_back(cut_message(s.substr(from, next == npos ? npos : next - from),
                                  pos == npos ? 0 : pos, skipped));
        if (pos == npos)
            out.back().warnings.push_back(
                {"layout_guessed", "no SOH: the copy is read as one message"});
        pos = next;
    }
    return out;
}

// Stripped copy: a message starts at a header line (first, or after a DTG line), keyword lines
// end with '/', the last line is the DTG. Copy that does not open with a header line is one
// headerless message up to the first header line.
std::variant<std::vector<message>, adapter_error> frame_stripped(std::string_view s) {
    std::vector<telex::text_line> ls;  // the non-blank lines, trimmed
    for (auto& l : telex::any_lines(s))
        if (!trim(l.text).empty()) ls.push_back({l.offset, std::string(trim(l.text))});
    std::vector<size_t> starts;
    for (size_t i = 0; i < ls.size(); ++i)
        if (stripped_header(ls[i].text) && (i == 0 || dtg_line(ls[i - 1].text)))
            starts.push_back(i);
    if (starts.empty() || starts[0] != 0) starts.insert(starts.begin(), 0);
    if (starts.size() > k_max_messages)
        return adapter_error{story_errc::too_large, "more than 1000 messages",
                             ls[starts[k_max_messages]].offset, ""};
    std::vector<message> out;
    for (size_t k = 0; k < starts.size() && !ls.empty(); ++k) {
        size_t b = starts[k], e = k + 1 < starts.size() ? starts[k + 1] : ls.size();
        message m;
        m.offset = ls[b].offset;
        bool headed = stripped_header(ls[b].text);  // else the copy opens with its text
        if (headed) m.header = ls[b].text;
        size_t i = headed ? b + 1 : b;
        for (; i < e && ls[i].text.back() == '/'; ++i) m.keywords += ls[i].text + "\n";
        if (e - 1 >= i && dtg_line(ls[e - 1].text)) m.dtg = ls[e - 1].text, --e;
        size_t from = i < e ? ls[i].offset : s.size(), to = e < ls.size() ? ls[e].offset : s.size();
        m.text = s.substr(from, to > from ? to - from : 0);
        out.push_back(std::move(m));
    }
    return out;
}

}  // namespace

// Lines are capped before matching, so std::regex cannot run away.
bool stripped_header(std::string_view l) {
    static const std::regex re(R"(^[a-z]{2,4}\d{3,4} \d [a-zA-Z]{1,3} \d+( .*)?$)");
    return l.size() <= 200 && std::regex_match(l.begin(), l.end(), re);
}

bool dtg_line(std::string_view l) { return l.size() <= 32 && parse_dtg(trim(l)).has_value(); }

std::variant<std::vector<message>, adapter_error> frame(std::string_view s) {
    if (size_t soh = s.find('\x01'); soh != npos) return frame_controls(s, soh);
    if (s.find('\x02') != npos) return frame_controls(s, npos);
    return frame_stripped(s);
}

}  // namespace wire::adapters::iptc7901

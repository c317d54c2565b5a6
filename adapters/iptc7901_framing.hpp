#pragma once
// IPTC 7901 framing: messages cut out of SOH-framed, STX-only or control-stripped copy. The
// story is read from each message by iptc7901.cpp.
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/story.hpp"

namespace wire::adapters::iptc7901 {

constexpr size_t k_max_messages = 1000;

// One message cut out of the framing.
struct message {
    std::string header;    // the first line: "<service><number> <priority> <category> <words>"
    std::string keywords;  // the lines between the header and STX
    std::string text;      // STX to ETX, or what stands for it
    std::string dtg;       // the line after ETX ("" when there is none)
    bool loose = false;    // no STX: keyword lines open `text`
    size_t offset = 0;     // of the message in the decoded input
    std::vector<warning> warnings;
};

/// A stripped dpa header line: "bdt0412 3 pl 60  dpa 0412".
bool stripped_header(std::string_view l);
/// A date-time group line: "101405 MSK JUL 17".
bool dtg_line(std::string_view l);

/// The messages of `s`: SOH-framed when it holds an SOH, STX-framed when it holds an STX,
/// otherwise control-stripped copy (a message starts at a header line; copy that opens with
/// none is one headerless message). An error only for too many messages.
std::variant<std::vector<message>, adapter_error> frame(std::string_view s);

}  // namespace wire::adapters::iptc7901

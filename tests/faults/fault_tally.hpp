#pragma once
// The count every fault scenario ends with: what the gateway accepted against what is in Kafka
// afterwards, per story uri (the message key), and the one-line FAULT-REPORT.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "story_load.hpp"

namespace wire::faults {

struct kafka_tally {
    std::size_t sent = 0;        // unique stories sent at least once
    std::size_t accepted = 0;    // unique stories with a 2xx acceptance
    std::size_t in_kafka = 0;    // distinct uris in the topic (accepted or not)
    std::size_t missing = 0;     // accepted, never seen in the topic
    std::size_t duplicates = 0;  // uris seen more than once (accepted or not)
    std::size_t messages = 0;    // messages read
    std::vector<std::string> missing_examples, duplicate_examples;  // the first few
    std::string describe() const;
};

/// Reads `topic` from the beginning until every accepted uri was seen, then to the high
/// watermarks of that moment (so late duplicates are counted too), or until `timeout`.
kafka_tally count_in_kafka(const std::string& brokers, const std::string& topic,
                           const std::vector<std::string>& sent,
                           const std::vector<std::string>& accepted,
                           std::chrono::milliseconds timeout = std::chrono::seconds(120));

/// Milliseconds from `from` to `to`, or -1 when `to` never happened.
long long ms_between(time_point from, const std::optional<time_point>& to);

/// Prints and returns `FAULT-REPORT scenario=… sent=… accepted=… in_kafka=… missing=…
/// duplicates=… recovery_ms=…`, then `FAULT-DETAIL scenario=… <detail>` when detail is given
/// (answers per status, when the fault struck: what one needs to read the numbers).
std::string fault_report(const std::string& scenario, const kafka_tally& t, long long recovery_ms,
                         const std::string& detail = "");

}  // namespace wire::faults

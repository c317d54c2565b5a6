#include "fault_tally.hpp"

#include <algorithm>
#include <iostream>
#include <map>

#include "gateway_test_env.hpp"
#include "kafka_cluster.hpp"
#include "kafka_test_env.hpp"

namespace wire::faults {
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

std::string kafka_tally::describe() const {
    auto list = [](const std::vector<std::string>& v) {
        std::string s;
        for (const auto& u : v) s += " " + u;
        return s;
    };
    return "read " + std::to_string(messages) +
           " messages; missing e.g.:" + list(missing_examples) +
           "; duplicated e.g.:" + list(duplicate_examples);
}

kafka_tally count_in_kafka(const std::string& brokers, const std::string& topic,
                           const std::vector<std::string>& sent,
                           const std::vector<std::string>& accepted,
                           std::chrono::milliseconds timeout) {
    kafka_tally t;
    t.sent = sent.size();
    t.accepted = accepted.size();
    kafka_admin admin(brokers);
    // Idempotent, non-transactional producers leave no control records: the messages in a
    // partition are exactly its offsets 0 .. high watermark - 1.
    auto messages_in_topic = [&] {
        std::size_t sum = 0;
        for (auto h : admin.high_watermarks(topic)) sum += h > 0 ? static_cast<std::size_t>(h) : 0;
        return sum;
    };
    const auto deadline = steady::now() + timeout;
    std::map<std::string, std::size_t> seen;
    for (;;) {
        const std::size_t total = messages_in_topic();
        const auto left = std::max<std::chrono::milliseconds>(
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now()), 1s);
        auto msgs = testing::consume(brokers, topic, total, left);
        seen.clear();
        // Keys are "<agency>:<uri>": count per uri.
        for (const auto& m : msgs) ++seen[m.key.substr(m.key.find(':') + 1)];
        t.messages = msgs.size();
        const bool all_seen = std::all_of(accepted.begin(), accepted.end(),
                                          [&](const std::string& u) { return seen.count(u); });
        if ((all_seen && msgs.size() >= total) || steady::now() >= deadline) break;
        // Something accepted is not there yet (a spool replaying, a partition without a
        // leader): read again once the topic has grown, within the same deadline.
        testing::eventually(
            [&] { return messages_in_topic() > total; },
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now()));
    }
    t.in_kafka = seen.size();
    for (const auto& u : accepted)
        if (!seen.count(u) && ++t.missing <= 5) t.missing_examples.push_back(u);
    for (const auto& [uri, n] : seen)
        if (n > 1 && ++t.duplicates <= 5)
            t.duplicate_examples.push_back(uri + " x" + std::to_string(n));
    return t;
}

long long ms_between(time_point from, const std::optional<time_point>& to) {
    if (!to) return -1;
    return std::chrono::duration_cast<std::chrono::milliseconds>(*to - from).count();
}

std::string fault_report(const std::string& scenario, const kafka_tally& t, long long recovery_ms,
                         const std::string& detail) {
    std::string line =
        "FAULT-REPORT scenario=" + scenario + " sent=" + std::to_string(t.sent) +
        " accepted=" + std::to_string(t.accepted) + " in_kafka=" + std::to_string(t.in_kafka) +
        " missing=" + std::to_string(t.missing) + " duplicates=" + std::to_string(t.duplicates) +
        " recovery_ms=" + std::to_string(recovery_ms);
    std::cout << line << std::endl;
    if (!detail.empty())
        std::cout << "FAULT-DETAIL scenario=" << scenario << " " << detail << std::endl;
    return line;
}

}  // namespace wire::faults

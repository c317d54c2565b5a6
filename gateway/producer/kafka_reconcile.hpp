#pragma once
// Reconciliation before a replay: which spooled messages did Kafka already take?
//
// After a crash (or a producer rebuild) the spool holds records Kafka may have acknowledged
// without the gateway hearing it. Every message the gateway produces carries a
// `wiregate-record` header naming its spool record; reading the topics back from the oldest
// such record's time tells which ones landed, so a replay re-sends only the missing ones and
// no version is published twice. Blocks up to `timeout`: call it off the I/O threads.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "producer/kafka_producer.hpp"

namespace wire::producer {

inline constexpr const char* k_record_header = "wiregate-record";

struct reconcile_result {
    std::set<std::pair<std::string, std::string>> found;  // (topic, record header value)
    std::size_t messages_read = 0;
    std::string error;  // "" when every partition was read up to its high watermark
};

/// True for the librdkafka properties that say how to reach and authenticate to the brokers
/// (bootstrap, security, SASL, SSL, socket…): what a reader of the same cluster must share with
/// the producer, as opposed to producing settings.
bool is_connection_property(const std::string& key);

/// Reads every partition of `topics` from the first offset at or after `since_ms` (unix ms)
/// up to the high watermark as it stood when called. `props` are the producer's properties;
/// only connection and security settings are taken from them. Gives up (with an error) when
/// `*cancel` turns true, checked at least every half second.
reconcile_result find_records(const kafka_properties& props, const std::vector<std::string>& topics,
                              std::int64_t since_ms, std::chrono::milliseconds timeout,
                              const std::atomic<bool>* cancel = nullptr);

}  // namespace wire::producer

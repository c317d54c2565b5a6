#pragma once
// Helpers for integration tests against the real broker that scripts/kafka starts.
// No mocks: topics are created with the Admin API and read back with a plain consumer.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wire::testing {

/// $WIREGATE_TEST_BROKERS, or the single node of `scripts/kafka start` (127.0.0.1:19092).
std::string test_brokers();

/// A topic name no earlier run used: tests never depend on what an old run left behind.
std::string unique_topic(std::string_view prefix);

/// Creates a topic and waits until every partition has a leader. Returns "" or the error.
std::string create_topic(const std::string& brokers, const std::string& topic, int partitions,
                         int replication_factor);

/// Produces one message (with headers) and waits for the broker's acknowledgement.
void produce_one(const std::string& brokers, const std::string& topic, const std::string& key,
                 const std::string& value,
                 const std::vector<std::pair<std::string, std::string>>& headers);

struct consumed_message {
    std::string topic;
    std::int32_t partition = -1;
    std::int64_t offset = -1;
    std::string key;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string value;
};

/// Reads every partition of `topic` from the beginning until `expected` messages arrived or
/// `timeout` passed (then returns what it has, so the test's assertion says what is missing).
std::vector<consumed_message> consume(const std::string& brokers, const std::string& topic,
                                      std::size_t expected, std::chrono::milliseconds timeout);

}  // namespace wire::testing

#pragma once
// The few Admin/metadata calls the gateway makes on its producer handle: which topics exist
// (readiness) and creating the allow-listed ones that are missing (local set-ups, tests).
// All calls block up to their timeout: call them off the I/O threads.
#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <librdkafka/rdkafka.h>

namespace wire::producer {

/// Topic names the cluster reports, or nullopt with `error` when no broker answered in time.
std::optional<std::set<std::string>> list_topics(rd_kafka_t* rk, std::chrono::milliseconds timeout,
                                                 std::string& error);

/// Creates the topics of `names` that do not exist yet. Returns "" or the first error.
std::string create_missing_topics(rd_kafka_t* rk, const std::vector<std::string>& names,
                                  int partitions, int replication_factor,
                                  std::chrono::milliseconds timeout);

}  // namespace wire::producer

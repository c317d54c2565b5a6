#pragma once
// The Kafka side of a fault scenario: a cluster of its own started by scripts/kafka, and the
// admin calls a scenario needs (topic with min.insync.replicas, leaders, high watermarks).
// Real brokers only: the faults are real process kills, not a mock that pretends to fail.
#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace wire::faults {

/// Port bases of the fault clusters. The integration tests' broker (19092) and the default
/// 3-node cluster (29092) are someone else's: a fault test never stops or kills them.
inline constexpr int k_single_node_port_base = 39092;
inline constexpr int k_three_node_port_base = 49092;

/// A cluster started fresh by `scripts/kafka start` with WIREGATE_KAFKA_PORT_BASE, stopped by
/// the destructor (also when an assertion failed). A cluster left behind by a crashed earlier
/// run on the same base is stopped first: that base belongs to the fault tests alone.
class kafka_cluster {
  public:
    kafka_cluster(int nodes, int port_base);  // throws std::runtime_error with the script's log
    ~kafka_cluster();
    kafka_cluster(const kafka_cluster&) = delete;
    kafka_cluster& operator=(const kafka_cluster&) = delete;

    const std::string& bootstrap() const { return bootstrap_; }
    int nodes() const { return nodes_; }
    /// kill -9 of node n (its broker id); returns when the process is gone.
    void kill_node(int n);
    /// Starts node n again on its existing data; returns when its listener is open.
    void start_node(int n);

  private:
    // Runs scripts/kafka with this cluster's base and node count; "" on success, else the log.
    std::string run(const std::string& args) const;
    int nodes_, port_base_;
    std::string bootstrap_;
    std::filesystem::path log_;
};

/// One librdkafka handle for metadata and admin requests against a fault cluster.
class kafka_admin {
  public:
    explicit kafka_admin(const std::string& brokers);
    /// Creates the topic and waits (30 s) until every partition has a leader. "" or the error.
    std::string create_topic(const std::string& topic, int partitions, int replication,
                             int min_insync_replicas);
    /// The leader broker id of each partition (-1: none or unknown), from fresh metadata.
    std::vector<int> leaders(const std::string& topic);
    /// The high watermark of each partition (-1 where the query failed).
    std::vector<std::int64_t> high_watermarks(const std::string& topic);

  private:
    std::unique_ptr<rd_kafka_t, decltype(&rd_kafka_destroy)> rk_;
};

}  // namespace wire::faults

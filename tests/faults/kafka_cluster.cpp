#include "kafka_cluster.hpp"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace wire::faults {
namespace fs = std::filesystem;

namespace {

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string tail_of(const fs::path& p, std::size_t bytes) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    return s.size() > bytes ? s.substr(s.size() - bytes) : s;
}

rd_kafka_t* new_handle(const std::string& brokers) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char err[512];
    // Critical messages only: refused connections to a node the test killed are the point.
    if (rd_kafka_conf_set(conf, "bootstrap.servers", brokers.c_str(), err, sizeof err) ||
        rd_kafka_conf_set(conf, "log_level", "2", err, sizeof err)) {
        rd_kafka_conf_destroy(conf);
        throw std::runtime_error(err);
    }
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        throw std::runtime_error(err);
    }
    return rk;
}

}  // namespace

kafka_cluster::kafka_cluster(int nodes, int port_base)
    : nodes_(nodes),
      port_base_(port_base),
      log_(fs::temp_directory_path() /
           ("wiregate-faults-kafka-" + std::to_string(port_base) + ".log")) {
    std::ofstream(log_, std::ios::trunc);
    run("stop");  // whatever a crashed earlier run left on this base (ours alone)
    if (auto err = run("start"); !err.empty())
        throw std::runtime_error("scripts/kafka start failed:\n" + err);
    for (int n = 1; n <= nodes; ++n)
        bootstrap_ += (n > 1 ? "," : "") + std::string("127.0.0.1:") +
                      std::to_string(port_base + (n - 1) * 100);
}

kafka_cluster::~kafka_cluster() { run("stop"); }

void kafka_cluster::kill_node(int n) {
    if (auto err = run("kill-node " + std::to_string(n)); !err.empty())
        throw std::runtime_error("scripts/kafka kill-node failed:\n" + err);
}

void kafka_cluster::start_node(int n) {
    if (auto err = run("start-node " + std::to_string(n)); !err.empty())
        throw std::runtime_error("scripts/kafka start-node failed:\n" + err);
}

std::string kafka_cluster::run(const std::string& args) const {
    const std::string cmd = "WIREGATE_KAFKA_PORT_BASE=" + std::to_string(port_base_) + " " +
                            shell_quote(std::string(WIREGATE_SOURCE_DIR) + "/scripts/kafka") + " " +
                            args + " --nodes " + std::to_string(nodes_) + " >> " +
                            shell_quote(log_.string()) + " 2>&1 < /dev/null";
    const int rc = std::system(cmd.c_str());
    if (rc == 0) return "";
    return "`" + args + "` exited with " + std::to_string(rc) + "; log " + log_.string() + ":\n" +
           tail_of(log_, 4000);
}

kafka_admin::kafka_admin(const std::string& brokers) : rk_(new_handle(brokers), rd_kafka_destroy) {}

std::string kafka_admin::create_topic(const std::string& topic, int partitions, int replication,
                                      int min_insync_replicas) {
    char err[512];
    rd_kafka_NewTopic_t* nt =
        rd_kafka_NewTopic_new(topic.c_str(), partitions, replication, err, sizeof err);
    if (!nt) return err;
    const std::string isr = std::to_string(min_insync_replicas);
    rd_kafka_NewTopic_set_config(nt, "min.insync.replicas", isr.c_str());
    rd_kafka_queue_t* q = rd_kafka_queue_new(rk_.get());
    rd_kafka_CreateTopics(rk_.get(), &nt, 1, nullptr, q);
    rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 30000);
    std::string result;
    if (!ev) {
        result = "CreateTopics: no answer within 30 s";
    } else if (rd_kafka_event_error(ev)) {
        result = rd_kafka_event_error_string(ev);
    } else {
        size_t n = 0;
        const rd_kafka_topic_result_t** res =
            rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
        for (size_t i = 0; i < n; ++i)
            if (rd_kafka_topic_result_error(res[i]))
                result = rd_kafka_topic_result_error_string(res[i]);
    }
    if (ev) rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_NewTopic_destroy(nt);
    if (!result.empty()) return result;

    // The creation is acknowledged before every partition has an elected leader.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    for (;;) {
        auto l = leaders(topic);
        int with_leader = 0;
        for (int id : l) with_leader += id >= 0;
        if (static_cast<int>(l.size()) == partitions && with_leader == partitions) return "";
        if (std::chrono::steady_clock::now() > deadline)
            return "topic " + topic + " has partitions without a leader after 30 s";
        std::this_thread::sleep_for(std::chrono::milliseconds(50));  // poll interval
    }
}

std::vector<int> kafka_admin::leaders(const std::string& topic) {
    std::vector<int> out;
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk_.get(), topic.c_str(), nullptr);
    const rd_kafka_metadata_t* md = nullptr;
    if (rd_kafka_metadata(rk_.get(), 0, rkt, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            const auto& t = md->topics[0];
            out.assign(static_cast<std::size_t>(t.partition_cnt), -1);
            for (int i = 0; i < t.partition_cnt; ++i) {
                const auto& p = t.partitions[i];
                // A leader the cluster cannot reach is reported with an error: treat as none.
                if (p.id >= 0 && p.id < t.partition_cnt && p.err == RD_KAFKA_RESP_ERR_NO_ERROR)
                    out[static_cast<std::size_t>(p.id)] = p.leader;
            }
        }
        rd_kafka_metadata_destroy(md);
    }
    rd_kafka_topic_destroy(rkt);
    return out;
}

std::vector<std::int64_t> kafka_admin::high_watermarks(const std::string& topic) {
    const auto n = leaders(topic).size();
    std::vector<std::int64_t> out(n, -1);
    for (std::size_t p = 0; p < n; ++p) {
        std::int64_t low = 0, high = 0;
        if (rd_kafka_query_watermark_offsets(rk_.get(), topic.c_str(), static_cast<int>(p), &low,
                                             &high, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR)
            out[p] = high;
    }
    return out;
}

}  // namespace wire::faults

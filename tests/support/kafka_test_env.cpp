#include "kafka_test_env.hpp"

#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <stdexcept>

namespace wire::testing {
namespace {

using handle_ptr = std::unique_ptr<rd_kafka_t, decltype(&rd_kafka_destroy)>;

handle_ptr make_handle(rd_kafka_type_t type, const std::string& brokers) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char err[512];
    if (rd_kafka_conf_set(conf, "bootstrap.servers", brokers.c_str(), err, sizeof err) ||
        (type == RD_KAFKA_CONSUMER &&
         // librdkafka's assign() needs a group handle even when no offsets are committed
         (rd_kafka_conf_set(conf, "group.id", unique_topic("it.reader").c_str(), err, sizeof err) ||
          rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err)))) {
        rd_kafka_conf_destroy(conf);
        throw std::runtime_error(err);
    }
    rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof err);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        throw std::runtime_error(err);
    }
    return {rk, rd_kafka_destroy};
}

// Number of partitions with a leader, or -1 when the topic is unknown; `total` (when given)
// receives the number of partitions, led or not.
int partitions_with_leader(rd_kafka_t* rk, const std::string& topic, int* total = nullptr) {
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
    const rd_kafka_metadata_t* md = nullptr;
    int count = -1;
    if (rd_kafka_metadata(rk, 0, rkt, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            count = 0;
            if (total) *total = md->topics[0].partition_cnt;
            for (int i = 0; i < md->topics[0].partition_cnt; ++i)
                if (md->topics[0].partitions[i].leader >= 0) ++count;
        }
        rd_kafka_metadata_destroy(md);
    }
    rd_kafka_topic_destroy(rkt);
    return count;
}

}  // namespace

std::string test_brokers() {
    const char* env = std::getenv("WIREGATE_TEST_BROKERS");
    return env && *env ? env : "127.0.0.1:19092";
}

std::string unique_topic(std::string_view prefix) {
    static std::atomic<int> counter{0};
    auto now = std::chrono::system_clock::now().time_since_epoch();
    return std::string(prefix) + "." + std::to_string(getpid()) + "." +
           std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(now).count()) +
           "." + std::to_string(counter++);
}

std::string create_topic(const std::string& brokers, const std::string& topic, int partitions,
                         int replication_factor) {
    auto rk = make_handle(RD_KAFKA_PRODUCER, brokers);
    char err[512];
    rd_kafka_NewTopic_t* nt =
        rd_kafka_NewTopic_new(topic.c_str(), partitions, replication_factor, err, sizeof err);
    if (!nt) return err;
    rd_kafka_queue_t* q = rd_kafka_queue_new(rk.get());
    rd_kafka_CreateTopics(rk.get(), &nt, 1, nullptr, q);
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
            if (rd_kafka_topic_result_error(res[i]) &&
                rd_kafka_topic_result_error(res[i]) != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
                result = rd_kafka_topic_result_error_string(res[i]);
    }
    if (ev) rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_NewTopic_destroy(nt);
    if (!result.empty()) return result;

    // Creation is acknowledged before leaders are elected everywhere: wait for them (bounded).
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (partitions_with_leader(rk.get(), topic) < partitions) {
        if (std::chrono::steady_clock::now() > deadline)
            return "topic " + topic + " has partitions without a leader after 30 s";
        rd_kafka_poll(rk.get(), 100);
    }
    return "";
}

std::vector<consumed_message> consume(const std::string& brokers, const std::string& topic,
                                      std::size_t expected, std::chrono::milliseconds timeout) {
    auto rk = make_handle(RD_KAFKA_CONSUMER, brokers);
    // Every partition, led or not: a topic created a moment ago may still be electing a leader
    // for one of them, and skipping it would lose its messages from the count.
    // The gateway creates its topics in the background once Kafka answers: a topic may appear
    // a moment after the test starts reading, so wait for it within the same timeout.
    auto deadline = std::chrono::steady_clock::now() + timeout;
    int partitions = 0;
    while (partitions_with_leader(rk.get(), topic, &partitions) < 0 || partitions <= 0) {
        if (std::chrono::steady_clock::now() > deadline)
            throw std::runtime_error("consume: topic " + topic + " not found");
        rd_kafka_poll(rk.get(), 100);
    }
    // assign() without a group: no offsets are committed, nothing is shared between tests.
    rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; ++p)
        rd_kafka_topic_partition_list_add(parts, topic.c_str(), p)->offset =
            RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_resp_err_t assigned = rd_kafka_assign(rk.get(), parts);
    rd_kafka_topic_partition_list_destroy(parts);
    if (assigned) throw std::runtime_error(std::string("assign: ") + rd_kafka_err2str(assigned));

    std::vector<consumed_message> out;
    while (out.size() < expected && std::chrono::steady_clock::now() < deadline) {
        rd_kafka_message_t* m = rd_kafka_consumer_poll(rk.get(), 100);
        if (!m) continue;
        if (!m->err) {
            consumed_message c;
            c.topic = rd_kafka_topic_name(m->rkt);
            c.partition = m->partition;
            c.offset = m->offset;
            if (m->key) c.key.assign(static_cast<const char*>(m->key), m->key_len);
            if (m->payload) c.value.assign(static_cast<const char*>(m->payload), m->len);
            rd_kafka_headers_t* hdrs = nullptr;
            if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
                const char* name;
                const void* val;
                size_t size;
                for (size_t i = 0; !rd_kafka_header_get_all(hdrs, i, &name, &val, &size); ++i)
                    c.headers.emplace_back(name, std::string(static_cast<const char*>(val), size));
            }
            out.push_back(std::move(c));
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(rk.get());
    return out;
}

}  // namespace wire::testing

namespace wire::testing {

void produce_one(const std::string& brokers, const std::string& topic, const std::string& key,
                 const std::string& value,
                 const std::vector<std::pair<std::string, std::string>>& headers) {
    auto rk = make_handle(RD_KAFKA_PRODUCER, brokers);
    rd_kafka_headers_t* hs = rd_kafka_headers_new(headers.size());
    for (const auto& [k, v] : headers)
        rd_kafka_header_add(hs, k.data(), static_cast<ssize_t>(k.size()), v.data(),
                            static_cast<ssize_t>(v.size()));
    auto err = rd_kafka_producev(rk.get(), RD_KAFKA_V_TOPIC(topic.c_str()),
                                 RD_KAFKA_V_KEY(const_cast<char*>(key.data()), key.size()),
                                 RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(hs),
                                 RD_KAFKA_V_END);
    if (err) {
        rd_kafka_headers_destroy(hs);
        throw std::runtime_error(std::string("produce: ") + rd_kafka_err2str(err));
    }
    if (rd_kafka_flush(rk.get(), 30000) != RD_KAFKA_RESP_ERR_NO_ERROR)
        throw std::runtime_error("produce: not acknowledged within 30 s");
}

}  // namespace wire::testing

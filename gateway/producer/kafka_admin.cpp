#include "producer/kafka_admin.hpp"

#include <memory>

namespace wire::producer {

std::optional<std::set<std::string>> list_topics(rd_kafka_t* rk, std::chrono::milliseconds timeout,
                                                 std::string& error) {
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, nullptr, &md,
                                                static_cast<int>(timeout.count()));
    if (err) {
        error = rd_kafka_err2str(err);
        return std::nullopt;
    }
    std::set<std::string> names;
    for (int i = 0; i < md->topic_cnt; ++i)
        if (!md->topics[i].err) names.insert(md->topics[i].topic);
    rd_kafka_metadata_destroy(md);
    return names;
}

std::string create_missing_topics(rd_kafka_t* rk, const std::vector<std::string>& names,
                                  int partitions, int replication_factor,
                                  std::chrono::milliseconds timeout) {
    std::string error;
    auto existing = list_topics(rk, timeout, error);
    if (!existing) return "metadata: " + error;
    std::vector<rd_kafka_NewTopic_t*> todo;
    char errstr[512];
    for (const auto& n : names) {
        if (existing->count(n)) continue;
        rd_kafka_NewTopic_t* nt =
            rd_kafka_NewTopic_new(n.c_str(), partitions, replication_factor, errstr, sizeof errstr);
        if (!nt) {
            error = "topic " + n + ": " + errstr;
            break;
        }
        todo.push_back(nt);
    }
    if (error.empty() && !todo.empty()) {
        rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
        rd_kafka_CreateTopics(rk, todo.data(), todo.size(), nullptr, q);
        rd_kafka_event_t* ev = rd_kafka_queue_poll(q, static_cast<int>(timeout.count()));
        if (!ev) {
            error = "CreateTopics: no answer in time";
        } else if (rd_kafka_event_error(ev)) {
            error = rd_kafka_event_error_string(ev);
        } else {
            size_t n = 0;
            const rd_kafka_topic_result_t** res =
                rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
            for (size_t i = 0; i < n && error.empty(); ++i) {
                auto e = rd_kafka_topic_result_error(res[i]);
                if (e && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
                    error = std::string("topic ") + rd_kafka_topic_result_name(res[i]) + ": " +
                            rd_kafka_topic_result_error_string(res[i]);
            }
        }
        if (ev) rd_kafka_event_destroy(ev);
        rd_kafka_queue_destroy(q);
    }
    for (auto* nt : todo) rd_kafka_NewTopic_destroy(nt);
    return error;
}

}  // namespace wire::producer

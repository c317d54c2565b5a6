#include "cli/kafka_reader.hpp"

#include <unistd.h>

#include <chrono>
#include <map>

#include "config/config.hpp"
#include "producer/kafka_reconcile.hpp"

namespace wire::gateway::cli {
namespace {

// What the consumer needs beyond our own settings: the brokers and the connection and security
// properties of a gateway config, then each -X key=value. "" or what is wrong.
std::string kafka_settings(const kafka_source& o, producer::kafka_properties& out) {
    out["bootstrap.servers"] = o.brokers;
    if (!o.config_file.empty()) {
        auto loaded = config::load_config(o.config_file);
        if (!loaded.config) {
            const auto& p = loaded.problems.front();
            return o.config_file + ": " + (p.path.empty() ? "" : p.path + ": ") + p.message;
        }
        if (!o.brokers_given) out["bootstrap.servers"] = loaded.config->kafka.brokers;
        for (const auto& [k, v] : loaded.config->kafka.properties)
            if (producer::is_connection_property(k) && k != "client.id") out[k] = v;
    }
    for (const auto& kv : o.properties) {
        const auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0) return "-X " + kv + ": expected key=value";
        out[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    return {};
}

// The partitions of a topic, or what went wrong.
std::string partitions_of(rd_kafka_t* rk, const std::string& topic, int& count) {
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
    const rd_kafka_metadata_t* md = nullptr;
    auto err = rd_kafka_metadata(rk, 0, rkt, &md, 10000);
    rd_kafka_topic_destroy(rkt);
    if (err) return std::string("cannot read metadata: ") + rd_kafka_err2str(err);
    std::string error;
    count = 0;
    if (md->topic_cnt != 1)
        error = "no metadata for the topic";
    else if (md->topics[0].err)
        error = rd_kafka_err2str(md->topics[0].err);
    else
        count = md->topics[0].partition_cnt;
    rd_kafka_metadata_destroy(md);
    if (error.empty() && count <= 0) error = "the topic has no partitions";
    return error;
}

}  // namespace

consumer_ptr make_consumer(const kafka_source& source, const std::string& group,
                           bool from_beginning, std::string& error) {
    producer::kafka_properties extra;
    if (error = kafka_settings(source, extra); !error.empty()) return {nullptr, rd_kafka_destroy};
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char err[512];
    // librdkafka's consumer needs a group id even for assign(); without a group nothing is
    // committed, so a throwaway one is enough.
    const std::string group_id =
        group.empty() ? source.client_id + "-" + std::to_string(getpid()) + "-" +
                            std::to_string(std::chrono::system_clock::now().time_since_epoch() /
                                           std::chrono::milliseconds(1))
                      : group;
    producer::kafka_properties settings = {
        {"client.id", source.client_id},
        {"group.id", group_id},
        {"enable.auto.commit", group.empty() ? "false" : "true"},
        {"auto.offset.reset", from_beginning ? "earliest" : "latest"},
    };
    for (const auto& [k, v] : extra) settings[k] = v;
    for (const auto& [k, v] : settings) {
        if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
            rd_kafka_conf_destroy(conf);
            error = "kafka property '" + k + "': " + err;
            return {nullptr, rd_kafka_destroy};
        }
    }
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        error = err;
        return {nullptr, rd_kafka_destroy};
    }
    return {rk, rd_kafka_destroy};
}

std::string assign_all(rd_kafka_t* rk, const std::string& topic, bool from_beginning) {
    int partitions = 0;
    if (auto error = partitions_of(rk, topic, partitions); !error.empty()) return error;
    auto* list = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; ++p)
        rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset =
            from_beginning ? RD_KAFKA_OFFSET_BEGINNING : RD_KAFKA_OFFSET_END;
    auto err = rd_kafka_assign(rk, list);
    rd_kafka_topic_partition_list_destroy(list);
    return err ? std::string("assign: ") + rd_kafka_err2str(err) : std::string();
}

message_headers headers_of(const rd_kafka_message_t* m) {
    message_headers out;
    rd_kafka_headers_t* hs = nullptr;
    if (rd_kafka_message_headers(m, &hs) != RD_KAFKA_RESP_ERR_NO_ERROR || !hs) return out;
    const char* name;
    const void* value;
    size_t size;
    for (size_t i = 0; rd_kafka_header_get_all(hs, i, &name, &value, &size) == 0; ++i)
        out.emplace_back(name, value ? std::string(static_cast<const char*>(value), size) : "");
    return out;
}

std::string header(const message_headers& hs, std::string_view name) {
    for (const auto& [k, v] : hs)
        if (k == name) return v;
    return {};
}

std::string read_to_end(const kafka_source& source, const std::string& topic, int timeout_ms,
                        const std::function<bool(const topic_message&)>& each) {
    std::string error;
    kafka_source with_eof = source;  // EOF events end partitions whose last offsets hold no
    with_eof.properties.insert(with_eof.properties.begin(), "enable.partition.eof=true");
    auto rk = make_consumer(with_eof, "", true, error);  // message (transaction markers)
    if (!rk) return error;
    int partitions = 0;
    if (error = partitions_of(rk.get(), topic, partitions); !error.empty()) return error;
    std::map<int32_t, int64_t> remaining;  // partition -> end offset still to reach
    for (int32_t p = 0; p < partitions; ++p) {
        int64_t low = 0, high = 0;
        auto err =
            rd_kafka_query_watermark_offsets(rk.get(), topic.c_str(), p, &low, &high, timeout_ms);
        if (err) return std::string("end offsets: ") + rd_kafka_err2str(err);
        if (high > low) remaining[p] = high;
    }
    if (remaining.empty()) return {};
    if (error = assign_all(rk.get(), topic, true); !error.empty()) return error;
    auto quiet_since = std::chrono::steady_clock::now();
    bool go_on = true;
    while (go_on && !remaining.empty()) {
        rd_kafka_message_t* m = rd_kafka_consumer_poll(rk.get(), 200);
        if (!m) {
            if (std::chrono::steady_clock::now() - quiet_since >
                std::chrono::milliseconds(timeout_ms)) {
                error = "no message for " + std::to_string(timeout_ms) + " ms before the end";
                break;
            }
            continue;
        }
        quiet_since = std::chrono::steady_clock::now();
        if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            auto it = remaining.find(m->partition);
            if (it != remaining.end() && m->offset < it->second) {
                go_on = each({m->partition, m->offset,
                              std::string_view(static_cast<const char*>(m->payload), m->len),
                              headers_of(m)});
                if (m->offset + 1 >= it->second) remaining.erase(it);
            }
        } else if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            remaining.erase(m->partition);
        } else {
            error = rd_kafka_message_errstr(m);
            go_on = false;
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(rk.get());
    return error;
}

}  // namespace wire::gateway::cli

#include "producer/kafka_reconcile.hpp"

#include <map>
#include <memory>
#include <random>

namespace wire::producer {
namespace {

using clock = std::chrono::steady_clock;

struct handle_deleter {
    void operator()(rd_kafka_t* rk) const {
        rd_kafka_consumer_close(rk);
        rd_kafka_destroy(rk);
    }
};
using consumer_ptr = std::unique_ptr<rd_kafka_t, handle_deleter>;
using list_ptr = std::unique_ptr<rd_kafka_topic_partition_list_t,
                                 decltype(&rd_kafka_topic_partition_list_destroy)>;

consumer_ptr make_consumer(const kafka_properties& props, std::string& error) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char err[512];
    std::random_device rd;
    kafka_properties mine;
    for (const auto& [k, v] : props)
        if (is_connection_property(k)) mine[k] = v;
    // assign() needs a group id; nothing is committed, so a throwaway one shares nothing.
    mine["group.id"] = "wiregate-reconcile-" + std::to_string(rd());
    mine["enable.auto.commit"] = "false";
    mine["enable.partition.eof"] = "true";
    mine["auto.offset.reset"] = "earliest";
    for (const auto& [k, v] : mine)
        if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
            error = "kafka property '" + k + "': " + err;
            rd_kafka_conf_destroy(conf);
            return nullptr;
        }
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) {
        error = err;
        rd_kafka_conf_destroy(conf);
        return nullptr;
    }
    return consumer_ptr(rk);
}

int ms_left(clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
    return static_cast<int>(std::max<std::int64_t>(0, left.count()));
}

// Metadata of one topic, asked in slices of at most half a second so that a cancel (drain) is
// not held up by a broker that does not answer.
rd_kafka_resp_err_t topic_metadata(rd_kafka_t* rk, const std::string& topic,
                                   clock::time_point deadline, const std::atomic<bool>* cancel,
                                   const rd_kafka_metadata_t** md) {
    rd_kafka_topic_t* t = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__TIMED_OUT;
    while (ms_left(deadline) > 0 && !(cancel && cancel->load())) {
        err = rd_kafka_metadata(rk, 0, t, md, std::min(ms_left(deadline), 500));
        if (err != RD_KAFKA_RESP_ERR__TIMED_OUT && err != RD_KAFKA_RESP_ERR__TRANSPORT) break;
    }
    rd_kafka_topic_destroy(t);
    return err;
}

}  // namespace

bool is_connection_property(const std::string& key) {
    for (const char* prefix : {"bootstrap.servers", "security.", "sasl.", "ssl.", "socket.",
                               "broker.", "client.", "api.version"})
        if (key.rfind(prefix, 0) == 0) return true;
    return false;
}

reconcile_result find_records(const kafka_properties& props, const std::vector<std::string>& topics,
                              std::int64_t since_ms, std::chrono::milliseconds timeout,
                              const std::atomic<bool>* cancel) {
    reconcile_result out;
    const auto deadline = clock::now() + timeout;
    auto rk = make_consumer(props, out.error);
    if (!rk) return out;

    // Partitions of each topic, from metadata.
    list_ptr wanted(rd_kafka_topic_partition_list_new(16), rd_kafka_topic_partition_list_destroy);
    for (const auto& topic : topics) {
        const rd_kafka_metadata_t* md = nullptr;
        auto err = topic_metadata(rk.get(), topic, deadline, cancel, &md);
        if (err || md->topic_cnt != 1 || md->topics[0].err) {
            out.error = "metadata of " + topic + ": " +
                        rd_kafka_err2str(err ? err : (md ? md->topics[0].err : err));
            if (md) rd_kafka_metadata_destroy(md);
            return out;
        }
        for (int p = 0; p < md->topics[0].partition_cnt; ++p)
            rd_kafka_topic_partition_list_add(wanted.get(), topic.c_str(),
                                              md->topics[0].partitions[p].id)
                ->offset = since_ms;
        rd_kafka_metadata_destroy(md);
    }
    if (auto err = rd_kafka_offsets_for_times(rk.get(), wanted.get(), ms_left(deadline))) {
        out.error = std::string("offsets for times: ") + rd_kafka_err2str(err);
        return out;
    }

    // Read each partition from that offset up to its high watermark now: what was produced
    // before the crash is below it.
    list_ptr assign(rd_kafka_topic_partition_list_new(wanted->cnt),
                    rd_kafka_topic_partition_list_destroy);
    std::map<std::pair<std::string, std::int32_t>, std::int64_t> end;
    for (int i = 0; i < wanted->cnt; ++i) {
        const auto& tp = wanted->elems[i];
        if (tp.err) {
            out.error = std::string("offset of ") + tp.topic + ": " + rd_kafka_err2str(tp.err);
            return out;
        }
        std::int64_t low = 0, high = 0;
        if (auto err = rd_kafka_query_watermark_offsets(rk.get(), tp.topic, tp.partition, &low,
                                                        &high, ms_left(deadline))) {
            out.error = std::string("watermarks of ") + tp.topic + ": " + rd_kafka_err2str(err);
            return out;
        }
        // -1: no message at or after since_ms.
        if (tp.offset < 0 || tp.offset >= high) continue;
        rd_kafka_topic_partition_list_add(assign.get(), tp.topic, tp.partition)->offset = tp.offset;
        end[{tp.topic, tp.partition}] = high;
    }
    if (end.empty()) return out;
    if (auto err = rd_kafka_assign(rk.get(), assign.get())) {
        out.error = std::string("assign: ") + rd_kafka_err2str(err);
        return out;
    }
    while (!end.empty()) {
        if (cancel && cancel->load()) {
            out.error = "cancelled";
            return out;
        }
        if (ms_left(deadline) == 0) {
            out.error = "timed out reading " + std::to_string(end.size()) + " partition(s) back";
            return out;
        }
        rd_kafka_message_t* m = rd_kafka_consumer_poll(rk.get(), std::min(ms_left(deadline), 500));
        if (!m) continue;
        std::string topic = m->rkt ? rd_kafka_topic_name(m->rkt) : "";
        auto it = end.find({topic, m->partition});
        if (m->err && m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            out.error = std::string("reading ") + topic + ": " + rd_kafka_message_errstr(m);
            rd_kafka_message_destroy(m);
            return out;
        }
        if (!m->err) {
            ++out.messages_read;
            rd_kafka_headers_t* hdrs = nullptr;
            const void* v = nullptr;
            size_t n = 0;
            if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR &&
                rd_kafka_header_get_last(hdrs, k_record_header, &v, &n) ==
                    RD_KAFKA_RESP_ERR_NO_ERROR &&
                v)
                out.found.emplace(topic, std::string(static_cast<const char*>(v), n));
        }
        if (it != end.end() &&
            (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF || m->offset + 1 >= it->second))
            end.erase(it);
        rd_kafka_message_destroy(m);
    }
    return out;
}

}  // namespace wire::producer

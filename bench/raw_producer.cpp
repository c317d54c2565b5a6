// wiregate-raw-producer: the baseline the gateway is measured against. A bare librdkafka
// producer with the gateway's producer settings (kafka_producer.cpp's defaults plus the
// config's kafka.properties) producing the same envelopes (`wiregate normalize` output, one
// per line) with the same headers to the same topics, one poll thread like the gateway's.
//
//   wiregate-raw-producer --brokers 127.0.0.1:19092 --envelopes FILE --topics a,b,c
//       [--rate 500] [--stories 5000] [--run-id ID] [-X key=value ...]
//
// A story is one envelope sent to every topic of --topics (the gateway's route for it); it is
// delivered when the last of its messages is acknowledged. --rate 0: as fast as librdkafka
// takes them (max throughput); --rate N: scheduled at N stories/s, latency counted from the
// scheduled time. The last stdout line is `RESULT {json}`.
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using clock_type = std::chrono::steady_clock;

namespace {

struct story_state {
    clock_type::time_point due;
    std::atomic<int> left{0};
    std::atomic<bool> failed{false};
};

struct run_stats {
    std::vector<double> latency_ms;  // written by the poll thread only
    std::atomic<long> delivered{0}, failed{0};
    clock_type::time_point last_delivery;
};

run_stats* g_stats = nullptr;

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
    auto* st = static_cast<story_state*>(m->_private);
    if (m->err) st->failed = true;
    if (--st->left > 0) return;
    auto now = clock_type::now();
    if (st->failed) {
        ++g_stats->failed;
    } else {
        g_stats->latency_ms.push_back(
            std::chrono::duration<double, std::milli>(now - st->due).count());
        ++g_stats->delivered;
    }
    g_stats->last_delivery = now;
}

std::string json_field(const std::string& json, const std::string& name) {
    std::string key = "\"" + name + "\":\"";
    size_t p = json.find(key);
    if (p == std::string::npos) return {};
    p += key.size();
    return json.substr(p, json.find('"', p) - p);
}

}  // namespace

int main(int argc, char** argv) {
    std::string brokers = "127.0.0.1:19092", envelopes_file, topics_arg, run_id = "raw";
    double rate = 0;
    long stories = 5000;
    // The gateway's producer: default_producer_properties() then the config's kafka.properties.
    std::map<std::string, std::string> props{
        {"enable.idempotence", "true"},  {"acks", "all"},
        {"compression.type", "lz4"},     {"linger.ms", "5"},
        {"message.timeout.ms", "30000"}, {"client.id", "wiregate-raw"}};
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i], v = argv[i + 1];
        if (k == "--brokers")
            brokers = v;
        else if (k == "--envelopes")
            envelopes_file = v;
        else if (k == "--topics")
            topics_arg = v;
        else if (k == "--rate")
            rate = std::atof(v.c_str());
        else if (k == "--stories")
            stories = std::atol(v.c_str());
        else if (k == "--run-id")
            run_id = v;
        else if (k == "-X")
            props[v.substr(0, v.find('='))] = v.substr(v.find('=') + 1);
        else {
            std::fprintf(stderr, "wiregate-raw-producer: unknown option %s\n", k.c_str());
            return 2;
        }
    }
    std::vector<std::string> envelopes, topics;
    std::ifstream in(envelopes_file);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) envelopes.push_back(line);
    for (size_t p = 0; p <= topics_arg.size();) {
        size_t c = topics_arg.find(',', p);
        if (c == std::string::npos) c = topics_arg.size();
        if (c > p) topics.push_back(topics_arg.substr(p, c - p));
        p = c + 1;
    }
    if (envelopes.empty() || topics.empty()) {
        std::fprintf(stderr,
                     "wiregate-raw-producer: --envelopes (non-empty) and --topics are required\n");
        return 2;
    }
    props["bootstrap.servers"] = brokers;
    char err[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    for (const auto& [k, v] : props)
        if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
            std::fprintf(stderr, "wiregate-raw-producer: %s: %s\n", k.c_str(), err);
            return 2;
        }
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) {
        std::fprintf(stderr, "wiregate-raw-producer: %s\n", err);
        return 2;
    }
    run_stats stats;
    stats.latency_ms.reserve(static_cast<size_t>(stories));
    g_stats = &stats;
    std::atomic<bool> stop{false};
    std::thread poller([&] {
        while (!stop) rd_kafka_poll(rk, 100);
    });

    // Warm-up, as the gateway's warm-up request: metadata, connections and the idempotent
    // producer id are in place before the clock starts.
    {
        story_state warm;
        warm.due = clock_type::now();
        warm.left = static_cast<int>(topics.size());
        for (const auto& topic : topics)
            rd_kafka_producev(
                rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_KEY("warmup", 6),
                RD_KAFKA_V_VALUE(const_cast<char*>(envelopes[0].data()), envelopes[0].size()),
                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(&warm), RD_KAFKA_V_END);
        rd_kafka_flush(rk, 30000);
        while (warm.left > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        stats.latency_ms.clear();
        stats.delivered = 0;
    }
    std::vector<std::unique_ptr<story_state>> states;
    states.reserve(static_cast<size_t>(stories));
    const auto start = clock_type::now();
    long queue_full = 0;
    for (long n = 0; n < stories; ++n) {
        const std::string& value = envelopes[static_cast<size_t>(n) % envelopes.size()];
        // A new key per story, as the loadgen gives the gateway a new uri per story.
        std::string key = json_field(value, "uri") + "-" + run_id + "-" + std::to_string(n);
        auto due = rate > 0
                       ? start + std::chrono::duration_cast<clock_type::duration>(
                                     std::chrono::duration<double>(static_cast<double>(n) / rate))
                       : clock_type::now();
        if (rate > 0) std::this_thread::sleep_until(due);
        auto st = std::make_unique<story_state>();
        st->due = due;
        st->left = static_cast<int>(topics.size());
        std::vector<std::pair<std::string, std::string>> headers{
            {"agency", json_field(value, "agency")},
            {"feed", json_field(value, "feed")},
            {"format", json_field(value, "format")},
            {"signal", json_field(value, "signal")},
            {"urgency", "3"},
            {"version", json_field(value, "version")},
            {"schema", "wiregate.story/1"},
            {"content-type", "application/json"}};
        for (const auto& topic : topics) {
            rd_kafka_headers_t* hdrs = rd_kafka_headers_new(headers.size());
            for (const auto& [hk, hv] : headers)
                rd_kafka_header_add(hdrs, hk.data(), static_cast<ssize_t>(hk.size()), hv.data(),
                                    static_cast<ssize_t>(hv.size()));
            for (;;) {
                auto e = rd_kafka_producev(
                    rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_KEY(key.data(), key.size()),
                    RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(hdrs),
                    RD_KAFKA_V_OPAQUE(st.get()), RD_KAFKA_V_END);
                if (e == RD_KAFKA_RESP_ERR_NO_ERROR) break;
                if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                    std::fprintf(stderr, "produce: %s\n", rd_kafka_err2str(e));
                    return 1;
                }
                ++queue_full;
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
        }
        states.push_back(std::move(st));
    }
    rd_kafka_flush(rk, 60000);
    stop = true;
    poller.join();
    while (rd_kafka_outq_len(rk) > 0) rd_kafka_poll(rk, 100);
    rd_kafka_destroy(rk);

    double secs = std::chrono::duration<double>(stats.last_delivery - start).count();
    auto& lat = stats.latency_ms;
    std::sort(lat.begin(), lat.end());
    auto pct = [&](double p) {
        return lat.empty()
                   ? 0.0
                   : lat[std::min(lat.size() - 1,
                                  static_cast<size_t>(p * static_cast<double>(lat.size())))];
    };
    std::printf(
        "raw producer %s: %ld stories x %zu topics delivered in %.2f s: %.0f stories/s; "
        "delivery latency ms p50 %.2f p99 %.2f p99.9 %.2f max %.2f\n",
        rate > 0 ? "open loop" : "max throughput", stats.delivered.load(), topics.size(), secs,
        static_cast<double>(stats.delivered.load()) / secs, pct(0.5), pct(0.99), pct(0.999),
        lat.empty() ? 0.0 : lat.back());
    std::printf(
        "RESULT {\"rate\":%.1f,\"stories\":%ld,\"topics\":%zu,\"delivered\":%ld,"
        "\"failed\":%ld,\"queue_full\":%ld,\"secs\":%.3f,\"stories_per_s\":%.1f,"
        "\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"p999_ms\":%.3f,\"max_ms\":%.3f}\n",
        rate, stories, topics.size(), stats.delivered.load(), stats.failed.load(), queue_full, secs,
        static_cast<double>(stats.delivered.load()) / secs, pct(0.5), pct(0.99), pct(0.999),
        lat.empty() ? 0.0 : lat.back());
    return stats.failed == 0 && stats.delivered == stories ? 0 : 1;
}

#pragma once
// pipeline: one submitted document (an HTTP body or a stream frame) → normalize → route →
// produce every item to every topic → one outcome, delivered once every delivery report is in.
// Listeners depend on this; this depends on adapters, routing and the producer, never on Asio.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "metrics/metrics.hpp"
#include "producer/kafka_producer.hpp"
#include "routing/router.hpp"

namespace wire::dedup {
class dedup_store;
}

namespace boost::asio {
class thread_pool;
}

namespace wire::pipeline {

enum class source_kind { http, stream };

struct submission {
    const config::feed_config* feed = nullptr;  // never null; owned by the live config
    std::string body;
    std::string content_type;  // HTTP only; "" for streams
    std::string received_at;   // RFC 3339 UTC
    source_kind source = source_kind::http;
    std::string peer;             // remote address, for logs
    std::string idempotency_key;  // HTTP Idempotency-Key header; "" = none
    // Set by a listener that knows the document is not whole (a telex frame cut by the end of
    // its connection): nothing is published; its raw bytes go to the dead-letter topic with
    // this reason and message.
    std::string dead_letter_reason;
    std::string dead_letter_message;
};

struct topic_ack {
    std::string topic;
    std::int32_t partition = -1;
    std::int64_t offset = -1;
};

/// What became of one story item; the names (to_string) are the HTTP answer's and the logs'.
enum class item_status {
    published,  // every routed topic acknowledged it
    spooled,    // on disk, Kafka not yet (it will be produced from the spool)
    held,       // embargoed, on disk until its time
    duplicate,  // this version was accepted before
    conflict,   // this version was accepted before with other content: dead-lettered
    rejected,   // refused (dead-lettered with the reason)
    failed,     // neither Kafka nor the spool took it: the sender must retry
};
std::string_view to_string(item_status s) noexcept;

struct item_outcome {
    std::string uri;
    std::string version;
    std::string headline;  // the main headline, so a sender can tell its items apart
    std::string signal;    // new | update | correction | kill | withhold | repeat | advisory
    item_status status = item_status::failed;
    std::vector<topic_ack> topics;
    std::string error_code;  // story_errc name, "unroutable", or a Kafka error name
    std::string error_message;
};

struct outcome {
    int http_status = 200;  // 200 all accepted, 207 mixed, 413/415/422, 503 (retry later)
    std::string format;     // the adapter that read it
    std::vector<item_outcome> items;
    /// The JSON answer body: {"feed","format","items":[{uri,version,status,topics:[…]}…]}.
    std::string to_json(const std::string& feed) const;
};

using completion = std::function<void(outcome)>;

/// The metrics the pipeline keeps (registered once in the shared registry).
struct pipeline_metrics {
    explicit pipeline_metrics(metrics::registry& r);
    metrics::counter_family& received;            // {feed}: items read from submissions
    metrics::counter_family& published;           // {feed}
    metrics::counter_family& rejected;            // {feed, reason}
    metrics::counter_family& duplicates;          // {feed}
    metrics::counter_family& conflicts;           // {feed}: same version, other content
    metrics::counter_family& warnings;            // {feed, code}: repairs made while reading
    metrics::counter_family& produce_errors;      // {code}
    metrics::histogram_family& delivery_latency;  // seconds, submit → last broker ack
};

/// Where the pipeline gets its moving parts. Each getter returns the current one: SIGHUP swaps
/// the router, a fatal producer error swaps the producer.
class delivery;
class inflight_versions;

struct pipeline_deps {
    std::function<std::shared_ptr<const routing::router>()> router;
    delivery* deliver = nullptr;          // never null; spool or straight to Kafka
    dedup::dedup_store* dedup = nullptr;  // null: no dedup window
    bool can_hold = false;                // a spool exists: embargoed stories may be held
    std::string gateway_instance;
    std::string gateway_version;
};

class pipeline {
  public:
    pipeline(pipeline_deps deps, metrics::registry& registry);
    ~pipeline();
    /// Normalises, routes and produces; `done` runs exactly once, on a producer thread or
    /// (when nothing reached Kafka) on the caller's thread. Never throws.
    void submit(submission s, completion done);

    /// Waits for the documents being read on the worker threads; no new one is taken after
    /// (drain, before the spool closes).
    void stop();

    /// Documents larger than this are read on the pipeline's worker threads, not the caller's.
    static constexpr std::size_t k_offload_bytes = 64u << 10;

  private:
    void process(submission s, completion done);
    pipeline_deps deps_;
    pipeline_metrics metrics_;
    std::unique_ptr<inflight_versions> inflight_owner_;
    inflight_versions& inflight_;
    std::unique_ptr<boost::asio::thread_pool> workers_;  // reads large documents
};

}  // namespace wire::pipeline

#pragma once
// delivery: how one accepted item reaches Kafka without being lost or doubled.
//
// With a spool: the item's messages are appended to the spool first; once durable they are
// produced, and the record is acked when Kafka acknowledged every message. The sender hears
// "published" when that happens within ack_wait, otherwise "spooled" (it is safe on disk and
// Kafka will get it); "held" when it is embargoed until later. Failed deliveries and, after a
// restart, every unacked record are replayed in spool order — after reading the topics back to
// skip what Kafka already has (producer/kafka_reconcile.hpp), so nothing is published twice.
// Without a spool: produce and answer after the last delivery report ("published"/"failed").
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "dedup/dedup_store.hpp"
#include "metrics/metrics.hpp"
#include "pipeline/pipeline.hpp"
#include "pipeline/spool_codec.hpp"
#include "producer/kafka_producer.hpp"
#include "spool/spool.hpp"

namespace wire::pipeline {

struct delivery_result {
    std::string status;  // published | spooled | held | failed
    std::vector<topic_ack> topics;
    std::string error_code, error_message;
};
using delivery_done = std::function<void(delivery_result)>;

struct delivery_deps {
    std::function<std::shared_ptr<producer::kafka_producer>()> producer;
    spool::spool* spool = nullptr;  // null: no spool
    std::chrono::milliseconds ack_wait{2000};
    std::string record_prefix;         // unique per spool directory; header value = prefix + seq
    producer::kafka_properties kafka;  // to read topics back (reconciliation)
    std::chrono::milliseconds reconcile_timeout{30000};
    // Spooled records' versions are claimed again at start: a claim written just before a
    // crash may not have reached dedup.log, while its record reached the spool.
    dedup::dedup_store* dedup = nullptr;
};

struct recovery_summary {
    std::size_t pending = 0, replayed = 0, already_in_kafka = 0, held = 0, unreadable = 0;
    std::string reconcile_error;  // "" or why the topics could not be read back
};

class delivery {
  public:
    delivery(delivery_deps deps, metrics::registry& registry);
    virtual ~delivery();  // stops the timer and forwarder threads
    delivery(const delivery&) = delete;
    delivery& operator=(const delivery&) = delete;

    /// `done` runs exactly once, on a spool, producer or timer thread. Virtual for the HTTP
    /// fuzzer only (tests/fuzz/http_fuzz.cpp), whose stand-in accepts without Kafka.
    virtual void deliver(spooled_item item, std::int64_t not_before_ms, delivery_done done);
    /// Startup, before listeners open: replays the spool's unacked records (see above).
    recovery_summary recover();
    /// Records waiting for their embargo to lift.
    std::size_t held() const;
    /// Stops the timer and forwarder threads (drain); callbacks still work afterwards.
    void stop();

  private:
    struct record_state;
    struct retry_entry {
        spooled_item item;
        std::vector<std::size_t> messages;  // indexes still to deliver
        std::int64_t spooled_at_ms = 0;
    };
    void on_appended(std::shared_ptr<record_state> st, spool::append_status s, std::uint64_t seq,
                     const std::string& error);
    void produce_record(const std::shared_ptr<record_state>& st);
    void on_report(const std::shared_ptr<record_state>& st, std::size_t index,
                   const producer::delivery_report& r);
    void answer(const std::shared_ptr<record_state>& st, delivery_result r);
    void timer_loop();
    void forwarder_loop();
    void replay(std::map<std::uint64_t, retry_entry> batch, recovery_summary* summary);

    delivery_deps deps_;
    metrics::counter_family& spooled_;        // {feed}: answered "spooled"
    metrics::counter_family& replayed_;       // messages produced again from the spool
    metrics::counter_family& reconciled_;     // messages found already in Kafka
    metrics::counter_family& undeliverable_;  // {code}: Kafka refused for good

    mutable std::mutex mu_;
    // One per thread: a story's deadline wakes the timer only when it becomes the earliest, and
    // nothing on the hot path wakes the forwarder (a wake-up per story on each cost a context
    // switch per story on two cores).
    std::condition_variable timer_cv_, forwarder_cv_;
    bool stop_ = false;
    std::multimap<std::chrono::steady_clock::time_point, std::weak_ptr<record_state>> deadlines_;
    std::map<std::uint64_t, std::pair<std::int64_t, spooled_item>>
        held_;  // seq → (not_before, item)
    std::map<std::uint64_t, retry_entry> retry_;
    std::thread timer_, forwarder_;
};

}  // namespace wire::pipeline

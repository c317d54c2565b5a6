#pragma once
// delivery: how one accepted item reaches Kafka without being lost or doubled.
//
// With a spool: the item's messages are appended to the spool first; once durable they are
// produced, and the record is acked when Kafka acknowledged every message. The sender hears
// "published" when that happens within ack_wait, otherwise "spooled" (it is safe on disk and
// Kafka will get it); "held" when it is embargoed until later. Failed deliveries and, after a
// restart, every unacked record are replayed in spool order — after reading the topics back to
// skip what Kafka already has (producer/kafka_reconcile.hpp), so nothing is published twice.
// When the topics cannot be read back (Kafka away), nothing is replayed: the check is retried
// until it succeeds, because replaying blind could publish a story twice.
//
// After a restart the gate is closed until the spool's records are reconciled and replayed:
// new records are appended to the spool and answered "spooled", but produced only once the
// gate opens, after the replayed ones, so a new version never overtakes an old one. The
// listeners can therefore open at once, Kafka or not.
// Without a spool: produce and answer after the last delivery report ("published"/"failed").
#include <atomic>
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
    item_status status = item_status::failed;  // published | spooled | held | failed
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

/// What a restart found in the spool, in stories (spool records), never in topic copies.
struct recovery_summary {
    std::size_t pending = 0;           // unacknowledged records found at start
    std::size_t replayed = 0;          // produced again (at least one of their messages)
    std::size_t already_in_kafka = 0;  // every message already in Kafka: not sent again
    std::size_t held = 0;              // still embargoed: wait in the spool
    std::size_t unreadable = 0;        // did not decode: logged and dropped
    std::size_t attempts = 0;          // reads of the topics back until one succeeded
    std::string reconcile_error;       // the last failed attempt's reason ("" = none failed)
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
    /// Startup, before listeners open: reads the spool's unacked records, claims their
    /// versions again and closes the gate until they are replayed (see above). Touches no
    /// broker, so it returns at once; the forwarder thread then reconciles, replays and opens
    /// the gate, retrying while Kafka cannot be read. Logs `spool_recovered` when done.
    recovery_summary load_spool();
    /// "" once the gate is open; otherwise what the replay after a restart waits for.
    std::string recovery_wait() const;
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
    /// Produces `batch` again after reading its topics back; false (batch left intact) when
    /// they could not be read, so nothing is sent on a guess.
    bool replay(std::map<std::uint64_t, retry_entry>& batch, recovery_summary* summary,
                std::chrono::milliseconds reconcile_timeout);
    /// One attempt of the replay after a restart; true once the gate is open.
    bool finish_recovery();

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
    // The restart's gate: while closed, records found at start wait in recovery_ and new ones
    // in deferred_ (neither produced yet).
    bool gate_closed_ = false;
    std::map<std::uint64_t, retry_entry> recovery_, deferred_;
    recovery_summary recovery_summary_;
    std::string recovery_error_;         // why the last attempt failed
    std::atomic<bool> stopping_{false};  // read by a reconciliation in progress
    std::thread timer_, forwarder_;
};

}  // namespace wire::pipeline

#include "pipeline/delivery.hpp"

#include <algorithm>
#include <set>

#include "clock/wall_clock.hpp"
#include "log/json_log.hpp"
#include "pipeline/delivery_record.hpp"
#include "producer/kafka_reconcile.hpp"

namespace wire::pipeline {
namespace {

using clock = std::chrono::steady_clock;

// Errors Kafka will answer the same way however often we retry: give up on the message
// (loudly) rather than replay it forever.
bool permanent(rd_kafka_resp_err_t e) {
    switch (e) {
        case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
        case RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE:
        case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
        case RD_KAFKA_RESP_ERR_INVALID_RECORD:
        case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
        case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
        case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
            return true;
        default:
            return false;
    }
}

}  // namespace

delivery::delivery(delivery_deps deps, metrics::registry& r)
    : deps_(std::move(deps)),
      spooled_(r.counter("wiregate_stories_spooled_total",
                         "Items answered \"spooled\": on disk, Kafka had not acknowledged yet",
                         {"feed"})),
      replayed_(r.counter("wiregate_spool_replayed_messages_total",
                          "Messages produced again from the spool (retries, restarts)", {})),
      reconciled_(r.counter("wiregate_spool_reconciled_messages_total",
                            "Spooled messages found already in Kafka, so not sent again", {})),
      undeliverable_(r.counter("wiregate_spool_undeliverable_total",
                               "Spooled messages Kafka refused for good, per error", {"code"})) {
    if (deps_.spool) {
        timer_ = std::thread([this] { timer_loop(); });
        forwarder_ = std::thread([this] { forwarder_loop(); });
    }
}

delivery::~delivery() { stop(); }

void delivery::stop() {
    stopping_ = true;
    {
        std::lock_guard lk(mu_);
        stop_ = true;
    }
    timer_cv_.notify_all();
    forwarder_cv_.notify_all();
    if (timer_.joinable()) timer_.join();
    if (forwarder_.joinable()) forwarder_.join();
}

std::size_t delivery::held() const {
    std::lock_guard lk(mu_);
    return held_.size();
}

void delivery::deliver(spooled_item item, std::int64_t not_before_ms, delivery_done done) {
    auto st = std::make_shared<record_state>();
    st->item = std::move(item);
    st->not_before_ms = not_before_ms;
    st->done = std::move(done);
    if (!deps_.spool) return produce_record(st);
    std::string payload = encode(st->item);
    deps_.spool->append(std::move(payload), not_before_ms,
                        [this, st](spool::append_status s, std::uint64_t seq,
                                   const std::string& error) { on_appended(st, s, seq, error); });
}

void delivery::on_appended(std::shared_ptr<record_state> st, spool::append_status s,
                           std::uint64_t seq, const std::string& error) {
    if (s != spool::append_status::ok) {
        delivery_result r;
        r.status = item_status::failed;
        r.error_code = s == spool::append_status::full ? "spool_full" : "spool_io_error";
        r.error_message = s == spool::append_status::full
                              ? "the spool is full; retry later"
                              : "the spool could not write the story: " + error;
        return answer(st, std::move(r));
    }
    st->seq = seq;
    st->spooled = true;
    st->spooled_at_ms = wallclock::unix_ms();
    if (st->not_before_ms > st->spooled_at_ms) {
        {
            std::lock_guard lk(mu_);
            held_.emplace(seq, std::make_pair(st->not_before_ms, st->item));
        }
        forwarder_cv_.notify_one();
        return answer(st, delivery_result{item_status::held, {}, {}, {}});
    }
    bool earliest = false, deferred = false;
    {
        std::lock_guard lk(mu_);
        if (gate_closed_) {
            // After a restart, until the spool's older records are replayed: they go first.
            std::vector<std::size_t> all(st->item.messages.size());
            for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
            deferred_.emplace(seq, retry_entry{st->item, std::move(all), 0});
            deferred = true;
        } else {
            const auto when = clock::now() + deps_.ack_wait;
            earliest = deadlines_.empty() || when < deadlines_.begin()->first;
            deadlines_.emplace(when, st);
        }
    }
    if (deferred) return answer(st, delivery_result{item_status::spooled, {}, {}, {}});
    if (earliest) timer_cv_.notify_one();
    produce_record(st);
}

void delivery::produce_record(const std::shared_ptr<record_state>& st) {
    auto prod = deps_.producer();
    const std::string record_id = deps_.record_prefix + std::to_string(st->seq);
    {
        std::lock_guard lk(st->mu);
        st->remaining = st->item.messages.size();
    }
    for (std::size_t i = 0; i < st->item.messages.size(); ++i) {
        auto& msg = st->item.messages[i];
        if (st->spooled) msg.headers.emplace_back(producer::k_record_header, record_id);
        auto err = prod ? prod->produce(msg,
                                        [this, st, i](const producer::delivery_report& r) {
                                            on_report(st, i, r);
                                        })
                        : RD_KAFKA_RESP_ERR__STATE;
        if (err) {
            producer::delivery_report r;
            r.topic = msg.topic;
            r.error = err;
            r.error_text = rd_kafka_err2str(err);
            on_report(st, i, r);
        }
    }
}

void delivery::on_report(const std::shared_ptr<record_state>& st, std::size_t index,
                         const producer::delivery_report& r) {
    bool last = false;
    {
        std::lock_guard lk(st->mu);
        if (r.ok()) {
            st->acks.push_back({r.topic, r.partition, r.offset});
        } else {
            st->failed.push_back(index);
            st->last_error = r.error;
            st->last_error_text = "Kafka did not acknowledge " + r.topic + ": " + r.error_text;
        }
        last = --st->remaining == 0;
    }
    if (!last) return;
    delivery_result res;
    res.topics = st->acks;
    if (st->failed.empty()) {
        if (st->spooled) deps_.spool->ack(st->seq);
        res.status = item_status::published;
        return answer(st, std::move(res));
    }
    res.status = item_status::failed;
    res.error_code = rd_kafka_err2name(st->last_error);
    res.error_message = st->last_error_text;
    if (!st->spooled) return answer(st, std::move(res));
    if (permanent(st->last_error)) {
        // Kafka will never take it: acking is the only way not to replay it forever. The log
        // line and the metric are how nobody misses it.
        undeliverable_.inc({res.error_code});
        log::error(log::event("spooled_story_undeliverable")
                       .field("feed", st->item.feed)
                       .field("uri", st->item.uri)
                       .field("code", res.error_code)
                       .field("reason", res.error_message));
        deps_.spool->ack(st->seq);
        return answer(st, std::move(res));
    }
    // Retriable (a purge on producer rebuild, a broker gone): the forwarder tries again, after
    // checking Kafka for the ones that may have landed anyway. The sender hears "spooled".
    {
        std::lock_guard lk(mu_);
        retry_[st->seq] = retry_entry{st->item, st->failed, st->spooled_at_ms};
    }
    forwarder_cv_.notify_one();
}

void delivery::answer(const std::shared_ptr<record_state>& st, delivery_result r) {
    {
        std::lock_guard lk(st->mu);
        if (st->answered) return;
        st->answered = true;
    }
    if (r.status == item_status::spooled) spooled_.inc({st->item.feed});
    std::sort(r.topics.begin(), r.topics.end(),
              [](const topic_ack& a, const topic_ack& b) { return a.topic < b.topic; });
    auto done = std::move(st->done);
    if (done) done(std::move(r));
}

// Answers "spooled" for records Kafka has not acknowledged within ack_wait. Under load every
// story has its own deadline, and waking for each would cost a context switch per story; the
// timer wakes at most once per k_timer_tick, so a "spooled" answer may come a tick late.
void delivery::timer_loop() {
    constexpr auto k_timer_tick = std::chrono::milliseconds(10);
    std::unique_lock lk(mu_);
    while (!stop_) {
        // A tick past the earliest deadline: every deadline within that tick is answered in
        // the same wake-up.
        auto next = deadlines_.empty() ? clock::now() + std::chrono::seconds(1)
                                       : deadlines_.begin()->first + k_timer_tick;
        timer_cv_.wait_until(lk, next);
        std::vector<std::shared_ptr<record_state>> due;
        while (!deadlines_.empty() && deadlines_.begin()->first <= clock::now()) {
            if (auto st = deadlines_.begin()->second.lock()) due.push_back(std::move(st));
            deadlines_.erase(deadlines_.begin());
        }
        lk.unlock();
        for (auto& st : due) {
            delivery_result r;
            r.status = item_status::spooled;
            {
                std::lock_guard sl(st->mu);
                r.topics = st->acks;
            }
            answer(st, std::move(r));
        }
        lk.lock();
    }
}

// Replays the spool after a restart (see load_spool), then releases held records when their
// embargo lifts and retries failed ones, in seq order.
void delivery::forwarder_loop() {
    clock::time_point last_retry{}, next_recovery{};
    std::unique_lock lk(mu_);
    while (!stop_) {
        forwarder_cv_.wait_for(lk, std::chrono::milliseconds(250));
        if (stop_) break;
        if (gate_closed_) {
            if (clock::now() < next_recovery) continue;
            lk.unlock();
            const bool open = finish_recovery();
            lk.lock();
            // Each attempt waits for Kafka up to its own timeout; a second between attempts.
            if (!open) next_recovery = clock::now() + std::chrono::seconds(1);
            continue;
        }
        std::map<std::uint64_t, retry_entry> batch;
        const auto now = wallclock::unix_ms();
        for (auto it = held_.begin(); it != held_.end();) {
            if (it->second.first <= now) {
                std::vector<std::size_t> all(it->second.second.messages.size());
                for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
                batch[it->first] = retry_entry{std::move(it->second.second), all, 0};
                it = held_.erase(it);
            } else {
                ++it;
            }
        }
        // Failed deliveries wait a second so a broker coming back is not hammered.
        if (!retry_.empty() && clock::now() - last_retry > std::chrono::seconds(1)) {
            batch.merge(retry_);
            retry_.clear();
            last_retry = clock::now();
        }
        if (batch.empty()) continue;
        lk.unlock();
        const bool sent = replay(batch, nullptr, deps_.reconcile_timeout);
        lk.lock();
        // Kafka could not be read back: try again after the next pause rather than guess.
        if (!sent) retry_.merge(batch);
    }
}

}  // namespace wire::pipeline

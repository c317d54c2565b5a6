#include "pipeline/delivery.hpp"

#include <algorithm>
#include <set>

#include "log/json_log.hpp"
#include "producer/kafka_reconcile.hpp"

namespace wire::pipeline {
namespace {

using clock = std::chrono::steady_clock;

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

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

// One record on its way to Kafka; shared by its delivery callbacks and its answer deadline.
struct delivery::record_state {
    spooled_item item;
    std::int64_t not_before_ms = 0;
    std::int64_t spooled_at_ms = 0;
    std::uint64_t seq = 0;
    bool spooled = false;
    delivery_done done;
    std::mutex mu;
    bool answered = false;
    std::size_t remaining = 0;
    std::vector<topic_ack> acks;
    std::vector<std::size_t> failed;  // message indexes Kafka did not take
    rd_kafka_resp_err_t last_error = RD_KAFKA_RESP_ERR_NO_ERROR;
    std::string last_error_text;
};

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
        r.status = "failed";
        r.error_code = s == spool::append_status::full ? "spool_full" : "spool_io_error";
        r.error_message = s == spool::append_status::full
                              ? "the spool is full; retry later"
                              : "the spool could not write the story: " + error;
        return answer(st, std::move(r));
    }
    st->seq = seq;
    st->spooled = true;
    st->spooled_at_ms = now_ms();
    if (st->not_before_ms > st->spooled_at_ms) {
        {
            std::lock_guard lk(mu_);
            held_.emplace(seq, std::make_pair(st->not_before_ms, st->item));
        }
        forwarder_cv_.notify_one();
        return answer(st, delivery_result{"held", {}, {}, {}});
    }
    bool earliest = false;
    {
        std::lock_guard lk(mu_);
        const auto when = clock::now() + deps_.ack_wait;
        earliest = deadlines_.empty() || when < deadlines_.begin()->first;
        deadlines_.emplace(when, st);
    }
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
        res.status = "published";
        return answer(st, std::move(res));
    }
    res.status = "failed";
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
    if (r.status == "spooled") spooled_.inc({st->item.feed});
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
            r.status = "spooled";
            {
                std::lock_guard sl(st->mu);
                r.topics = st->acks;
            }
            answer(st, std::move(r));
        }
        lk.lock();
    }
}

// Releases held records when their embargo lifts and retries failed ones, in seq order.
void delivery::forwarder_loop() {
    clock::time_point last_retry{};
    std::unique_lock lk(mu_);
    while (!stop_) {
        forwarder_cv_.wait_for(lk, std::chrono::milliseconds(250));
        if (stop_) break;
        std::map<std::uint64_t, retry_entry> batch;
        const auto now = now_ms();
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
        replay(std::move(batch), nullptr);
        lk.lock();
    }
}

void delivery::replay(std::map<std::uint64_t, retry_entry> batch, recovery_summary* summary) {
    // spooled_at 0: a held record released by this process, never produced: nothing to look
    // for in Kafka.
    std::set<std::string> topics;
    std::int64_t since = 0;
    for (const auto& [seq, e] : batch) {
        if (e.spooled_at_ms == 0) continue;
        for (auto i : e.messages) topics.insert(e.item.messages[i].topic);
        since = since == 0 ? e.spooled_at_ms : std::min(since, e.spooled_at_ms);
    }
    producer::reconcile_result found;
    if (!topics.empty()) {
        // A minute of slack: the broker's timestamps and ours come from different clocks.
        found = producer::find_records(deps_.kafka, {topics.begin(), topics.end()}, since - 60000,
                                       deps_.reconcile_timeout);
        if (!found.error.empty()) {
            log::warn(log::event("reconcile_failed")
                          .field("reason", found.error)
                          .field("consequence",
                                 "replaying every pending message; a message "
                                 "Kafka already had may appear twice"));
            if (summary) summary->reconcile_error = found.error;
        }
    }
    for (auto& [seq, e] : batch) {
        auto st = std::make_shared<record_state>();
        st->seq = seq;
        st->spooled = true;
        st->spooled_at_ms = e.spooled_at_ms ? e.spooled_at_ms : now_ms();
        const std::string record_id = deps_.record_prefix + std::to_string(seq);
        for (auto i : e.messages) {
            auto& m = e.item.messages[i];
            if (found.found.count({m.topic, record_id})) {
                reconciled_.inc({});
                if (summary) ++summary->already_in_kafka;
                continue;
            }
            // The header is added again by produce_record.
            m.headers.erase(
                std::remove_if(m.headers.begin(), m.headers.end(),
                               [](const auto& h) { return h.first == producer::k_record_header; }),
                m.headers.end());
            st->item.messages.push_back(std::move(m));
        }
        st->item.feed = e.item.feed;
        st->item.uri = e.item.uri;
        if (st->item.messages.empty()) {
            deps_.spool->ack(seq);
            continue;
        }
        replayed_.inc({}, static_cast<double>(st->item.messages.size()));
        if (summary) ++summary->replayed;
        produce_record(st);
    }
}

recovery_summary delivery::recover() {
    recovery_summary s;
    if (!deps_.spool) return s;
    std::map<std::uint64_t, retry_entry> batch;
    const auto now = now_ms();
    for (auto& rec : deps_.spool->pending()) {
        ++s.pending;
        auto item = decode(rec.payload);
        if (!item) {
            ++s.unreadable;
            log::error(log::event("spool_record_unreadable")
                           .field("seq", std::to_string(rec.seq))
                           .field("bytes", std::to_string(rec.payload.size())));
            deps_.spool->ack(rec.seq);
            continue;
        }
        if (deps_.dedup && !item->dedup_id.empty())
            if (auto k = dedup::from_hex(item->dedup_id)) deps_.dedup->claim(*k, {}, now);
        if (rec.not_before_ms > now) {
            std::lock_guard lk(mu_);
            held_.emplace(rec.seq, std::make_pair(rec.not_before_ms, std::move(*item)));
            ++s.held;
            continue;
        }
        std::vector<std::size_t> all(item->messages.size());
        for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
        // Even a held record may have been released and produced before the restart.
        batch[rec.seq] = retry_entry{std::move(*item), std::move(all), rec.spooled_at_ms};
    }
    if (!batch.empty()) replay(std::move(batch), &s);
    return s;
}

}  // namespace wire::pipeline

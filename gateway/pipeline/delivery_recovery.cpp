// delivery's replay side: the spool read back after a restart, the gate that keeps new records
// behind it, and the reconciliation that every replay (restart or retry) waits for.
#include <algorithm>
#include <set>

#include "clock/wall_clock.hpp"
#include "log/json_log.hpp"
#include "pipeline/delivery.hpp"
#include "pipeline/delivery_record.hpp"
#include "producer/kafka_reconcile.hpp"

namespace wire::pipeline {
namespace {

std::vector<std::size_t> every_message(const spooled_item& item) {
    std::vector<std::size_t> all(item.messages.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    return all;
}

}  // namespace

recovery_summary delivery::load_spool() {
    recovery_summary s;
    if (!deps_.spool) return s;
    std::map<std::uint64_t, retry_entry> batch;
    const auto now = wallclock::unix_ms();
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
        auto all = every_message(*item);
        // Even a held record may have been released and produced before the restart.
        batch[rec.seq] = retry_entry{std::move(*item), std::move(all), rec.spooled_at_ms};
    }
    {
        std::lock_guard lk(mu_);
        recovery_summary_ = s;
        recovery_ = std::move(batch);
        gate_closed_ = !recovery_.empty();
    }
    if (gate_closed_) {
        forwarder_cv_.notify_one();
    } else if (s.pending > 0) {
        log::info(log::event("spool_recovered")
                      .field("pending", s.pending)
                      .field("replayed", 0)
                      .field("already_in_kafka", 0)
                      .field("held", s.held)
                      .field("unreadable", s.unreadable));
    }
    return s;
}

std::string delivery::recovery_wait() const {
    std::lock_guard lk(mu_);
    if (!gate_closed_) return {};
    std::string why = "replaying the spool after a restart: " + std::to_string(recovery_.size()) +
                      " stories (and " + std::to_string(deferred_.size()) +
                      " accepted since) wait until Kafka's topics can be read back";
    if (!recovery_error_.empty()) why += " (" + recovery_error_ + ")";
    return why;
}

bool delivery::finish_recovery() {
    std::map<std::uint64_t, retry_entry> batch;
    recovery_summary summary;
    {
        std::lock_guard lk(mu_);
        batch.swap(recovery_);
        summary = recovery_summary_;
    }
    ++summary.attempts;
    // Attempts grow from 5 s to the configured timeout: a broker that is away fails them fast,
    // large topics to read back get the whole time.
    const auto timeout =
        std::min(deps_.reconcile_timeout,
                 std::chrono::milliseconds(5000 * static_cast<std::int64_t>(summary.attempts)));
    const bool replayed = replay(batch, &summary, timeout);
    if (!replayed) {
        std::lock_guard lk(mu_);
        recovery_.swap(batch);
        recovery_summary_ = summary;
        recovery_error_ = summary.reconcile_error;
        return false;
    }
    // Open the gate: what was accepted meanwhile follows, in spool order. A record appended
    // while a batch is being produced joins deferred_ and goes in the next round.
    for (;;) {
        std::map<std::uint64_t, retry_entry> next;
        {
            std::lock_guard lk(mu_);
            if (deferred_.empty()) {
                gate_closed_ = false;
                recovery_error_.clear();
                break;
            }
            next.swap(deferred_);
        }
        replay(next, nullptr, deps_.reconcile_timeout);  // never produced: nothing to read back
    }
    log::info(log::event("spool_recovered")
                  .field("pending", summary.pending)
                  .field("replayed", summary.replayed)
                  .field("already_in_kafka", summary.already_in_kafka)
                  .field("held", summary.held)
                  .field("unreadable", summary.unreadable)
                  .field("attempts", summary.attempts)
                  .field("last_reconcile_error", summary.reconcile_error));
    return true;
}

bool delivery::replay(std::map<std::uint64_t, retry_entry>& batch, recovery_summary* summary,
                      std::chrono::milliseconds reconcile_timeout) {
    // spooled_at 0: a record this process never produced (released from an embargo, or
    // accepted while the gate was closed): nothing to look for in Kafka.
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
                                       reconcile_timeout, &stopping_);
        if (!found.error.empty()) {
            log::warn(log::event("reconcile_waiting")
                          .field("reason", found.error)
                          .field("stories", batch.size())
                          .field("consequence",
                                 "nothing is replayed until Kafka's topics can be read back"));
            if (summary) summary->reconcile_error = found.error;
            return false;
        }
    }
    for (auto& [seq, e] : batch) {
        auto st = std::make_shared<record_state>();
        st->seq = seq;
        st->spooled = true;
        st->spooled_at_ms = e.spooled_at_ms ? e.spooled_at_ms : wallclock::unix_ms();
        const std::string record_id = deps_.record_prefix + std::to_string(seq);
        for (auto i : e.messages) {
            auto& m = e.item.messages[i];
            if (found.found.count({m.topic, record_id})) {
                reconciled_.inc({});
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
            if (summary) ++summary->already_in_kafka;
            deps_.spool->ack(seq);
            continue;
        }
        replayed_.inc({}, static_cast<double>(st->item.messages.size()));
        if (summary) ++summary->replayed;
        produce_record(st);
    }
    batch.clear();
    return true;
}

}  // namespace wire::pipeline

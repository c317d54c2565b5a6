#pragma once
// item_plan: what the pipeline does with one normalised item, decided before anything is sent —
// duplicate or not (the dedup window), where it goes (routing, the alerts and warnings topics),
// whether it waits for its embargo, and the Kafka messages that carry it.
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>

#include "config/config.hpp"
#include "core/normalize.hpp"
#include "dedup/dedup_store.hpp"
#include "pipeline/pipeline.hpp"
#include "pipeline/spool_codec.hpp"
#include "routing/router.hpp"

namespace wire::pipeline {

/// Story versions being accepted right now. A version is claimed in the dedup window only once
/// its record is durable: claiming earlier would let a crash in between turn the sender's retry
/// into a "duplicate" of a story that was never stored. Meanwhile this set keeps a concurrent
/// copy of the same version out (it is answered 503 in_progress and retried).
class inflight_versions {
  public:
    bool try_begin(const dedup::key& k) {
        std::lock_guard lk(mu_);
        return keys_.insert(dedup::to_hex(k)).second;
    }
    void end(const dedup::key& k) {
        std::lock_guard lk(mu_);
        keys_.erase(dedup::to_hex(k));
    }

  private:
    std::mutex mu_;
    std::unordered_set<std::string> keys_;
};

struct plan_context {
    const config::feed_config& feed;
    std::shared_ptr<const routing::router> router;
    dedup::dedup_store* dedup = nullptr;
    inflight_versions* inflight = nullptr;  // with dedup
    bool can_hold = false;
    const submission& sub;
    const std::string& raw_sha256;
    const std::string& format;
    bool all_duplicates = false;  // a repeated Idempotency-Key: nothing is published again
    // Dead letters this request planned so far, and the refusals left without one (over
    // k_max_item_dead_letters): counted, so one last letter can say how many.
    std::size_t* dead_letters = nullptr;
    std::size_t* dead_letters_folded = nullptr;
};

enum class idempotency { fresh, repeat, reused };

/// Checks the submission's Idempotency-Key against the window; `key` receives the key to claim
/// (with the body's hash) once the request is accepted.
idempotency check_idempotency_key(const plan_context& ctx, std::optional<dedup::key>& key);

struct item_plan {
    // status: published (provisional), duplicate, conflict or rejected
    item_outcome outcome;
    spooled_item item;               // the messages to deliver; none = nothing to send
    std::int64_t not_before_ms = 0;  // > now: held until then (embargo)
    bool dead_letter = false;
    std::optional<dedup::key> claim;  // to claim once durable (held in ctx.inflight until then)
    std::string content_hash;         // kept with the claim: a changed re-send is a conflict
};

item_plan plan_item(const plan_context& ctx, adapters::item_result& item, std::size_t index);

/// The dedup key of a story version: agency, uri and version; without a version, the content.
dedup::key version_key(const adapters::story& s, const std::string& raw_sha256, std::size_t index);

}  // namespace wire::pipeline

#pragma once
// item_plan: what the pipeline does with one normalised item, decided before anything is sent —
// duplicate or not (the dedup window), where it goes (routing, the alerts and warnings topics),
// whether it waits for its embargo, and the Kafka messages that carry it.
#include <optional>
#include <string>

#include "config/config.hpp"
#include "core/normalize.hpp"
#include "dedup/dedup_store.hpp"
#include "pipeline/pipeline.hpp"
#include "pipeline/spool_codec.hpp"
#include "routing/router.hpp"

namespace wire::pipeline {

struct plan_context {
    const config::feed_config& feed;
    std::shared_ptr<const routing::router> router;
    dedup::dedup_store* dedup = nullptr;
    bool can_hold = false;
    const submission& sub;
    const std::string& raw_sha256;
    const std::string& format;
    bool all_duplicates = false;  // a repeated Idempotency-Key: nothing is published again
};

enum class idempotency { fresh, repeat, reused };

/// Claims the submission's Idempotency-Key (with the body's hash) when it has one.
idempotency claim_idempotency_key(const plan_context& ctx, std::optional<dedup::key>& claimed);

struct item_plan {
    item_outcome outcome;            // status: published (provisional), duplicate or rejected
    spooled_item item;               // the messages to deliver; none = nothing to send
    std::int64_t not_before_ms = 0;  // > now: held until then (embargo)
    bool dead_letter = false;
    std::optional<dedup::key> claim;  // the dedup claim made for it
};

item_plan plan_item(const plan_context& ctx, adapters::item_result& item, std::size_t index);

/// The dedup key of a story version: agency, uri and version; without a version, the content.
dedup::key version_key(const adapters::story& s, const std::string& raw_sha256, std::size_t index);

}  // namespace wire::pipeline

#include "pipeline/item_plan.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>

#include "clock/wall_clock.hpp"
#include "core/datetime.hpp"
#include "pipeline/messages.hpp"

namespace wire::pipeline {
namespace {

constexpr char k_sep = '\x1f';  // cannot occur in agency ids, and ends every field

std::optional<std::int64_t> numeric_version(const std::string& v) {
    std::int64_t n = 0;
    auto r = std::from_chars(v.data(), v.data() + v.size(), n);
    if (v.empty() || r.ec != std::errc() || r.ptr != v.data() + v.size() || n < 0)
        return std::nullopt;
    return n;
}

// Kills and withholds are never held back by an embargo: they must reach desks at once.
bool holdable(const adapters::story& s) {
    return s.wire.signal != adapters::signal_kind::kill &&
           s.wire.signal != adapters::signal_kind::withhold;
}

// What "the same content" means for a repeated id and version: the headline and the body (as
// normalised, so re-encoding or whitespace the adapters clean up is not a change).
std::string content_hash(const adapters::story& s) {
    std::string text;
    for (const auto& h : s.headlines) text += h.value + k_sep;
    for (const auto& b : s.bodies) text += b.value + k_sep;
    return adapters::sha256_hex(text).substr(0, 32);
}

}  // namespace

dedup::key version_key(const adapters::story& s, const std::string& raw_sha256, std::size_t index) {
    std::string text = s.wire.agency + k_sep + s.uri + k_sep;
    if (!s.version.empty())
        text += s.version;
    else
        text += "#" + raw_sha256 + "#" + std::to_string(index);
    return dedup::make_key(text);
}

idempotency check_idempotency_key(const plan_context& ctx, std::optional<dedup::key>& key) {
    if (!ctx.dedup || ctx.sub.idempotency_key.empty()) return idempotency::fresh;
    auto k = dedup::make_key(std::string("idem") + k_sep + ctx.feed.id + k_sep +
                             ctx.sub.idempotency_key);
    const auto now = wallclock::unix_ms();
    key = k;
    if (!ctx.dedup->contains(k, now)) return idempotency::fresh;
    // Known: claim() does not write again and hands back the first body's hash.
    auto r = ctx.dedup->claim(k, ctx.raw_sha256.substr(0, 32), now);
    key.reset();
    return r.aux == ctx.raw_sha256.substr(0, 32) ? idempotency::repeat : idempotency::reused;
}

namespace {

// The refused item's dead letter: the request's first carries the raw bytes, the next ones only
// their reasons, and past k_max_item_dead_letters none (counted for the request's last letter).
void add_dead_letter(const plan_context& ctx, item_plan& plan, std::size_t index,
                     const adapters::adapter_error* err) {
    plan.dead_letter = true;
    const std::size_t n = ctx.dead_letters ? (*ctx.dead_letters)++ : 0;
    if (n >= k_max_item_dead_letters) {
        if (ctx.dead_letters_folded) ++*ctx.dead_letters_folded;
        return;
    }
    const auto& it = plan.outcome;
    plan.item.messages.push_back(dead_letter(ctx.sub, ctx.raw_sha256, ctx.format, index,
                                             it.error_code, it.error_message, err,
                                             ctx.router->rejected_topic(), n == 0));
}

void finish_plan(const plan_context& ctx, item_plan& plan) {
    plan.item.feed = ctx.feed.id;
    plan.item.uri = plan.outcome.uri;
    plan.item.version = plan.outcome.version;
    plan.item.signal = plan.outcome.signal;
    plan.item.headline = plan.outcome.headline;
}

// The same id and version seen before with other content. Returns false when the plan is
// decided (conflict, or a revision already published); else the story is now that revision.
bool resolve_conflict(const plan_context& ctx, item_plan& plan, adapters::story& story,
                      const std::string& first, std::size_t index) {
    auto& it = plan.outcome;
    const std::string now_hash = plan.content_hash;
    if (ctx.feed.version_conflict != "publish_revision") {
        it.status = item_status::conflict;
        it.error_code = "version_conflict";
        it.error_message = "version " + story.version + " of " + story.uri +
                           " was accepted before with other content (content hash first " + first +
                           ", now " + now_hash + "); the first stays published";
        add_dead_letter(ctx, plan, index, nullptr);
        return false;
    }
    const std::string revision = story.version + "-rev-" + now_hash.substr(0, 8);
    story.wire.warn("version_conflict",
                    "version " + story.version +
                        " was accepted before with other content (content hash " + first +
                        "); published as version " + revision);
    story.version = revision;
    it.version = revision;
    return true;
}

// The dedup window's say on a story version: duplicate, conflict, in progress elsewhere, or
// new (then claimed once durable, and flagged when older than the newest accepted).
bool decide_version(const plan_context& ctx, item_plan& plan, adapters::story& story,
                    std::size_t index, std::int64_t now, std::vector<std::string>& topics) {
    auto& it = plan.outcome;
    plan.content_hash = content_hash(story);
    auto k = version_key(story, ctx.raw_sha256, index);
    if (ctx.dedup->contains(k, now)) {
        // Known: claim() writes nothing and hands back the first content's hash ("" when the
        // claim was restored from the spool without one: then it cannot be told apart).
        const auto first = ctx.dedup->claim(k, plan.content_hash, now).aux;
        const bool same = first.empty() || first == plan.content_hash;
        if (!same && resolve_conflict(ctx, plan, story, first, index))
            k = version_key(story, ctx.raw_sha256, index);
        else if (!same)
            return false;
        if (same || ctx.dedup->contains(k, now)) {
            it.status = item_status::duplicate;
            return false;
        }
    }
    if (!ctx.inflight->try_begin(k)) {
        it.status = item_status::failed;
        it.error_code = "in_progress";
        it.error_message = "the same story version is being accepted on another request; retry";
        return false;
    }
    plan.claim = k;
    plan.item.dedup_id = dedup::to_hex(k);
    // A version older than one already accepted: published (it may be a legitimate late
    // repeat) but flagged, in the envelope and on the warnings topic.
    if (auto v = numeric_version(story.version)) {
        auto newest = ctx.dedup->note_version(
            dedup::make_key(story.wire.agency + k_sep + story.uri), *v, now);
        if (newest && *newest > *v) {
            story.wire.warn(
                "older_version",
                "version " + story.version + " arrived after version " + std::to_string(*newest));
            const auto& wt = ctx.router->config().warnings_topic;
            if (!wt.empty() && std::find(topics.begin(), topics.end(), wt) == topics.end())
                topics.push_back(wt);
        }
    }
    return true;
}

}  // namespace

item_plan plan_item(const plan_context& ctx, adapters::item_result& result, std::size_t index) {
    item_plan plan;
    auto& it = plan.outcome;
    auto* story = std::get_if<adapters::story>(&result);
    if (story) {
        it.uri = story->uri;
        it.version = story->version;
        it.signal = std::string(adapters::to_string(story->wire.signal));
        if (!story->headlines.empty()) it.headline = story->headlines.front().value;
        if (ctx.all_duplicates) {
            it.status = item_status::duplicate;
            return plan;
        }
        auto decision = ctx.router->route(*story);
        if (decision.topics.empty()) {
            it.status = item_status::rejected;
            it.error_code = "unroutable";
            it.error_message = "no routing rule matched and no default topic is set";
        } else {
            const auto now = wallclock::unix_ms();
            if (ctx.dedup && !decide_version(ctx, plan, *story, index, now, decision.topics)) {
                if (plan.dead_letter) finish_plan(ctx, plan);
                return plan;
            }
            if (ctx.can_hold && ctx.feed.embargo == "hold" && holdable(*story) &&
                !story->embargoed.empty())
                if (auto t = adapters::parse_iso8601(story->embargoed))
                    if (t->epoch_seconds() * 1000 > now)
                        plan.not_before_ms = t->epoch_seconds() * 1000;
            it.status = item_status::published;
            plan.item.messages = story_messages(*story, decision.topics);
            if (const auto n = message_bytes(plan.item.messages.front()); n > k_story_max_bytes) {
                // Kafka would refuse it however often the sender retried: a 10 MB headline.
                plan.item.messages.clear();
                if (plan.claim) ctx.inflight->end(*plan.claim);
                plan.claim.reset();
                plan.item.dedup_id.clear();
                plan.not_before_ms = 0;
                it.status = item_status::rejected;
                it.error_code = "too_large";
                it.error_message = "the story's message is " + std::to_string(n) +
                                   " bytes; Kafka takes at most " +
                                   std::to_string(k_story_max_bytes);
            }
        }
    } else {
        const auto& err = std::get<adapters::adapter_error>(result);
        it.status = item_status::rejected;
        it.error_code = std::string(adapters::to_string(err.code));
        it.error_message = err.message;
    }
    if (it.status == item_status::rejected)
        add_dead_letter(ctx, plan, index, std::get_if<adapters::adapter_error>(&result));
    finish_plan(ctx, plan);
    return plan;
}

}  // namespace wire::pipeline

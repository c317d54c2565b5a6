#include "pipeline/item_plan.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>

#include "core/datetime.hpp"
#include "pipeline/messages.hpp"

namespace wire::pipeline {
namespace {

constexpr char k_sep = '\x1f';  // cannot occur in agency ids, and ends every field

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

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
    const auto now = now_ms();
    key = k;
    if (!ctx.dedup->contains(k, now)) return idempotency::fresh;
    // Known: claim() does not write again and hands back the first body's hash.
    auto r = ctx.dedup->claim(k, ctx.raw_sha256.substr(0, 32), now);
    key.reset();
    return r.aux == ctx.raw_sha256.substr(0, 32) ? idempotency::repeat : idempotency::reused;
}

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
            it.status = "duplicate";
            return plan;
        }
        auto decision = ctx.router->route(*story);
        if (decision.topics.empty()) {
            it.status = "rejected";
            it.error_code = "unroutable";
            it.error_message = "no routing rule matched and no default topic is set";
        } else {
            const auto now = now_ms();
            if (ctx.dedup) {
                auto k = version_key(*story, ctx.raw_sha256, index);
                if (ctx.dedup->contains(k, now)) {
                    it.status = "duplicate";
                    return plan;
                }
                if (!ctx.inflight->try_begin(k)) {
                    it.status = "failed";
                    it.error_code = "in_progress";
                    it.error_message =
                        "the same story version is being accepted on another "
                        "request; retry";
                    return plan;
                }
                plan.claim = k;
                plan.item.dedup_id = dedup::to_hex(k);
                // A version older than one already accepted: published (it may be a legitimate
                // late repeat) but flagged, in the envelope and on the warnings topic.
                if (auto v = numeric_version(story->version)) {
                    auto newest = ctx.dedup->note_version(
                        dedup::make_key(story->wire.agency + k_sep + story->uri), *v, now);
                    if (newest && *newest > *v) {
                        story->wire.warnings.push_back("older_version: version " + story->version +
                                                       " arrived after version " +
                                                       std::to_string(*newest));
                        const auto& wt = ctx.router->config().warnings_topic;
                        if (!wt.empty() && std::find(decision.topics.begin(), decision.topics.end(),
                                                     wt) == decision.topics.end())
                            decision.topics.push_back(wt);
                    }
                }
            }
            if (ctx.can_hold && ctx.feed.embargo == "hold" && holdable(*story) &&
                !story->embargoed.empty())
                if (auto t = adapters::parse_iso8601(story->embargoed))
                    if (t->epoch_seconds() * 1000 > now)
                        plan.not_before_ms = t->epoch_seconds() * 1000;
            it.status = "published";
            plan.item.messages = story_messages(*story, decision.topics);
            if (const auto n = message_bytes(plan.item.messages.front()); n > k_story_max_bytes) {
                // Kafka would refuse it however often the sender retried: a 10 MB headline.
                plan.item.messages.clear();
                if (plan.claim) ctx.inflight->end(*plan.claim);
                plan.claim.reset();
                plan.item.dedup_id.clear();
                plan.not_before_ms = 0;
                it.status = "rejected";
                it.error_code = "too_large";
                it.error_message = "the story's message is " + std::to_string(n) +
                                   " bytes; Kafka takes at most " +
                                   std::to_string(k_story_max_bytes);
            }
        }
    } else {
        const auto& err = std::get<adapters::adapter_error>(result);
        it.status = "rejected";
        it.error_code = std::string(adapters::to_string(err.code));
        it.error_message = err.message;
    }
    if (it.status == "rejected") {
        plan.dead_letter = true;
        const auto* err = std::get_if<adapters::adapter_error>(&result);
        plan.item.messages.push_back(dead_letter(ctx.sub, ctx.raw_sha256, ctx.format, index,
                                                 it.error_code, it.error_message, err,
                                                 ctx.router->rejected_topic()));
    }
    plan.item.feed = ctx.feed.id;
    plan.item.uri = it.uri;
    plan.item.version = it.version;
    plan.item.signal = it.signal;
    plan.item.headline = it.headline;
    return plan;
}

}  // namespace wire::pipeline

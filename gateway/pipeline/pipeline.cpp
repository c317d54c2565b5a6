// submit(): normalise → dedup → route → deliver (spool, then Kafka) → one outcome once every
// item has its answer. The answer is the truth: "published" when the broker acknowledged every
// topic, "spooled"/"held" when it is safe on disk, "duplicate" when that version was accepted
// before; an item neither Kafka nor the spool took is "failed" and the request answers 503 so
// the sender retries (a dead letter that could not be stored fails its item too).
#include "pipeline/pipeline.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "clock/wall_clock.hpp"
#include "core/json_writer.hpp"
#include "core/normalize.hpp"
#include "dedup/dedup_store.hpp"
#include "log/json_log.hpp"
#include "pipeline/delivery.hpp"
#include "pipeline/item_plan.hpp"
#include "pipeline/messages.hpp"

namespace wire::pipeline {
namespace {

using clock = std::chrono::steady_clock;

// Shared by every item's delivery callback of one submission; the last one to finish answers.
struct request_state {
    std::mutex mu;
    outcome result;
    std::vector<bool> whole_document_error;     // per item: refused before any story existed
    std::optional<dedup::key> idempotency_key;  // claimed when the request is accepted
    dedup::dedup_store* dedup = nullptr;
    std::string body_hash;        // first 32 hex digits of the body's SHA-256 (Idempotency-Key aux)
    std::atomic<int> pending{1};  // +1 held by submit() until it has handed every item on
    completion done;
    clock::time_point started = clock::now();
    std::string feed;
    pipeline_metrics* metrics = nullptr;
};

bool accepted(item_status status) {
    return status == item_status::published || status == item_status::spooled ||
           status == item_status::held || status == item_status::duplicate;
}

int http_status_for(const outcome& o, bool whole_document_refusal) {
    bool any_failed = false, any_accepted = false, any_rejected = false, all_conflicts = true;
    for (const auto& it : o.items) {
        if (it.status == item_status::failed)
            any_failed = true;
        else if (accepted(it.status))
            any_accepted = true;
        else
            any_rejected = true;
        all_conflicts = all_conflicts && it.status == item_status::conflict;
    }
    if (any_failed) return 503;
    if (all_conflicts && !o.items.empty()) return 409;
    if (whole_document_refusal && o.items.size() == 1) {
        const auto& code = o.items.front().error_code;
        if (code == "unknown_format") return 415;
        if (code == "too_large") return 413;
        return 422;
    }
    if (any_accepted && any_rejected) return 207;
    if (any_accepted) return 200;
    return 422;
}

void log_item(const std::string& feed, const item_outcome& it) {
    adapters::json_writer topics;
    topics.begin_array();
    for (const auto& t : it.topics) {
        topics.begin_object().key("topic").value(t.topic);
        topics.key("partition").value(static_cast<std::int64_t>(t.partition));
        topics.key("offset").value(t.offset).end_object();
    }
    topics.end_array();
    log::event e("story");
    e.field("feed", feed).field("uri", it.uri).field("version", it.version);
    e.field("status", to_string(it.status)).raw("topics", topics.str());
    if (!it.error_code.empty()) e.field("code", it.error_code).field("reason", it.error_message);
    if (it.status == item_status::failed)
        log::error(e);
    else if (it.status == item_status::rejected || it.status == item_status::duplicate ||
             it.status == item_status::conflict)
        log::warn(e);
    else
        log::info(e);
}

void finish(const std::shared_ptr<request_state>& st) {
    outcome o;
    bool whole = false;
    {
        std::lock_guard lk(st->mu);
        o = std::move(st->result);
        whole = !st->whole_document_error.empty() && st->whole_document_error.front();
    }
    o.http_status = http_status_for(o, whole);
    auto& m = *st->metrics;
    for (std::size_t i = 0; i < o.items.size(); ++i) {
        const auto& it = o.items[i];
        if (it.status == item_status::published)
            m.published.inc({st->feed});
        else if (it.status == item_status::duplicate)
            m.duplicates.inc({st->feed});
        else if (it.status == item_status::rejected)
            m.rejected.inc({st->feed, it.error_code});
        else if (it.status == item_status::conflict)
            m.conflicts.inc({st->feed});
        log_item(st->feed, it);
    }
    // Accepted (nothing failed): a retry with this key is a repeat from now on.
    if (o.http_status != 503 && st->dedup && st->idempotency_key)
        st->dedup->claim(*st->idempotency_key, st->body_hash, wallclock::unix_ms());
    m.delivery_latency.observe({},
                               std::chrono::duration<double>(clock::now() - st->started).count());
    st->done(std::move(o));
}

void release(const std::shared_ptr<request_state>& st) {
    if (st->pending.fetch_sub(1) == 1) finish(st);
}

// A document refused whole (a reused Idempotency-Key, a frame its listener knows was cut
// short): one item, whose raw bytes go to the dead-letter topic like any other refusal, named
// in the log by the uris it carried.
void refuse_document(delivery& deliver, const std::shared_ptr<request_state>& st,
                     const submission& s, const adapters::normalize_result& norm,
                     const std::string& raw_sha, const std::string& rejected_topic,
                     const std::string& code, const std::string& message) {
    st->result.items.assign(1, item_outcome{});
    st->whole_document_error.assign(1, true);
    auto& it = st->result.items.front();
    it.status = item_status::rejected;
    it.error_code = code;
    it.error_message = message;
    for (const auto& item : norm.items)
        if (const auto* story = std::get_if<adapters::story>(&item)) {
            it.uri += (it.uri.empty() ? "" : " ") + story->uri;
            if (it.version.empty()) it.version = story->version;
        }
    spooled_item dl;
    dl.feed = s.feed->id;
    dl.uri = it.uri;
    dl.messages.push_back(dead_letter(s, raw_sha, norm.format, 0, it.error_code, it.error_message,
                                      nullptr, rejected_topic));
    st->pending.fetch_add(1);
    deliver.deliver(std::move(dl), 0, [st](delivery_result r) {
        if (r.status == item_status::failed) {
            std::lock_guard lk(st->mu);
            auto& item = st->result.items.front();
            item.status = item_status::failed;
            item.error_code = r.error_code;
            item.error_message = r.error_message;
        }
        release(st);
    });
    release(st);
}

// Hands one item's messages to the delivery; its answer completes the item.
void deliver_item(delivery& deliver, dedup::dedup_store* dedup, inflight_versions& inflight,
                  const std::shared_ptr<request_state>& st, std::size_t i, item_plan plan) {
    st->pending.fetch_add(1);
    auto on_done = [dedup, &inflight, st, i, dead = plan.dead_letter, claim = plan.claim,
                    content = plan.content_hash](delivery_result r) {
        // Durable (or in Kafka) now: claim the version, with its content's hash; copies then
        // meet the window ("duplicate", or "conflict" when changed). A failure claims nothing.
        if (claim) {
            if (r.status != item_status::failed)
                dedup->claim(*claim, content, wallclock::unix_ms());
            inflight.end(*claim);
        }
        {
            std::lock_guard lk(st->mu);
            auto& it = st->result.items[i];
            if (r.status == item_status::failed) {
                it.status = item_status::failed;
                it.error_code = r.error_code;
                it.error_message = r.error_message;
                if (r.error_code.rfind("spool_", 0) != 0)
                    st->metrics->produce_errors.inc({r.error_code});
            } else if (!dead) {
                it.status = r.status;
                it.topics = std::move(r.topics);
            }
        }
        release(st);
    };
    deliver.deliver(std::move(plan.item), plan.not_before_ms, std::move(on_done));
}

// One letter for the refusals past k_max_item_dead_letters: how many, where their reasons are.
// If it cannot be stored the request answers 503 like any dead letter that could not be.
void deliver_folded_letter(delivery& deliver, const std::string& topic,
                           const std::shared_ptr<request_state>& st, const submission& s,
                           const std::string& raw_sha, const std::string& format,
                           std::size_t folded) {
    spooled_item letter;
    letter.feed = s.feed->id;
    letter.messages.push_back(dead_letter(
        s, raw_sha, format, k_max_item_dead_letters, "items_rejected",
        std::to_string(folded) + " more items of this document were refused; each one's reason "
                                 "is in the HTTP answer and the gateway's story log lines",
        nullptr, topic, false));
    st->pending.fetch_add(1);
    deliver.deliver(std::move(letter), 0, [st](delivery_result r) {
        if (r.status == item_status::failed) {
            std::lock_guard lk(st->mu);
            for (auto& it : st->result.items)
                if (it.status == item_status::rejected) {
                    it.status = item_status::failed;
                    it.error_code = r.error_code;
                    it.error_message = r.error_message;
                    break;
                }
        }
        release(st);
    });
}

}  // namespace

pipeline_metrics::pipeline_metrics(metrics::registry& r)
    : received(
          r.counter("wiregate_stories_received_total", "Story items read, per feed", {"feed"})),
      published(r.counter("wiregate_stories_published_total",
                          "Story items acknowledged by Kafka on every routed topic", {"feed"})),
      rejected(r.counter("wiregate_stories_rejected_total",
                         "Story items refused (sent to the dead-letter topic), per reason",
                         {"feed", "reason"})),
      duplicates(r.counter("wiregate_stories_duplicate_total",
                           "Story versions answered as duplicates", {"feed"})),
      conflicts(r.counter("wiregate_stories_conflict_total",
                          "Story versions sent again with other content (dead-lettered)",
                          {"feed"})),
      warnings(r.counter("wiregate_warnings_total",
                         "Warnings given while reading story items (what was guessed or repaired), "
                         "per code",
                         {"feed", "code"})),
      produce_errors(r.counter("wiregate_produce_errors_total",
                               "Kafka delivery failures, per librdkafka error name", {"code"})),
      delivery_latency(r.histogram(
          "wiregate_delivery_latency_seconds",
          "From receipt of a document to the answer (all items published, spooled or held)", {},
          {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30})) {}

pipeline::pipeline(pipeline_deps deps, metrics::registry& registry)
    : deps_(std::move(deps)),
      metrics_(registry),
      inflight_owner_(std::make_unique<inflight_versions>()),
      inflight_(*inflight_owner_),
      workers_(std::make_unique<boost::asio::thread_pool>(2)) {}

// Joins the workers: a document being read finishes (its answer is still delivered).
pipeline::~pipeline() { stop(); }

void pipeline::stop() { workers_->join(); }

void pipeline::submit(submission s, completion done) {
    // Reading a large document (parse, every item, its dead letters) takes milliseconds to
    // seconds of CPU: off the I/O threads, so one sender's document cannot stall every other
    // connection of that thread (and /healthz with it). Streams stay inline: their frames are
    // small and their order per connection matters.
    if (s.source == source_kind::http && s.body.size() > k_offload_bytes && workers_) {
        boost::asio::post(*workers_, [this, s = std::move(s), done = std::move(done)]() mutable {
            process(std::move(s), std::move(done));
        });
        return;
    }
    process(std::move(s), std::move(done));
}

void pipeline::process(submission s, completion done) {
    const auto& feed = *s.feed;
    adapters::normalize_options opts;
    opts.format = feed.format;
    opts.feed = feed.id;
    opts.agency = feed.agency;
    opts.profile = feed.profile;
    opts.charset = feed.charset.empty() ? charset_from_content_type(s.content_type) : feed.charset;
    opts.received_at = s.received_at;
    opts.gateway_instance = deps_.gateway_instance;
    opts.gateway_version = deps_.gateway_version;
    opts.max_bytes = std::max<std::size_t>(opts.max_bytes, s.body.size());
    adapters::normalize_result norm = adapters::normalize(s.body, opts);

    auto st = std::make_shared<request_state>();
    st->done = std::move(done);
    st->feed = feed.id;
    st->metrics = &metrics_;
    st->dedup = deps_.dedup;
    st->result.format = norm.format;
    st->result.items.resize(norm.items.size());
    st->whole_document_error.assign(norm.items.size(), norm.format.empty());
    metrics_.received.inc({feed.id}, static_cast<double>(norm.items.size()));
    for (const auto& item : norm.items)
        if (const auto* story = std::get_if<adapters::story>(&item))
            for (const auto& w : story->wire.warnings) metrics_.warnings.inc({feed.id, w.code});

    // normalize() stamped the body's SHA-256 into every story; hash again only when none came out.
    std::string raw_sha;
    for (const auto& item : norm.items)
        if (const auto* story = std::get_if<adapters::story>(&item)) {
            raw_sha = story->wire.raw_sha256;
            break;
        }
    if (raw_sha.empty()) raw_sha = adapters::sha256_hex(s.body);
    st->body_hash = raw_sha.substr(0, 32);
    std::size_t dead_letters = 0, folded = 0;
    plan_context ctx{feed, deps_.router(), deps_.dedup, &inflight_, deps_.can_hold,
                     s,    raw_sha,        norm.format};
    ctx.dead_letters = &dead_letters;
    ctx.dead_letters_folded = &folded;
    if (!s.dead_letter_reason.empty())
        return refuse_document(*deps_.deliver, st, s, norm, raw_sha, ctx.router->rejected_topic(),
                               s.dead_letter_reason, s.dead_letter_message);
    // An Idempotency-Key seen before with the same body: every item is a duplicate. With
    // another body: the key is being reused for something else, which is the sender's bug.
    switch (check_idempotency_key(ctx, st->idempotency_key)) {
        case idempotency::fresh:
            break;
        case idempotency::repeat:
            ctx.all_duplicates = true;
            break;
        case idempotency::reused:
            return refuse_document(*deps_.deliver, st, s, norm, raw_sha,
                                   ctx.router->rejected_topic(), "idempotency_key_reused",
                                   "this Idempotency-Key (" + s.idempotency_key +
                                       ") was used before for a different body");
    }
    for (std::size_t i = 0; i < norm.items.size(); ++i) {
        item_plan plan = plan_item(ctx, norm.items[i], i);
        {
            std::lock_guard lk(st->mu);
            st->result.items[i] = plan.outcome;
        }
        if (!plan.item.messages.empty())
            deliver_item(*deps_.deliver, deps_.dedup, inflight_, st, i, std::move(plan));
    }
    if (folded > 0)
        deliver_folded_letter(*deps_.deliver, ctx.router->rejected_topic(), st, s, raw_sha,
                              norm.format, folded);
    release(st);
}

}  // namespace wire::pipeline

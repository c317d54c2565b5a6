// submit(): normalise → route → produce → one outcome when every delivery report is in.
// The answer is the truth about Kafka: an item is "published" only when the broker
// acknowledged every topic it was routed to; a dead letter that Kafka did not take makes the
// item "failed" (nothing is dropped silently), and any failure answers 503 so the sender retries.
#include "pipeline/pipeline.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>

#include "core/json_writer.hpp"
#include "core/normalize.hpp"
#include "log/json_log.hpp"
#include "pipeline/messages.hpp"

namespace wire::pipeline {
namespace {

using clock = std::chrono::steady_clock;

// Shared by every delivery callback of one submission; the last one to finish answers.
struct request_state {
    std::mutex mu;
    outcome result;
    std::vector<bool> whole_document_error;  // per item: refused before any story existed
    std::atomic<int> pending{1};             // +1 held by submit() until it has enqueued all
    completion done;
    clock::time_point started = clock::now();
    std::string feed;
    pipeline_metrics* metrics = nullptr;
};

int http_status_for(const outcome& o, bool whole_document_refusal) {
    bool any_failed = false, any_published = false, any_rejected = false;
    for (const auto& it : o.items) {
        if (it.status == "failed") any_failed = true;
        else if (it.status == "published") any_published = true;
        else any_rejected = true;
    }
    if (any_failed) return 503;
    if (whole_document_refusal && o.items.size() == 1) {
        const auto& code = o.items.front().error_code;
        if (code == "unknown_format") return 415;
        if (code == "too_large") return 413;
        return 422;
    }
    if (any_published && any_rejected) return 207;
    if (any_published) return 200;
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
    e.field("status", it.status).raw("topics", topics.str());
    if (!it.error_code.empty()) e.field("code", it.error_code).field("reason", it.error_message);
    if (it.status == "failed") log::error(e);
    else if (it.status == "rejected") log::warn(e);
    else log::info(e);
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
    // Delivery reports arrive in any order; answers and logs list topics in one stable order.
    for (auto& it : o.items)
        std::sort(it.topics.begin(), it.topics.end(),
                  [](const topic_ack& a, const topic_ack& b) { return a.topic < b.topic; });
    auto& m = *st->metrics;
    for (const auto& it : o.items) {
        if (it.status == "published") m.published.inc({st->feed});
        else if (it.status == "rejected") m.rejected.inc({st->feed, it.error_code});
        log_item(st->feed, it);
    }
    m.delivery_latency.observe(
        {}, std::chrono::duration<double>(clock::now() - st->started).count());
    st->done(std::move(o));
}

void release(const std::shared_ptr<request_state>& st) {
    if (st->pending.fetch_sub(1) == 1) finish(st);
}

// Records one Kafka answer for item `index`: a topic ack, or the failure that makes it "failed".
void record(const std::shared_ptr<request_state>& st, std::size_t index, bool dead_letter,
            const producer::delivery_report& r) {
    {
        std::lock_guard lk(st->mu);
        auto& it = st->result.items[index];
        if (r.ok()) {
            if (!dead_letter) it.topics.push_back({r.topic, r.partition, r.offset});
        } else {
            it.status = "failed";
            it.error_code = rd_kafka_err2name(r.error);
            it.error_message = "Kafka did not acknowledge " + r.topic + ": " + r.error_text;
        }
    }
    if (!r.ok()) st->metrics->produce_errors.inc({rd_kafka_err2name(r.error)});
    release(st);
}

}  // namespace

pipeline_metrics::pipeline_metrics(metrics::registry& r)
    : received(r.counter("wiregate_stories_received_total", "Story items read, per feed",
                         {"feed"})),
      published(r.counter("wiregate_stories_published_total",
                          "Story items acknowledged by Kafka on every routed topic", {"feed"})),
      rejected(r.counter("wiregate_stories_rejected_total",
                         "Story items refused (sent to the dead-letter topic), per reason",
                         {"feed", "reason"})),
      duplicates(r.counter("wiregate_stories_duplicate_total",
                           "Story versions answered as duplicates", {"feed"})),
      produce_errors(r.counter("wiregate_produce_errors_total",
                               "Kafka delivery failures, per librdkafka error name", {"code"})),
      delivery_latency(r.histogram(
          "wiregate_delivery_latency_seconds",
          "From receipt of a document to the last broker acknowledgement", {},
          {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30})) {}

pipeline::pipeline(pipeline_deps deps, metrics::registry& registry)
    : deps_(std::move(deps)), metrics_(registry) {}

void pipeline::submit(submission s, completion done) {
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
    st->result.format = norm.format;
    st->result.items.resize(norm.items.size());
    st->whole_document_error.assign(norm.items.size(), norm.format.empty());
    metrics_.received.inc({feed.id}, static_cast<double>(norm.items.size()));

    auto prod = deps_.producer();
    auto router = deps_.router();
    const std::string raw_sha = adapters::sha256_hex(s.body);
    for (std::size_t i = 0; i < norm.items.size(); ++i) {
        std::vector<producer::outgoing_message> out;
        bool dead = false;
        {
            std::lock_guard lk(st->mu);
            auto& it = st->result.items[i];
            if (auto* story = std::get_if<adapters::story>(&norm.items[i])) {
                it.uri = story->uri;
                it.version = story->version;
                it.signal = std::string(adapters::to_string(story->wire.signal));
                if (!story->headlines.empty()) it.headline = story->headlines.front().value;
                auto decision = router->route(*story);
                if (decision.topics.empty()) {
                    it.status = "rejected";
                    it.error_code = "unroutable";
                    it.error_message = "no routing rule matched and no default topic is set";
                } else {
                    it.status = "published";
                    out = story_messages(*story, decision.topics);
                }
            } else {
                const auto& err = std::get<adapters::adapter_error>(norm.items[i]);
                it.status = "rejected";
                it.error_code = std::string(adapters::to_string(err.code));
                it.error_message = err.message;
            }
            if (it.status == "rejected") {
                dead = true;
                const adapters::adapter_error* err =
                    std::get_if<adapters::adapter_error>(&norm.items[i]);
                out.push_back(dead_letter(s, raw_sha, norm.format, i, it.error_code,
                                          it.error_message, err, router->rejected_topic()));
            }
        }
        for (auto& msg : out) {
            st->pending.fetch_add(1);
            auto err = prod ? prod->produce(msg, [st, i, dead](const producer::delivery_report& r) {
                record(st, i, dead, r);
            })
                            : RD_KAFKA_RESP_ERR__STATE;
            if (err) {
                producer::delivery_report r;
                r.topic = msg.topic;
                r.error = err;
                r.error_text = rd_kafka_err2str(err);
                record(st, i, dead, r);
            }
        }
    }
    release(st);
}

}  // namespace wire::pipeline

#include "story_load.hpp"

#include <simdjson.h>

#include <optional>
#include <stdexcept>

#include "gateway_process.hpp"
#include "gateway_test_env.hpp"

namespace wire::faults {
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

std::string story_uri(const std::string& scenario, std::size_t n) {
    return "urn:faults:" + scenario + ":" + std::to_string(n);
}

namespace {

void replace_once(std::string& s, const std::string& from, const std::string& to) {
    auto at = s.find(from);
    if (at == std::string::npos) throw std::runtime_error("fixture changed: no " + from);
    s.replace(at, from.size(), to);
}

const std::string& fixture_story() {
    static const std::string text =
        testing::read_file(testing::fixtures_dir() / "ninjs/good/001-text-2x.json");
    return text;
}

// The item statuses that make a 2xx an acceptance (docs/http-api.md): the story is in Kafka,
// on the spool, held for its embargo, or a version the gateway already has.
bool accepted_status(std::string_view s) {
    return s == "published" || s == "spooled" || s == "held" || s == "duplicate";
}

}  // namespace

std::string make_story(const std::string& uri, std::size_t pad_bytes) {
    std::string s = fixture_story();
    replace_once(s, "\"urn:newsml:example.com:20170710:nato-ukraine\"", "\"" + uri + "\"");
    replace_once(s, "\"version\": \"3\"", "\"version\": \"1\"");
    if (pad_bytes > 0) {
        std::string filler;
        while (filler.size() < pad_bytes) filler += "Filler copy to fill the spool disk. ";
        replace_once(s, "<p>KYIV (AP)", "<p>" + filler + "</p><p>KYIV (AP)");
    }
    return s;
}

story_load::story_load(load_options opts) : opts_(std::move(opts)), records_(opts_.count) {}

story_load::~story_load() {
    stop();
    wait();
}

void story_load::start() {
    deadline_ = steady::now() + opts_.deadline;
    for (int i = 0; i < opts_.threads; ++i) threads_.emplace_back([this] { sender(); });
}

void story_load::wait() {
    for (auto& t : threads_)
        if (t.joinable()) t.join();
}

bool story_load::wait_accepted(std::size_t n, std::chrono::milliseconds timeout) {
    const auto until = steady::now() + timeout;
    while (accepted_.load() < n) {
        if (finished_threads_.load() == opts_.threads || steady::now() > until) return false;
        std::this_thread::sleep_for(10ms);  // poll interval of a bounded wait
    }
    return true;
}

void story_load::sender() {
    simdjson::dom::parser parser;
    std::optional<testing::http_client> client;
    for (;;) {
        const std::size_t i = next_.fetch_add(1);
        if (i >= records_.size() || stop_) break;
        story_record& r = records_[i];  // this thread's alone until wait()
        const std::string uri = story_uri(opts_.scenario, opts_.first + i);
        const std::string body = make_story(uri, opts_.pad_bytes);
        auto backoff = 20ms;
        bool stop_sender = false;
        while (r.outcome == story_record::state::unsent) {
            if (steady::now() > deadline_ || stop_) {
                if (r.attempts > 0) r.outcome = story_record::state::gave_up;
                break;
            }
            testing::http_answer a;
            r.sent_at = steady::now();
            try {
                if (!client) client.emplace(opts_.port);
                a = client->post_story(k_feed, k_api_key, body, "application/json");
            } catch (const std::exception&) {
                a.status = 0;  // connection refused: the gateway is down
            }
            // A connection that failed once is not trusted again (it may be half-closed).
            if (a.status == 0) client.reset();
            ++r.attempts;
            r.last_http = a.status;
            r.answered_at = steady::now();
            {
                std::lock_guard lk(mu_);
                ++answers_[a.status];
            }
            if ((a.status == 429 || a.status == 503) && !a.headers.count("retry-after"))
                ++no_retry_after_;
            std::string_view item_status, item_uri;
            simdjson::dom::element doc;
            if (!a.body.empty() && !parser.parse(a.body).get(doc)) {
                simdjson::dom::element item;
                if (!doc["items"].at(0).get(item)) {
                    // Either may be absent (an error answer): then it stays empty.
                    if (item["status"].get(item_status) != simdjson::SUCCESS) item_status = {};
                    if (item["uri"].get(item_uri) != simdjson::SUCCESS) item_uri = {};
                }
            }
            r.item_status = std::string(item_status);
            if ((a.status == 200 || a.status == 207) && accepted_status(item_status) &&
                item_uri == uri) {
                r.outcome = story_record::state::accepted;
                ++accepted_;
                break;
            }
            const bool retryable = a.status == 0 || a.status == 429 || a.status >= 500;
            if (!retryable) {
                r.outcome = story_record::state::refused;
                std::lock_guard lk(mu_);
                if (first_refusal_.empty())
                    first_refusal_ = uri + " -> " + std::to_string(a.status) + " " + a.body;
                break;
            }
            if (!opts_.retry) {
                r.outcome = story_record::state::gave_up;
                stop_sender = a.status == 503;  // "push until answers turn 503"
                break;
            }
            // A sender's backoff between retries, as an agency's client has: not a wait for
            // the test's sake. Retry-After is checked for presence, not awaited in full: the
            // capped backoff keeps the scenario short.
            std::this_thread::sleep_for(backoff);
            backoff = std::min<std::chrono::milliseconds>(backoff * 2, 500ms);
        }
        if (stop_sender) break;
    }
    ++finished_threads_;
}

std::vector<std::string> story_load::accepted_uris() const {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < records_.size(); ++i)
        if (records_[i].outcome == story_record::state::accepted)
            out.push_back(story_uri(opts_.scenario, opts_.first + i));
    return out;
}

std::vector<std::string> story_load::sent_uris() const {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < records_.size(); ++i)
        if (records_[i].attempts > 0) out.push_back(story_uri(opts_.scenario, opts_.first + i));
    return out;
}

std::size_t story_load::count(story_record::state s) const {
    std::size_t n = 0;
    for (const auto& r : records_) n += r.outcome == s;
    return n;
}

std::optional<time_point> story_load::first_published_after(time_point t) const {
    std::optional<time_point> best;
    for (const auto& r : records_)
        if (r.outcome == story_record::state::accepted && r.item_status == "published" &&
            r.sent_at >= t && (!best || r.answered_at < *best))
            best = r.answered_at;
    return best;
}

std::size_t story_load::answers(int http_status) const {
    std::lock_guard lk(mu_);
    auto it = answers_.find(http_status);
    return it == answers_.end() ? 0 : it->second;
}

std::string story_load::summary() const {
    std::string s;
    {
        std::lock_guard lk(mu_);
        for (const auto& [code, n] : answers_)
            s += (s.empty() ? "" : " ") + std::to_string(code) + ":" + std::to_string(n);
    }
    s += "; accepted " + std::to_string(count(story_record::state::accepted)) + " refused " +
         std::to_string(count(story_record::state::refused)) + " gave_up " +
         std::to_string(count(story_record::state::gave_up)) + " unsent " +
         std::to_string(count(story_record::state::unsent));
    std::lock_guard lk(mu_);
    if (!first_refusal_.empty()) s += "; first refusal: " + first_refusal_.substr(0, 400);
    return s;
}

}  // namespace wire::faults

#pragma once
// The senders of a fault scenario: 4-8 threads, each a keep-alive Beast HTTP client, pushing
// ninjs stories with unique uris and remembering, per story, whether the gateway accepted it.
// Like a real agency they retry what got no answer, a 429 or a 5xx until it is accepted (or the
// load's deadline passes); the counting that follows trusts only these records.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace wire::faults {

using time_point = std::chrono::steady_clock::time_point;

/// `urn:faults:<scenario>:<n>`.
std::string story_uri(const std::string& scenario, std::size_t n);
/// tests/fixtures/ninjs/good/001-text-2x.json with that uri, version "1", and `pad_bytes` of
/// filler text in its body (to fill a disk with fewer requests).
std::string make_story(const std::string& uri, std::size_t pad_bytes = 0);

struct load_options {
    std::string scenario;
    std::uint16_t port = 0;
    std::size_t first = 0;  // story numbers first .. first+count-1
    std::size_t count = 2000;
    int threads = 6;
    /// false: one attempt per story, and a sender stops at its first 503 (disk-full scenario).
    bool retry = true;
    std::chrono::seconds deadline{300};  // from start(): no attempt begins after it
    std::size_t pad_bytes = 0;
};

/// What became of one story.
struct story_record {
    enum class state { unsent, accepted, refused, gave_up };
    state outcome = state::unsent;
    int attempts = 0;
    int last_http = 0;        // 0: no answer
    std::string item_status;  // published | spooled | held | duplicate | failed | rejected …
    time_point sent_at{}, answered_at{};  // of the last attempt
};

class story_load {
  public:
    explicit story_load(load_options opts);
    ~story_load();  // stops and joins the senders (an assertion may have ended the test early)
    story_load(const story_load&) = delete;
    story_load& operator=(const story_load&) = delete;

    void start();
    /// Waits until at least n stories were accepted, the load ended, or the timeout passed.
    bool wait_accepted(std::size_t n, std::chrono::milliseconds timeout);
    /// Joins the senders (they stop by themselves: every story done, or the deadline).
    void wait();
    /// Tells the senders to stop after their current request; wait() then returns soon.
    void stop() { stop_ = true; }

    std::size_t accepted() const { return accepted_.load(); }
    std::size_t total() const { return opts_.count; }

    // After wait():
    std::vector<std::string> accepted_uris() const;
    std::vector<std::string> sent_uris() const;  // sent at least once
    std::size_t count(story_record::state s) const;
    /// The earliest "published" answer to a request sent at or after `t`, if any. Sent, not
    /// answered: an answer the killed process wrote just before it died is read later.
    std::optional<time_point> first_published_after(time_point t) const;
    /// The number of answers with this HTTP status (0: no answer), over every attempt.
    std::size_t answers(int http_status) const;
    /// 429/503 answers that came without a Retry-After header.
    std::size_t throttles_without_retry_after() const { return no_retry_after_.load(); }
    /// "200:1990 503:12 0:4; accepted 1990 refused 0 gave_up 10; first refusal: …"
    std::string summary() const;

  private:
    void sender();
    load_options opts_;
    std::vector<story_record> records_;
    std::vector<std::thread> threads_;
    std::atomic<std::size_t> next_{0}, accepted_{0}, no_retry_after_{0};
    std::atomic<int> finished_threads_{0};
    std::atomic<bool> stop_{false};
    time_point deadline_{};
    mutable std::mutex mu_;
    std::map<int, std::size_t> answers_;
    std::string first_refusal_;
};

}  // namespace wire::faults

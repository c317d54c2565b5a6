#pragma once
// Helpers for integration tests that run the whole gateway in process against the real broker:
// a config built in code (unique topics, ephemeral ports), a small Beast HTTP client, a raw TCP
// sender, and the fixture catalogue (each good fixture with the feed options it needs).
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "config/config.hpp"

namespace wire::testing {

namespace fs = std::filesystem;

fs::path fixtures_dir();
std::string read_file(const fs::path& p);
/// tests/fixtures/ninjs/good/001-text-2x.json with its uri and version replaced, then each
/// (from, to) of `more` applied to its first occurrence.
std::string ninjs_fixture(const std::string& uri, const std::string& version,
                          const std::vector<std::pair<std::string, std::string>>& more = {});

/// One good fixture: its bytes, format folder, the feed options its .options.json asks for,
/// and how many stories its .expected.json lists.
struct fixture {
    fs::path path;
    std::string format, profile, charset, agency;
    std::size_t stories = 0;
    bool streamable = true;  // options "stream": false: cut or unframed copy a framer cannot carry
    std::string feed_id() const;  // "fx-<format>-<profile>-<charset>-<agency>", sanitised
};
std::vector<fixture> good_fixtures(const std::vector<std::string>& formats = {});

/// A config for tests: one feed per distinct fixture feed id (API key "key-<feed>"), plain
/// HTTP and admin on port 0, and routing over unique topics:
///   <prefix>.all (copy, everything), <prefix>.flash (copy, urgency <= 2),
///   <prefix>.alerts (copy, kill|withhold|correction), default <prefix>.desk,
///   <prefix>.rejected. Topics are created by the gateway (create_topics 3 partitions).
struct test_topics {
    std::string all, flash, alerts, desk, rejected;
};
config::gateway_config make_config(const std::vector<fixture>& fixtures, test_topics& topics);
/// Adds a feed with key "key-<id>".
config::feed_config& add_feed(config::gateway_config& cfg, const std::string& id,
                              const std::string& format, const std::string& profile = "",
                              const std::string& charset = "", const std::string& agency = "");

struct http_answer {
    int status = 0;  // 0 = no answer (connection closed)
    std::string body;
    std::map<std::string, std::string> headers;  // lower-case names
};

/// A keep-alive HTTP/1.1 client on 127.0.0.1.
class http_client {
  public:
    explicit http_client(std::uint16_t port);
    ~http_client();
    http_answer request(const std::string& method, const std::string& target,
                        const std::string& body,
                        const std::vector<std::pair<std::string, std::string>>& headers = {});
    /// POST to /v1/feeds/<feed>/stories with "Authorization: Bearer <key>".
    http_answer post_story(const std::string& feed, const std::string& key, const std::string& body,
                           const std::string& content_type = "",
                           const std::vector<std::pair<std::string, std::string>>& extra = {});
    /// True once the server closed the connection (reads EOF within the timeout).
    bool closed_by_server(std::chrono::milliseconds timeout);

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// Sends bytes on a fresh TCP connection and closes it.
void send_tcp(std::uint16_t port, const std::string& bytes);

/// Polls `pred` every 10 ms until true or the deadline: waiting for a condition, not a sleep.
bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout);

/// The value of a header in a consumed message ("" when absent).
std::string header(const std::vector<std::pair<std::string, std::string>>& hs,
                   const std::string& name);

}  // namespace wire::testing

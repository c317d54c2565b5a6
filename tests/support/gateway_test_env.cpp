#include "gateway_test_env.hpp"

#include <simdjson.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "kafka_test_env.hpp"

namespace wire::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

fs::path fixtures_dir() { return fs::path(WIREGATE_SOURCE_DIR) / "tests" / "fixtures"; }

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string ninjs_fixture(const std::string& uri, const std::string& version,
                          const std::vector<std::pair<std::string, std::string>>& more) {
    std::string s = read_file(fixtures_dir() / "ninjs/good/001-text-2x.json");
    auto swap = [&](const std::string& from, const std::string& to) {
        auto at = s.find(from);
        if (at != std::string::npos) s.replace(at, from.size(), to);
    };
    swap("urn:newsml:example.com:20170710:nato-ukraine", uri);
    swap("\"version\": \"3\"", "\"version\": \"" + version + "\"");
    for (const auto& [from, to] : more) swap(from, to);
    return s;
}

std::string fixture::feed_id() const {
    std::string id = "fx-" + format + "-" + profile + "-" + charset + "-" + agency;
    for (auto& c : id) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') c = '-';
    }
    return id;
}

std::vector<fixture> good_fixtures(const std::vector<std::string>& formats) {
    std::vector<fixture> out;
    simdjson::dom::parser parser;
    for (const auto& dir : fs::directory_iterator(fixtures_dir())) {
        std::string format = dir.path().filename().string();
        if (!fs::is_directory(dir.path() / "good")) continue;
        if (!formats.empty() && std::find(formats.begin(), formats.end(), format) == formats.end())
            continue;
        for (const auto& f : fs::directory_iterator(dir.path() / "good")) {
            std::string name = f.path().filename().string();
            if (name.find(".expected.json") != std::string::npos ||
                name.find(".options.json") != std::string::npos || name[0] == '.' ||
                name == "README.md")
                continue;
            fixture fx;
            fx.path = f.path();
            fx.format = format;
            std::string stem = name.substr(0, name.find('.'));
            auto opts = f.path().parent_path() / (stem + ".options.json");
            if (fs::exists(opts)) {
                auto doc = parser.load(opts.string());
                std::string_view v;
                if (!doc["profile"].get(v)) fx.profile = v;
                if (!doc["charset"].get(v)) fx.charset = v;
                if (!doc["agency"].get(v)) fx.agency = v;
                bool b;
                if (!doc["stream"].get(b)) fx.streamable = b;
            }
            auto expected = f.path().parent_path() / (stem + ".expected.json");
            simdjson::dom::array arr;
            if (fs::exists(expected) && !parser.load(expected.string()).get(arr))
                fx.stories = arr.size();
            out.push_back(std::move(fx));
        }
    }
    std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.path < b.path; });
    return out;
}

config::feed_config& add_feed(config::gateway_config& cfg, const std::string& id,
                              const std::string& format, const std::string& profile,
                              const std::string& charset, const std::string& agency) {
    config::feed_config f;
    f.id = id;
    f.format = format;
    f.profile = profile;
    f.charset = charset;
    f.agency = agency;
    config::secret_ref key;
    key.value = "key-" + id;
    f.auth.api_keys.push_back(key);
    cfg.feeds.push_back(std::move(f));
    return cfg.feeds.back();
}

config::gateway_config make_config(const std::vector<fixture>& fixtures, test_topics& t) {
    config::gateway_config cfg;
    cfg.instance = "test";
    cfg.drain_timeout_ms = 10000;
    config::http_listener_config h;
    h.port = 0;
    cfg.http.push_back(h);
    cfg.admin.port = 0;
    std::string prefix = unique_topic("gw");
    t = {prefix + ".all", prefix + ".flash", prefix + ".alerts", prefix + ".desk",
         prefix + ".rejected"};
    cfg.routing.topics = {t.all, t.flash, t.alerts, t.desk, t.rejected};
    cfg.routing.default_topics = {t.desk};
    cfg.routing.rejected_topic = t.rejected;
    config::route_rule all{"all", {}, {t.all}, true};
    config::route_rule flash{"flash", {}, {t.flash}, true};
    flash.match.urgency_max = 2;
    config::route_rule alerts{"alerts", {}, {t.alerts}, true};
    alerts.match.signal = {"kill", "withhold", "correction"};
    cfg.routing.rules = {all, flash, alerts};
    cfg.kafka.brokers = test_brokers();
    cfg.kafka.create_topics_partitions = 3;
    cfg.kafka.create_topics_replication = 1;
    cfg.kafka.metadata_refresh_ms = 2000;
    // Every in-process gateway runs with a spool, as production does; a generous ack wait
    // keeps answers "published" (not "spooled") on a slow sanitizer build.
    cfg.spool.dir = (fs::temp_directory_path() / ("wiregate-test-spool-" + prefix)).string();
    cfg.spool.fsync = "never";
    cfg.spool.ack_wait_ms = 30000;
    std::set<std::string> seen;
    for (const auto& fx : fixtures)
        if (seen.insert(fx.feed_id()).second)
            add_feed(cfg, fx.feed_id(), fx.format, fx.profile, fx.charset, fx.agency);
    return cfg;
}

struct http_client::impl {
    asio::io_context io;
    beast::tcp_stream stream{io};
    beast::flat_buffer buffer;
    std::uint16_t port;
    bool connected = false;
    void connect() {
        stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
        connected = true;
    }
};

http_client::http_client(std::uint16_t port) : impl_(std::make_unique<impl>()) {
    impl_->port = port;
    impl_->connect();
}
http_client::~http_client() = default;

http_answer http_client::request(const std::string& method, const std::string& target,
                                 const std::string& body,
                                 const std::vector<std::pair<std::string, std::string>>& headers) {
    if (!impl_->connected) impl_->connect();
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    http_answer a;
    beast::error_code ec;
    impl_->stream.expires_after(std::chrono::seconds(60));
    http::write(impl_->stream, req, ec);
    if (ec) {
        impl_->connected = false;
        return a;
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    parser.skip(req.method() == http::verb::head);  // a HEAD answer has no body to read
    http::read(impl_->stream, impl_->buffer, parser, ec);
    if (ec) {
        impl_->connected = false;
        impl_->stream.close();
        return a;
    }
    auto res = parser.release();
    a.status = static_cast<int>(res.result_int());
    a.body = res.body();
    for (const auto& f : res) {
        std::string name(f.name_string());
        std::transform(name.begin(), name.end(), name.begin(), ::tolower);
        a.headers[name] = std::string(f.value());
    }
    if (!res.keep_alive()) {
        impl_->stream.close();
        impl_->connected = false;
    }
    return a;
}

http_answer http_client::post_story(const std::string& feed, const std::string& key,
                                    const std::string& body, const std::string& content_type,
                                    const std::vector<std::pair<std::string, std::string>>& extra) {
    std::vector<std::pair<std::string, std::string>> hs = extra;
    if (!key.empty()) hs.emplace_back("Authorization", "Bearer " + key);
    if (!content_type.empty()) hs.emplace_back("Content-Type", content_type);
    return request("POST", "/v1/feeds/" + feed + "/stories", body, hs);
}

bool http_client::closed_by_server(std::chrono::milliseconds timeout) {
    if (!impl_->connected) return true;
    // The stream's timer only bounds asynchronous reads: a blocking read_some would wait for
    // ever on a server that never closes, turning a failure into a hang.
    char c;
    beast::error_code ec = asio::error::would_block;
    impl_->stream.expires_after(timeout);
    impl_->stream.async_read_some(asio::buffer(&c, 1),
                                  [&](beast::error_code e, std::size_t) { ec = e; });
    impl_->io.restart();
    impl_->io.run();
    return ec == asio::error::eof || ec == asio::error::connection_reset;
}

void send_tcp(std::uint16_t port, const std::string& bytes) {
    asio::io_context io;
    tcp::socket s(io);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    // A server that refuses the peer may reset the connection mid-write: that is an outcome the
    // caller checks through metrics, not an exception here.
    beast::error_code ec;
    asio::write(s, asio::buffer(bytes), ec);
    s.shutdown(tcp::socket::shutdown_send, ec);
    // Wait for the server's close so that every byte was read before we return.
    char c;
    s.read_some(asio::buffer(&c, 1), ec);
}

bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

std::string header(const std::vector<std::pair<std::string, std::string>>& hs,
                   const std::string& name) {
    for (const auto& [k, v] : hs)
        if (k == name) return v;
    return {};
}

}  // namespace wire::testing

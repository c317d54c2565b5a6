// Connection-level limits and HTTPS against the real broker: header limit, slow and idle
// clients, the connection cap, a full producer queue (503), a fatal producer error (readiness
// flips, the producer is rebuilt), and TLS with certificates from files.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>

#include "gateway_fixture.hpp"

using namespace wire::testing;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

const std::string& story_body() {
    static const std::string body = read_file(fixtures_dir() / "ninjs/good/001-text-2x.json");
    return body;
}

// True when the server closes `s` (EOF or reset) within `timeout`.
bool server_closes(tcp::socket& s, std::chrono::milliseconds timeout) {
    // poll(2) rather than asio's blocking read, which would ignore any timeout.
    auto deadline = std::chrono::steady_clock::now() + timeout;
    char buf[4096];
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;  // still open
        pollfd p{s.native_handle(), POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
        ssize_t n = ::recv(s.native_handle(), buf, sizeof buf, 0);
        if (n == 0 || (n < 0 && errno == ECONNRESET)) return true;
        if (n < 0 && errno != EINTR && errno != EAGAIN) return false;
    }
}

class GatewayLimits : public gateway_test {
  protected:
    void SetUp() override {
        make();
        add_feed(cfg_, "f", "ninjs");
    }
    tcp::socket raw_connection() {
        tcp::socket s(io_);
        s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port()));
        return s;
    }
    asio::io_context io_;
};

TEST_F(GatewayLimits, HeaderOverTheLimitIsAnswered431) {
    cfg_.limits.max_header_bytes = 1024;
    start_gateway();
    http_client c(port());
    auto a = c.post_story("f", "key-f", story_body(), "", {{"X-Padding", std::string(4096, 'p')}});
    EXPECT_EQ(a.status, 431) << a.body;
}

TEST_F(GatewayLimits, SlowlorisHeaderIsCutOffAtTheReadTimeout) {
    cfg_.limits.read_timeout_ms = 300;
    start_gateway();
    auto s = raw_connection();
    asio::write(s, asio::buffer(std::string("POST /v1/feeds/f/stories HTTP/1.1\r\nHost: x\r\n")));
    // The header never completes: the gateway must hang up on its own.
    EXPECT_TRUE(server_closes(s, 5s));
}

TEST_F(GatewayLimits, SlowBodyIsCutOffAtTheReadTimeout) {
    cfg_.limits.read_timeout_ms = 300;
    start_gateway();
    auto s = raw_connection();
    asio::write(s, asio::buffer(std::string("POST /v1/feeds/f/stories HTTP/1.1\r\nHost: x\r\n"
                                            "Authorization: Bearer key-f\r\n"
                                            "Content-Length: 1000\r\n\r\n{\"uri\":")));
    EXPECT_TRUE(server_closes(s, 5s));
}

TEST_F(GatewayLimits, IdleKeepAliveConnectionIsClosedAfterTheIdleTimeout) {
    cfg_.limits.idle_timeout_ms = 200;
    start_gateway();
    http_client c(port());
    ASSERT_EQ(c.post_story("f", "key-f", story_body()).status, 200);
    EXPECT_TRUE(c.closed_by_server(5s));
}

TEST_F(GatewayLimits, ConnectionsOverTheCapAreClosedAtOnce) {
    cfg_.limits.max_connections = 2;
    start_gateway();
    http_client a(port()), b(port());
    // Both accepted keep-alive connections serve requests; a third is closed without an answer.
    EXPECT_EQ(a.post_story("f", "key-f", story_body()).status, 200);
    EXPECT_EQ(b.post_story("f", "key-f", story_body()).status, 200);
    auto third = raw_connection();
    EXPECT_TRUE(server_closes(third, 5s));
    EXPECT_EQ(a.post_story("f", "key-f", story_body()).status, 200);
}

TEST_F(GatewayLimits, ProducerQueueAboveHighWaterAnswers503WithRetryAfterAndNotReady) {
    cfg_.limits.producer_queue_high_water = 0;  // always "full": no broker needed to fill it
    cfg_.limits.retry_after_seconds = 3;
    svc_ = std::make_unique<wire::service::gateway_service>(cfg_, "");
    ASSERT_EQ(svc_->start(), "");
    http_client c(port());
    auto a = c.post_story("f", "key-f", story_body());
    EXPECT_EQ(a.status, 503) << a.body;
    EXPECT_EQ(a.headers["retry-after"], "3");
    http_client admin(svc_->admin_port());
    auto ready = admin.request("GET", "/readyz", "");
    EXPECT_EQ(ready.status, 503);
    EXPECT_NE(ready.body.find("high-water"), std::string::npos) << ready.body;
}

TEST_F(GatewayLimits, FatalProducerErrorFlipsReadinessAndTheProducerIsRebuilt) {
    start_gateway();
    auto before = svc_->current_producer();
    ASSERT_EQ(rd_kafka_test_fatal_error(before->handle(), RD_KAFKA_RESP_ERR_PRODUCER_FENCED,
                                        "test: fenced"),
              RD_KAFKA_RESP_ERR_NO_ERROR);
    EXPECT_FALSE(svc_->not_ready().empty()) << "a fatal producer must not be ready";
    ASSERT_TRUE(eventually([&] { return svc_->current_producer() != before; }, 15s));
    ASSERT_TRUE(eventually([&] { return svc_->not_ready().empty(); }, 15s));
    before.reset();
    http_client c(port());
    EXPECT_EQ(c.post_story("f", "key-f", story_body()).status, 200);
    auto text = svc_->registry().render();
    EXPECT_NE(text.find("wiregate_producer_rebuilds_total 1"), std::string::npos) << text;
}

TEST_F(GatewayLimits, HttpsListenerServesWithCertificateFromFiles) {
    auto dir =
        std::filesystem::temp_directory_path() / ("wiregate-tls-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
    const std::string cmd =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1"
        " -addext subjectAltName=IP:127.0.0.1 -keyout " +
        key + " -out " + cert + " 2>/dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    cfg_.http[0].tls = wire::config::tls_config{cert, key};
    start_gateway();

    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.load_verify_file(cert);
    ctx.set_verify_mode(asio::ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(io_, ctx);
    stream.set_verify_callback(asio::ssl::host_name_verification("127.0.0.1"));
    beast::get_lowest_layer(stream).connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), port()));
    stream.handshake(asio::ssl::stream_base::client);
    http::request<http::string_body> req{http::verb::post, "/v1/feeds/f/stories", 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::authorization, "Bearer key-f");
    req.body() = story_body();
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    http::read(stream, buf, res);
    EXPECT_EQ(res.result_int(), 200u) << res.body();
    EXPECT_NE(res.body().find(topics_.all), std::string::npos);

    // Plain HTTP on the TLS port gets no answer.
    http_client plain(port());
    EXPECT_EQ(plain.post_story("f", "key-f", story_body()).status, 0);
    std::filesystem::remove_all(dir);
}

}  // namespace

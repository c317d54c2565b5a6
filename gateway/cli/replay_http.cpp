#include "cli/replay_http.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <cstdio>
#include <thread>

#include "auth/authenticator.hpp"
#include "version.hpp"

namespace wire::gateway::cli {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

constexpr int k_max_retries = 3;
constexpr std::chrono::seconds k_shutdown_timeout{2};

bool closed_by_peer(const beast::error_code& ec) {
    return ec == http::error::end_of_stream || ec == asio::error::eof ||
           ec == asio::error::connection_reset || ec == asio::error::connection_aborted ||
           ec == asio::error::broken_pipe || ec == ssl::error::stream_truncated;
}

// A blocking HTTP/1.1 client on one kept-alive connection. Every step runs as an asynchronous
// operation under the stream's deadline (Beast's timeouts only cover asynchronous operations),
// so a gateway that stops answering ends in a timeout, never a hang.
}  // namespace

class http_client {
  public:
    http_client(replay::endpoint ep, const connection_settings& a)
        : ep_(std::move(ep)), timeout_(a.timeout_s), verify_(!a.insecure) {
        if (!ep_.tls) return;
        ssl_.set_verify_mode(verify_ ? ssl::verify_peer : ssl::verify_none);
        if (verify_ && a.ca_file.empty()) ssl_.set_default_verify_paths();
        if (verify_ && !a.ca_file.empty()) ssl_.load_verify_file(a.ca_file);  // throws if bad
    }
    http_client(const http_client&) = delete;
    http_client& operator=(const http_client&) = delete;
    ~http_client() { close(true); }

    /// One request and its answer. A kept-alive connection the gateway has closed meanwhile
    /// (its idle timeout) is replaced once; any other failure is returned.
    beast::error_code exchange(const http::request<http::string_body>& req,
                               http::response<http::string_body>& res) {
        for (int attempt = 0;; ++attempt) {
            const bool fresh = !tcp_ && !tls_;
            if (fresh)
                if (auto ec = connect()) return ec;
            res = {};
            auto ec = tls_ ? round_trip(*tls_, req, res) : round_trip(*tcp_, req, res);
            if (!ec) {
                if (!res.keep_alive()) close(true);
                return ec;
            }
            close(false);
            if (fresh || attempt > 0 || !closed_by_peer(ec)) return ec;
        }
    }

    void close(bool graceful) {
        if (!tcp_ && !tls_) return;
        if (tls_ && graceful)  // close_notify; a peer that does not answer it is not waited for
            run(k_shutdown_timeout, [&](auto h) { tls_->async_shutdown(h); });
        beast::error_code ignored;
        lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
        lowest().socket().close(ignored);
        tls_.reset();
        tcp_.reset();
        buffer_.clear();
    }

  private:
    beast::tcp_stream& lowest() { return tls_ ? beast::get_lowest_layer(*tls_) : *tcp_; }

    // Starts one asynchronous operation and runs the io_context until it is done or timed out.
    template <class Start>
    beast::error_code run(std::chrono::seconds limit, Start start) {
        beast::error_code result = asio::error::would_block;
        lowest().expires_after(limit);
        start([&result](beast::error_code ec, auto&&...) { result = ec; });
        ioc_.restart();
        ioc_.run();
        return result;
    }

    beast::error_code connect() {
        beast::error_code ec;
        auto endpoints = tcp::resolver(ioc_).resolve(ep_.host, ep_.port, ec);
        if (ec) return ec;
        if (ep_.tls) {
            tls_ = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ioc_, ssl_);
            beast::error_code not_ip;
            asio::ip::make_address(ep_.host, not_ip);
            if (not_ip) SSL_set_tlsext_host_name(tls_->native_handle(), ep_.host.c_str());  // SNI
            if (verify_) tls_->set_verify_callback(ssl::host_name_verification(ep_.host));
        } else {
            tcp_ = std::make_unique<beast::tcp_stream>(ioc_);
        }
        ec = run(timeout_, [&](auto h) { lowest().async_connect(endpoints, h); });
        if (!ec && tls_)
            ec = run(timeout_, [&](auto h) { tls_->async_handshake(ssl::stream_base::client, h); });
        if (ec) close(false);
        return ec;
    }

    template <class Stream>
    beast::error_code round_trip(Stream& s, const http::request<http::string_body>& req,
                                 http::response<http::string_body>& res) {
        auto ec = run(timeout_, [&](auto h) { http::async_write(s, req, h); });
        if (!ec) ec = run(timeout_, [&](auto h) { http::async_read(s, buffer_, res, h); });
        return ec;
    }

    replay::endpoint ep_;
    std::chrono::seconds timeout_;
    bool verify_;
    asio::io_context ioc_;
    ssl::context ssl_{ssl::context::tls_client};
    std::unique_ptr<beast::tcp_stream> tcp_;
    std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls_;
    beast::flat_buffer buffer_;
};

namespace {

std::string unix_now() {
    return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count());
}

void print_answer(std::string_view label, const http::response<http::string_body>& res, bool json) {
    if (json) {  // JSON strings escape their newlines: any raw one is layout
        std::string line = res.body().empty()
                               ? "{\"http_status\":" + std::to_string(res.result_int()) + "}"
                               : res.body();
        for (auto& c : line)
            if (c == '\n' || c == '\r') c = ' ';
        std::printf("%s\n", line.c_str());
    } else {
        std::printf("%.*s -> %u\n", static_cast<int>(label.size()), label.data(), res.result_int());
        for (const auto& l : replay::answer_lines(res.body())) std::printf("%s\n", l.c_str());
    }
    std::fflush(stdout);
}

}  // namespace

story_poster::story_poster(replay::endpoint ep, const connection_settings& connection,
                           poster_settings settings)
    : ep_(std::move(ep)),
      settings_(std::move(settings)),
      client_(std::make_unique<http_client>(ep_, connection)) {}

story_poster::~story_poster() { client_->close(true); }

int story_poster::post(std::string_view label, std::string body, const std::string& content_type) {
    http::request<http::string_body> req{http::verb::post, replay::push_target(ep_, settings_.feed),
                                         11};
    req.body() = std::move(body);
    req.set(http::field::host, replay::host_header(ep_));
    req.set(http::field::user_agent, std::string("wiregate-replay/") + k_version);
    req.set(http::field::content_type, content_type);
    if (!settings_.api_key.empty())
        req.set(http::field::authorization, "Bearer " + settings_.api_key);
    req.keep_alive(true);
    req.prepare_payload();
    http::response<http::string_body> res;
    const int l = static_cast<int>(label.size());
    for (int retry = 0;; ++retry) {
        if (!settings_.hmac_secret
                 .empty()) {  // signed afresh on each try: the timestamp has a window
            std::string ts = unix_now();
            req.set("X-Wiregate-Timestamp", ts);
            req.set("X-Wiregate-Signature", auth::sign(settings_.hmac_secret, ts, req.body()));
        }
        if (auto ec = client_->exchange(req, res)) {
            std::fprintf(stderr, "%.*s -> connection error (%s:%s): %s\n", l, label.data(),
                         ep_.host.c_str(), ep_.port.c_str(), ec.message().c_str());
            return -1;
        }
        unsigned code = res.result_int();
        if ((code != 429 && code != 503) || retry == k_max_retries) break;
        auto wait = replay::retry_delay(res[http::field::retry_after]);
        std::fprintf(stderr, "%.*s -> %u, retry %d of %d in %lld s\n", l, label.data(), code,
                     retry + 1, k_max_retries, static_cast<long long>(wait.count()));
        std::this_thread::sleep_for(wait);
    }
    print_answer(label, res, settings_.json);
    return static_cast<int>(res.result_int());
}

}  // namespace wire::gateway::cli

#pragma once
// http_server: a Beast HTTP/1.1 (optionally TLS) listener with the limits a public ingest port
// needs: header and body size limits, a read timeout for each request, an idle timeout between
// keep-alive requests, a cap on open connections, and a drain mode (finish the request in hand,
// then close). What to answer is the handler's business (ingest_handler, admin_handler).
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http.hpp>

namespace wire::listeners {

namespace http = boost::beast::http;
using http_request = http::request<http::string_body>;
using http_request_header = http::request_header<>;
using http_response = http::response<http::string_body>;

/// A JSON answer with the usual headers; `retry_after` > 0 adds Retry-After.
http_response json_response(http::status status, std::string body, unsigned version = 11,
                            std::uint32_t retry_after = 0);
/// {"error":{"code":…,"message":…}}
std::string error_body(std::string_view code, std::string_view message);

class http_handler {
  public:
    virtual ~http_handler() = default;
    /// Called once the header is in: an early answer (then the connection closes, the body
    /// unread) or nullopt to read the body.
    virtual std::optional<http_response> on_header(const http_request_header& h,
                                                   const std::string& peer) = 0;
    /// The whole request. `reply` must be called exactly once, from any thread.
    virtual void on_request(http_request req, const std::string& peer,
                            std::function<void(http_response)> reply) = 0;
};

struct http_server_limits {
    std::size_t max_header_bytes = 16u << 10;
    std::size_t max_body_bytes = 16u << 20;
    std::uint32_t read_timeout_ms = 30000;
    std::uint32_t idle_timeout_ms = 60000;
    std::size_t max_connections = 1024;
};

// How a session reads one request, apart from the socket: the parser it uses and what it
// answers when reading fails. Shared with the HTTP fuzzer (tests/fuzz/http_fuzz.cpp).
using http_request_parser = http::request_parser<http::string_body>;
/// Sets the header and body limits on a fresh parser.
void apply_limits(http_request_parser& parser, const http_server_limits& limits);
/// The answer to a failed read (413, 431 or 400; the connection closes after it), or nullopt
/// when the connection just closes unanswered (end of stream, timeout, reset).
std::optional<http_response> read_error_answer(const boost::system::error_code& ec,
                                               const http_server_limits& limits);

class http_server : public std::enable_shared_from_this<http_server> {
  public:
    /// Binds now (throws boost::system::system_error when the port is taken); `tls` may be null.
    http_server(boost::asio::io_context& io, const std::string& address, std::uint16_t port,
                std::shared_ptr<boost::asio::ssl::context> tls, std::shared_ptr<http_handler> h,
                http_server_limits limits, std::string name);
    ~http_server();
    std::uint16_t port() const { return port_; }
    void start();
    /// Stops accepting, and closes every connection once its current request is answered.
    void drain();
    std::size_t open_connections() const { return open_.load(); }
    const std::string& name() const { return name_; }

    struct session_base;  // internal

  private:
    void do_accept();
    void forget(session_base* s);

    boost::asio::io_context& io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::shared_ptr<boost::asio::ssl::context> tls_;
    std::shared_ptr<http_handler> handler_;
    http_server_limits limits_;
    std::string name_;
    std::uint16_t port_ = 0;
    std::atomic<std::size_t> open_{0};
    std::atomic<bool> draining_{false};
    std::mutex sessions_mu_;
    std::unordered_map<session_base*, std::weak_ptr<session_base>> sessions_;
    template <class Stream>
    friend class http_session;
};

/// A server-side TLS context from PEM files; throws std::runtime_error naming the file.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const std::string& cert_file,
                                                            const std::string& key_file);

}  // namespace wire::listeners

#pragma once
// http_server: a Beast HTTP/1.1 (optionally TLS) listener with the limits a public ingest port
// needs: header and body size limits, a read timeout for each request, an idle timeout between
// keep-alive requests, a cap on open connections, and a drain mode (finish the request in hand,
// then close). What to answer is the handler's business (ingest_handler, admin_handler).
// HTTPS: TLS 1.2 and newer, AEAD ciphers with forward secrecy; optionally client certificates
// (mTLS), whose verified identity reaches the handler in peer_info. set_tls() swaps the context
// for new connections (certificate reload); a connection keeps the context it was accepted with.
#include <algorithm>
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

#include "config/config.hpp"
#include "listeners/budgets.hpp"
#include "listeners/io_pool.hpp"

namespace wire::listeners {

namespace http = boost::beast::http;

/// A std::string body that grows as its bytes arrive. Beast's string_body reserves a declared
/// Content-Length in full before the first byte: a client could make us allocate 16 MiB by
/// saying so, and budgets could only charge what was declared, not what is held.
struct arriving_body : http::string_body {
    class reader {
      public:
        template <bool isRequest, class Fields>
        reader(http::header<isRequest, Fields>&, value_type& b) : body_(b) {}
        void init(const boost::optional<std::uint64_t>& length, boost::beast::error_code& ec) {
            ec = length && *length > body_.max_size() ? http::error::buffer_overflow
                                                      : boost::beast::error_code{};
            if (!ec && length) declared_ = static_cast<std::size_t>(*length);
        }
        template <class ConstBufferSequence>
        std::size_t put(const ConstBufferSequence& buffers, boost::beast::error_code& ec) {
            const auto extra = boost::asio::buffer_size(buffers);
            const auto size = body_.size();
            if (extra > body_.max_size() - size) {
                ec = http::error::buffer_overflow;
                return 0;
            }
            const std::size_t need = size + extra;
            if (need > body_.capacity()) {
                // Geometric growth, but never past a declared length: what is held is what came.
                std::size_t cap = std::max(need, 2 * body_.capacity());
                if (declared_ != 0) cap = std::max(need, std::min(cap, declared_));
                body_.reserve(cap);
            }
            body_.resize(need);
            ec = {};
            boost::asio::buffer_copy(boost::asio::buffer(&body_[size], extra), buffers);
            return extra;
        }
        void finish(boost::beast::error_code& ec) { ec = {}; }

      private:
        value_type& body_;
        std::size_t declared_ = 0;  // Content-Length; 0 = none (chunked, or empty)
    };
};

using http_request = http::request<arriving_body>;
using http_request_header = http::request_header<>;
using http_response = http::response<http::string_body>;

/// A JSON answer with the usual headers; `retry_after` > 0 adds Retry-After.
http_response json_response(http::status status, std::string body, unsigned version = 11,
                            std::uint32_t retry_after = 0);
/// {"error":{"code":…,"message":…}}
std::string error_body(std::string_view code, std::string_view message);

/// Who is at the other end of a connection.
struct peer_info {
    std::string address;
    // The client certificate the TLS handshake verified against the listener's client CA
    // (both "" when none was presented): its subject common name and the lower-case hex
    // SHA-256 of its DER.
    std::string cert_subject_cn;
    std::string cert_sha256;
    bool cert_required = false;  // the listener requires client certificates
};

class http_handler {
  public:
    virtual ~http_handler() = default;
    /// Called once the header is in: an early answer (then the connection closes, the body
    /// unread) or nullopt to read the body.
    virtual std::optional<http_response> on_header(const http_request_header& h,
                                                   const peer_info& peer) = 0;
    /// The whole request. `reply` must be called exactly once, from any thread.
    virtual void on_request(http_request req, const peer_info& peer,
                            std::function<void(http_response)> reply) = 0;
    /// The server ended a connection on its own, before the handler saw a whole request: an
    /// unparsable request or one over a size limit (`status` 400/413/431 was answered), a peer
    /// too slow (`status` 0: "read_timeout", "idle_timeout"), over the connection cap
    /// ("over_capacity") or over the cap for its address ("per_address"). For metrics; called on an
    /// I/O thread.
    virtual void on_connection_refused(int status, std::string_view reason) {
        (void)status;
        (void)reason;
    }
    /// Who a request's body is charged to (for ingest: its feed), asked once the header is in.
    virtual std::string budget_key(const http_request_header& h) {
        (void)h;
        return {};
    }
    /// The memory budget bodies are read against, shared by every connection: the server
    /// charges a body as its bytes arrive (what its string holds, in steps), whatever length
    /// it declared, and releases it once the answer is written or the connection ends. Without
    /// it, max_connections × max_body_bytes could be held at once by bodies still being sent.
    /// false: over the budget (the server then answers over_budget() and closes).
    virtual bool reserve_body(const std::string& key, const peer_info& peer, std::size_t bytes) {
        (void)key;
        (void)peer;
        (void)bytes;
        return true;
    }
    virtual void release_body(const std::string& key, const peer_info& peer, std::size_t bytes) {
        (void)key;
        (void)peer;
        (void)bytes;
    }
    /// The answer to a request whose body the budget could not take (429 + Retry-After).
    virtual http_response over_budget(const http_request_header& h);
};

/// What new connections of an HTTPS listener use: the context (null = plain HTTP) and whether
/// a client certificate is required.
struct tls_settings {
    std::shared_ptr<boost::asio::ssl::context> context;
    bool client_cert_required = false;
};

struct http_server_limits {
    std::size_t max_header_bytes = 16u << 10;
    std::size_t max_body_bytes = 16u << 20;
    std::uint32_t read_timeout_ms = 30000;
    std::uint32_t idle_timeout_ms = 60000;
    std::size_t max_connections = 1024;
    std::size_t max_connections_per_address = 0;  // 0: no per-address cap
};

// How a session reads one request, apart from the socket: the parser it uses and what it
// answers when reading fails. Shared with the HTTP fuzzer (tests/fuzz/http_fuzz.cpp).
using http_request_parser = http::request_parser<arriving_body>;
/// Sets the header and body limits on a fresh parser.
void apply_limits(http_request_parser& parser, const http_server_limits& limits);
/// The answer to a failed read (413, 431 or 400; the connection closes after it), or nullopt
/// when the connection just closes unanswered (end of stream, timeout, reset).
std::optional<http_response> read_error_answer(const boost::system::error_code& ec,
                                               const http_server_limits& limits);

class http_server : public std::enable_shared_from_this<http_server> {
  public:
    /// Binds now (throws boost::system::system_error when the port is taken); a null
    /// tls.context serves plain HTTP. Accepts on io.first(); connections run on io.next().
    /// `per_address` counts open connections by client address, shared by the listeners that
    /// share limits.max_connections_per_address (null: not counted).
    http_server(io_pool& io, const std::string& address, std::uint16_t port, tls_settings tls,
                std::shared_ptr<http_handler> h, http_server_limits limits, std::string name,
                std::shared_ptr<address_counts> per_address = nullptr);
    ~http_server();
    std::uint16_t port() const { return port_; }
    void start();
    /// Stops accepting, and closes every connection once its current request is answered.
    void drain();
    std::size_t open_connections() const { return open_.load(); }
    const std::string& name() const { return name_; }
    bool is_tls() const { return tls().context != nullptr; }
    /// New connections use `tls` from now on (an HTTPS listener stays HTTPS: a null context is
    /// ignored); open ones keep theirs.
    void set_tls(tls_settings tls);

    struct session_base;  // internal

  private:
    void do_accept();
    // Whether a connection from `address` may open now; counts it when so.
    bool admit(const std::string& address);
    void forget(session_base* s);
    tls_settings tls() const;

    io_pool& io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    mutable std::mutex tls_mu_;
    tls_settings tls_;  // guarded by tls_mu_
    std::shared_ptr<http_handler> handler_;
    http_server_limits limits_;
    std::string name_;
    std::shared_ptr<address_counts> per_address_;
    std::uint16_t port_ = 0;
    std::atomic<std::size_t> open_{0};
    std::atomic<bool> draining_{false};
    std::mutex sessions_mu_;
    std::unordered_map<session_base*, std::weak_ptr<session_base>> sessions_;
    template <class Stream>
    friend class http_session;
};

/// A server-side TLS context from a listener's PEM files: TLS 1.2 minimum, forward-secret AEAD
/// ciphers, the key checked against the certificate and, with client_auth, the client CAs
/// loaded and verification on. Throws std::runtime_error naming the file at fault.
tls_settings make_tls_context(const config::tls_config& cfg, const std::string& listener);

}  // namespace wire::listeners

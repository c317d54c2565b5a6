#include "listeners/http_server.hpp"

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <stdexcept>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

namespace wire::listeners {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

struct http_server::session_base : std::enable_shared_from_this<session_base> {
    virtual ~session_base() = default;
    virtual void start() = 0;
    virtual void drain() = 0;                 // from any thread
    std::shared_ptr<asio::ssl::context> tls;  // the context this connection was accepted with
};

namespace {

// The subject CN and SHA-256 fingerprint of the client certificate `ssl` verified, if any.
void read_client_cert(SSL* ssl, peer_info& peer) {
    X509* cert = SSL_get0_peer_certificate(ssl);
    if (cert == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) return;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (X509_digest(cert, EVP_sha256(), md, &n) != 1) return;
    static constexpr char hex[] = "0123456789abcdef";
    std::string fp;
    for (unsigned i = 0; i < n; ++i) {
        fp.push_back(hex[md[i] >> 4]);
        fp.push_back(hex[md[i] & 0x0f]);
    }
    X509_NAME* name = X509_get_subject_name(cert);
    int at = name ? X509_NAME_get_index_by_NID(name, NID_commonName, -1) : -1;
    if (at >= 0) {
        unsigned char* utf8 = nullptr;
        int len =
            ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, at)));
        if (len >= 0) peer.cert_subject_cn.assign(reinterpret_cast<char*>(utf8), len);
        OPENSSL_free(utf8);
    }
    peer.cert_sha256 = std::move(fp);
}

}  // namespace

template <class Stream>
class http_session final : public http_server::session_base {
  public:
    static constexpr bool is_tls = !std::is_same_v<Stream, beast::tcp_stream>;

    template <class... Args>
    http_session(std::shared_ptr<http_server> server, peer_info peer, Args&&... args)
        : server_(std::move(server)),
          stream_(std::forward<Args>(args)...),
          peer_(std::move(peer)) {}

    ~http_session() override {
        release_reserved();
        server_->forget(this);
        if (server_->per_address_) server_->per_address_->remove(peer_.address);
        server_->open_.fetch_sub(1);
    }

    void start() override {
        asio::dispatch(stream_.get_executor(), [self = self()] {
            if constexpr (is_tls) {
                self->lowest().expires_after(self->read_timeout());
                self->stream_.async_handshake(
                    asio::ssl::stream_base::server, [self](beast::error_code ec) {
                        if (ec) return self->on_handshake_error(ec);
                        read_client_cert(self->stream_.native_handle(), self->peer_);
                        self->read_header();
                    });
            } else {
                self->read_header();
            }
        });
    }

    void drain() override {
        // A connection waiting for its next request is closed at once; one with a request in
        // hand finishes it and closes after the answer (write() sees draining_).
        asio::post(stream_.get_executor(), [self = self()] {
            if (self->idle_) self->close();
        });
    }

  private:
    std::shared_ptr<http_session> self() {
        return std::static_pointer_cast<http_session>(shared_from_this());
    }
    beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }
    std::chrono::milliseconds read_timeout() const {
        return std::chrono::milliseconds(server_->limits_.read_timeout_ms);
    }

    void read_header() {
        if (server_->draining_) return close();
        parser_.emplace();
        apply_limits(*parser_, server_->limits_);
        idle_ = true;
        // The first request must arrive within the read timeout; later ones within the idle
        // timeout of the previous answer.
        lowest().expires_after(
            first_ ? read_timeout() : std::chrono::milliseconds(server_->limits_.idle_timeout_ms));
        http::async_read_header(
            stream_, buffer_, *parser_,
            [self = self()](beast::error_code ec, std::size_t) { self->on_header(ec); });
    }

    void on_header(beast::error_code ec) {
        idle_ = false;
        if (ec) return on_read_error(ec, true);
        lowest().expires_after(read_timeout());
        head_ = parser_->get().method() == http::verb::head;
        auto early = server_->handler_->on_header(parser_->get(), peer_);
        if (early) {
            // The body stays unread, so the connection cannot be reused.
            early->version(parser_->get().version());
            return write(std::move(*early), true);
        }
        budget_key_ = server_->handler_->budget_key(parser_->get());
        if (parser_->is_done()) return on_body();
        read_body();
    }

    // The body is read piece by piece and charged to the budget as it grows (what its string
    // holds, at most one body's limit), declared length or chunked: a length declared and never
    // sent holds nothing. The read timeout set at the header covers all of it.
    void read_body() {
        http::async_read_some(
            stream_, buffer_, *parser_, [self = self()](beast::error_code ec, std::size_t) {
                if (ec) return self->on_read_error(ec, false);
                // Charged in steps (fewer reservations), never past what the body may come to.
                const std::size_t max_body = self->server_->limits_.max_body_bytes;
                const auto declared = self->parser_->content_length();
                const std::size_t bound =
                    declared ? std::min<std::size_t>(*declared, max_body) : max_body;
                const std::size_t held = std::min(self->parser_->get().body().capacity(), bound);
                if (held > self->reserved_) {
                    const std::size_t want =
                        std::min(std::max(held, self->reserved_ + k_reserve_step), bound);
                    if (!self->reserve(want - self->reserved_)) return self->refuse_over_budget();
                }
                if (self->parser_->is_done()) return self->on_body();
                self->read_body();
            });
    }

    bool reserve(std::size_t bytes) {
        if (bytes == 0) return true;
        if (!server_->handler_->reserve_body(budget_key_, peer_, bytes)) return false;
        reserved_ += bytes;
        return true;
    }
    void release_reserved() {
        if (reserved_ == 0) return;
        server_->handler_->release_body(budget_key_, peer_, reserved_);
        reserved_ = 0;
    }
    void refuse_over_budget() {
        auto& h = *server_->handler_;
        h.on_connection_refused(0, "inflight_bytes");
        write(h.over_budget(parser_->get()), true);  // the body is left unread: close after
    }

    void on_body() {
        lowest().expires_never();  // the pipeline bounds its own time (publish timeout)
        http_request req = parser_->release();
        keep_alive_ = req.keep_alive();
        version_ = req.version();
        server_->handler_->on_request(std::move(req), peer_, [self = self()](http_response r) {
            asio::post(self->stream_.get_executor(),
                       [self, r = std::move(r)]() mutable { self->write(std::move(r), false); });
        });
    }

    // A failed handshake (no or an untrusted client certificate, TLS 1.1, plain HTTP on a TLS
    // port, a peer that stalls) gets no HTTP answer, but is counted so that an agency whose
    // certificate expired shows up in the metrics, not only in its own logs.
    void on_handshake_error(beast::error_code ec) {
        server_->handler_->on_connection_refused(
            0, ec == beast::error::timeout ? "tls_handshake_timeout" : "tls_handshake");
        close();
    }

    void on_read_error(beast::error_code ec, bool in_header) {
        auto& h = *server_->handler_;
        if (ec == beast::error::timeout) {
            // A peer that sends nothing, or too slowly (slowloris), within its time.
            h.on_connection_refused(0, in_header && !first_ ? "idle_timeout" : "read_timeout");
            return close();
        }
        auto answer = read_error_answer(ec, server_->limits_);
        if (!answer) return close();
        const int status = static_cast<int>(answer->result());
        h.on_connection_refused(status, status == 413   ? "body_too_large"
                                        : status == 431 ? "header_too_large"
                                                        : "bad_request");
        write(std::move(*answer), true);
    }

    void write(http_response r, bool close_after) {
        release_reserved();  // the body has been handed on or refused by now
        bool keep = !close_after && keep_alive_ && !server_->draining_;
        r.keep_alive(keep);
        r.prepare_payload();
        if (head_) {
            // A HEAD answer carries the length of the body GET would send, and no body.
            const auto n = r.body().size();
            r.body().clear();
            r.content_length(n);
        }
        res_ = std::make_shared<http_response>(std::move(r));
        lowest().expires_after(read_timeout());  // a peer that never reads its answer is cut off
        http::async_write(stream_, *res_, [self = self(), keep](beast::error_code ec, std::size_t) {
            self->res_.reset();
            if (ec || !keep) return self->close();
            self->first_ = false;
            self->read_header();
        });
    }

    void close() {
        if (closed_) return;
        closed_ = true;
        beast::error_code ec;
        if constexpr (is_tls) {
            lowest().expires_after(std::chrono::seconds(2));
            stream_.async_shutdown([self = self()](beast::error_code) {
                beast::error_code e;
                self->lowest().socket().shutdown(tcp::socket::shutdown_both, e);
                self->lowest().close();
            });
        } else {
            lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
            lowest().close();
        }
    }

    std::shared_ptr<http_server> server_;
    Stream stream_;
    peer_info peer_;
    // Bounded: the parser keeps an unfinished line here (a chunk-size line whose extensions
    // never end grew it by 257 MiB in a second); over the bound the read fails, answered 400.
    beast::flat_buffer buffer_{server_->limits_.max_header_bytes + (64u << 10)};
    std::optional<http_request_parser> parser_;
    std::shared_ptr<http_response> res_;
    static constexpr std::size_t k_reserve_step = 64u << 10;  // fewer atomics per chunked body
    std::size_t reserved_ = 0;  // bytes of the budget this request's body holds
    std::string budget_key_;    // whom they are charged to
    bool first_ = true, idle_ = false, keep_alive_ = true, closed_ = false, head_ = false;
    unsigned version_ = 11;
};

http_server::http_server(io_pool& io, const std::string& address, std::uint16_t port,
                         tls_settings tls, std::shared_ptr<http_handler> h,
                         http_server_limits limits, std::string name,
                         std::shared_ptr<address_counts> per_address)
    : io_(io),
      acceptor_(asio::make_strand(io.first())),
      tls_(std::move(tls)),
      handler_(std::move(h)),
      limits_(limits),
      name_(std::move(name)),
      per_address_(std::move(per_address)) {
    tcp::endpoint ep(asio::ip::make_address(address), port);
    acceptor_.open(ep.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen(asio::socket_base::max_listen_connections);
    port_ = acceptor_.local_endpoint().port();
}

http_server::~http_server() = default;

tls_settings http_server::tls() const {
    std::lock_guard lk(tls_mu_);
    return tls_;
}

void http_server::set_tls(tls_settings tls) {
    if (!tls.context) return;
    std::lock_guard lk(tls_mu_);
    if (tls_.context) tls_ = std::move(tls);
}

void http_server::start() {
    asio::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->do_accept(); });
}

void http_server::do_accept() {
    acceptor_.async_accept(
        asio::make_strand(io_.next()),
        [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
            if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) return;
            if (!ec) {
                beast::error_code e;
                peer_info peer;
                peer.address = socket.remote_endpoint(e).address().to_string();
                if (!self->admit(peer.address)) {
                    socket.close(e);  // over a cap: refuse at once rather than queue unbounded
                } else {
                    self->open_.fetch_add(1);
                    std::shared_ptr<session_base> s;
                    if (auto tls = self->tls(); tls.context) {
                        peer.cert_required = tls.client_cert_required;
                        s = std::make_shared<http_session<beast::ssl_stream<beast::tcp_stream>>>(
                            self, std::move(peer), std::move(socket), *tls.context);
                        s->tls = std::move(tls.context);
                    } else {
                        s = std::make_shared<http_session<beast::tcp_stream>>(self, std::move(peer),
                                                                              std::move(socket));
                    }
                    {
                        std::lock_guard lk(self->sessions_mu_);
                        self->sessions_[s.get()] = s;
                    }
                    s->start();
                }
            }
            self->do_accept();
        });
}

bool http_server::admit(const std::string& address) {
    // Refusals are counted before the close, so that a client that sees the close sees the
    // count too.
    if (draining_) return false;
    if (open_.load() >= limits_.max_connections) {
        handler_->on_connection_refused(0, "over_capacity");
        return false;
    }
    // One address may not take the connections every other client needs.
    if (per_address_ && !per_address_->try_add(address, limits_.max_connections_per_address)) {
        handler_->on_connection_refused(0, "per_address");
        return false;
    }
    return true;
}

void http_server::forget(session_base* s) {
    std::lock_guard lk(sessions_mu_);
    sessions_.erase(s);
}

void http_server::drain() {
    draining_ = true;
    asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
        beast::error_code ec;
        self->acceptor_.close(ec);
    });
    std::vector<std::shared_ptr<session_base>> live;
    {
        std::lock_guard lk(sessions_mu_);
        for (auto& [p, w] : sessions_)
            if (auto s = w.lock()) live.push_back(std::move(s));
    }
    for (auto& s : live) s->drain();
}

}  // namespace wire::listeners

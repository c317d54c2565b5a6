#include "listeners/http_server.hpp"

#include <stdexcept>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

#include "core/json_writer.hpp"
#include "version.hpp"

namespace wire::listeners {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

http_response json_response(http::status status, std::string body, unsigned version,
                            std::uint32_t retry_after) {
    http_response r{status, version};
    r.set(http::field::server, std::string("wiregate/") + gateway::k_version);
    r.set(http::field::content_type, "application/json");
    r.set(http::field::cache_control, "no-store");
    if (retry_after > 0) r.set(http::field::retry_after, std::to_string(retry_after));
    r.body() = std::move(body);
    r.prepare_payload();
    return r;
}

std::string error_body(std::string_view code, std::string_view message) {
    adapters::json_writer w;
    w.begin_object().key("error").begin_object();
    w.key("code").value(code).key("message").value(message);
    w.end_object().end_object();
    return w.take();
}

void apply_limits(http_request_parser& parser, const http_server_limits& limits) {
    parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
    parser.body_limit(limits.max_body_bytes);
}

std::optional<http_response> read_error_answer(const beast::error_code& ec,
                                               const http_server_limits& limits) {
    if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
        ec == asio::ssl::error::stream_truncated)
        return std::nullopt;
    if (ec == http::error::body_limit)
        return json_response(
            http::status::payload_too_large,
            error_body("too_large", "the body exceeds the limit of " +
                                        std::to_string(limits.max_body_bytes) + " bytes"));
    if (ec == http::error::header_limit)
        return json_response(
            http::status::request_header_fields_too_large,
            error_body("header_too_large", "the request header exceeds the limit"));
    return json_response(http::status::bad_request, error_body("bad_request", ec.message()));
}

struct http_server::session_base : std::enable_shared_from_this<session_base> {
    virtual ~session_base() = default;
    virtual void start() = 0;
    virtual void drain() = 0;  // from any thread
};

template <class Stream>
class http_session final : public http_server::session_base {
  public:
    static constexpr bool is_tls = !std::is_same_v<Stream, beast::tcp_stream>;

    template <class... Args>
    http_session(std::shared_ptr<http_server> server, std::string peer, Args&&... args)
        : server_(std::move(server)), stream_(std::forward<Args>(args)...), peer_(std::move(peer)) {}

    ~http_session() override {
        server_->forget(this);
        server_->open_.fetch_sub(1);
    }

    void start() override {
        asio::dispatch(stream_.get_executor(), [self = self()] {
            if constexpr (is_tls) {
                self->lowest().expires_after(self->read_timeout());
                self->stream_.async_handshake(asio::ssl::stream_base::server,
                                              [self](beast::error_code ec) {
                                                  if (ec) return self->close();
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
        lowest().expires_after(first_ ? read_timeout()
                                      : std::chrono::milliseconds(server_->limits_.idle_timeout_ms));
        http::async_read_header(stream_, buffer_, *parser_,
                                [self = self()](beast::error_code ec, std::size_t) {
                                    self->on_header(ec);
                                });
    }

    void on_header(beast::error_code ec) {
        idle_ = false;
        if (ec) return on_read_error(ec);
        lowest().expires_after(read_timeout());
        auto early = server_->handler_->on_header(parser_->get(), peer_);
        if (early) {
            // The body stays unread, so the connection cannot be reused.
            early->version(parser_->get().version());
            return write(std::move(*early), true);
        }
        http::async_read(stream_, buffer_, *parser_,
                         [self = self()](beast::error_code e, std::size_t) { self->on_body(e); });
    }

    void on_body(beast::error_code ec) {
        if (ec) return on_read_error(ec);
        lowest().expires_never();  // the pipeline bounds its own time (publish timeout)
        http_request req = parser_->release();
        keep_alive_ = req.keep_alive();
        version_ = req.version();
        server_->handler_->on_request(
            std::move(req), peer_, [self = self()](http_response r) {
                asio::post(self->stream_.get_executor(),
                           [self, r = std::move(r)]() mutable { self->write(std::move(r), false); });
            });
    }

    void on_read_error(beast::error_code ec) {
        if (auto answer = read_error_answer(ec, server_->limits_))
            return write(std::move(*answer), true);
        close();
    }

    void write(http_response r, bool close_after) {
        bool keep = !close_after && keep_alive_ && !server_->draining_;
        r.keep_alive(keep);
        r.prepare_payload();
        res_ = std::make_shared<http_response>(std::move(r));
        lowest().expires_after(read_timeout());  // a peer that never reads its answer is cut off
        http::async_write(stream_, *res_,
                          [self = self(), keep](beast::error_code ec, std::size_t) {
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
    std::string peer_;
    beast::flat_buffer buffer_;
    std::optional<http_request_parser> parser_;
    std::shared_ptr<http_response> res_;
    bool first_ = true, idle_ = false, keep_alive_ = true, closed_ = false;
    unsigned version_ = 11;
};

http_server::http_server(asio::io_context& io, const std::string& address, std::uint16_t port,
                         std::shared_ptr<asio::ssl::context> tls, std::shared_ptr<http_handler> h,
                         http_server_limits limits, std::string name)
    : io_(io), acceptor_(asio::make_strand(io)), tls_(std::move(tls)), handler_(std::move(h)),
      limits_(limits), name_(std::move(name)) {
    tcp::endpoint ep(asio::ip::make_address(address), port);
    acceptor_.open(ep.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen(asio::socket_base::max_listen_connections);
    port_ = acceptor_.local_endpoint().port();
}

http_server::~http_server() = default;

void http_server::start() {
    asio::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->do_accept(); });
}

void http_server::do_accept() {
    acceptor_.async_accept(asio::make_strand(io_), [self = shared_from_this()](
                                                       beast::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) return;
        if (!ec) {
            if (self->open_.load() >= self->limits_.max_connections || self->draining_) {
                beast::error_code e;
                socket.close(e);  // over the cap: refuse at once rather than queue unbounded
            } else {
                beast::error_code e;
                auto peer = socket.remote_endpoint(e).address().to_string();
                self->open_.fetch_add(1);
                std::shared_ptr<session_base> s;
                if (self->tls_)
                    s = std::make_shared<http_session<beast::ssl_stream<beast::tcp_stream>>>(
                        self, peer, std::move(socket), *self->tls_);
                else
                    s = std::make_shared<http_session<beast::tcp_stream>>(self, peer,
                                                                          std::move(socket));
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

std::shared_ptr<asio::ssl::context> make_tls_context(const std::string& cert_file,
                                                     const std::string& key_file) {
    auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
    ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                     asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
    beast::error_code ec;
    ctx->use_certificate_chain_file(cert_file, ec);
    if (ec) throw std::runtime_error("TLS certificate " + cert_file + ": " + ec.message());
    ctx->use_private_key_file(key_file, asio::ssl::context::pem, ec);
    if (ec) throw std::runtime_error("TLS key " + key_file + ": " + ec.message());
    return ctx;
}

}  // namespace wire::listeners

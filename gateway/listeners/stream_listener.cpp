#include "listeners/stream_listener.hpp"

#include <array>
#include <chrono>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "clock/wall_clock.hpp"
#include "core/datetime.hpp"
#include "listeners/stream_framer.hpp"
#include "log/json_log.hpp"

namespace wire::listeners {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// Frames of one connection waiting for Kafka before reading pauses.
constexpr std::size_t k_max_pending_frames = 64;

}  // namespace

class stream_session : public std::enable_shared_from_this<stream_session> {
  public:
    stream_session(tcp::socket socket, const config::stream_listener_config& cfg, framing f,
                   stream_context ctx, std::shared_ptr<stream_metrics> m,
                   std::shared_ptr<std::atomic<std::size_t>> inflight,
                   std::shared_ptr<std::atomic<bool>> draining, std::string peer)
        : socket_(std::move(socket)),
          timer_(socket_.get_executor()),
          cfg_(cfg),
          framer_(f, cfg.max_frame_bytes),
          ctx_(std::move(ctx)),
          metrics_(std::move(m)),
          inflight_(std::move(inflight)),
          draining_(std::move(draining)),
          peer_(std::move(peer)) {}
    ~stream_session() {
        release_frame_bytes();
        if (!closed_) ctx_.per_address->remove(peer_);
    }

    void start() {
        boost::system::error_code ec;
        socket_.non_blocking(true, ec);
        read();
    }
    /// Drain: stop reading (from any thread); frames already handed over still complete.
    void stop() {
        asio::post(socket_.get_executor(), [self = shared_from_this()] {
            boost::system::error_code ec;
            self->socket_.cancel(ec);
        });
    }

  private:
    void read() {
        if (pending_ >= k_max_pending_frames) {
            paused_ = true;  // resumed by the completion that brings pending_ back down
            return;
        }
        if (*draining_ || closed_) return finish();
        // An open frame holds memory: one that stops growing is cut sooner than a silent
        // connection between frames.
        const bool in_frame = framer_.frame_open();
        timer_.expires_after(std::chrono::milliseconds(
            in_frame ? std::min(cfg_.idle_timeout_ms, cfg_.frame_idle_timeout_ms)
                     : cfg_.idle_timeout_ms));
        timer_.async_wait([self = shared_from_this(), in_frame](boost::system::error_code ec) {
            if (!ec) {
                self->frame_stalled_ = in_frame;
                boost::system::error_code e;
                self->socket_.cancel(e);  // silent too long: the read ends with an error
            }
        });
        // Wait for bytes with no buffer of our own, then read them into the I/O thread's: an idle
        // connection costs its session, not 64 KiB (1000 idle senders once held 64 MiB).
        socket_.async_wait(tcp::socket::wait_read,
                           [self = shared_from_this()](boost::system::error_code ec) {
                               self->timer_.cancel();
                               if (ec) return self->finish();
                               thread_local std::array<char, 64 * 1024> buf;
                               boost::system::error_code rec;
                               std::size_t n = self->socket_.read_some(asio::buffer(buf), rec);
                               if (rec == asio::error::would_block || rec == asio::error::try_again)
                                   return self->read();
                               if (rec) return self->finish();
                               self->on_bytes(std::string_view(buf.data(), n));
                               self->read();
                           });
    }

    void on_bytes(std::string_view bytes) {
        auto before = framer_.counters();
        auto frames = framer_.feed(bytes);
        account(before);
        submit(std::move(frames));
        if (!charge_frame_bytes()) cut_over_budget();
    }

    // Charges what the framer holds now (the open frame) to the shared budget; false when the
    // budget cannot take it.
    bool charge_frame_bytes() {
        const std::size_t held = framer_.held_bytes();
        if (held <= charged_) {
            ctx_.frame_bytes->release(charged_ - held);
            charged_ = held;
            return true;
        }
        if (!ctx_.frame_bytes->reserve(held - charged_, ctx_.config()->limits.max_open_frame_bytes))
            return false;
        charged_ = held;
        return true;
    }
    void release_frame_bytes() {
        ctx_.frame_bytes->release(charged_);
        charged_ = 0;
    }

    // The open frames of all connections together would pass limits.max_open_frame_bytes: this
    // connection's frame is dropped and the connection cut (its sender may send it again), so
    // that the others keep room for theirs.
    void cut_over_budget() {
        auto before = framer_.counters();
        framer_.finish();
        ++before.partial_frames;  // counted as over_budget, not partial
        account(before);
        release_frame_bytes();
        metrics_->frames.inc({cfg_.feed, "over_budget"});
        log::warn(log::event("stream_frame_over_budget")
                      .field("feed", cfg_.feed)
                      .field("peer", peer_)
                      .field("max_open_frame_bytes", ctx_.config()->limits.max_open_frame_bytes));
        close_socket();
    }

    void submit(std::vector<std::string> frames, const std::string& dead_letter_reason = {}) {
        auto cfg = ctx_.config();
        const auto* feed = cfg->find_feed(cfg_.feed);
        for (auto& frame : frames) {
            if (!feed) break;  // the feed vanished in a reload: the listener goes at restart
            metrics_->frames.inc({cfg_.feed, dead_letter_reason.empty() ? "ok" : "truncated"});
            pipeline::submission sub;
            sub.feed = feed;
            sub.body = std::move(frame);
            if (!dead_letter_reason.empty()) {
                sub.dead_letter_reason = dead_letter_reason;
                sub.dead_letter_message =
                    frame_stalled_ ? "the frame stopped growing before its end marker and was cut"
                                   : "the connection ended before the frame's end marker";
            }
            sub.received_at = wallclock::now_rfc3339_ms();
            sub.source = pipeline::source_kind::stream;
            sub.peer = peer_;
            ++pending_;
            inflight_->fetch_add(1);
            ctx_.pipeline->submit(std::move(sub),
                                  [self = shared_from_this(), cfg](pipeline::outcome o) {
                                      asio::post(self->socket_.get_executor(),
                                                 [self, o = std::move(o)] { self->on_outcome(o); });
                                  });
        }
    }

    void on_outcome(const pipeline::outcome& o) {
        --pending_;
        inflight_->fetch_sub(1);
        if (o.http_status == 503) {
            // A telex line has nobody to answer: say it loudly. A frame is spooled rather than
            // failed when a spool is configured, so this happens without one or with it full.
            metrics_->publish_failures.inc({cfg_.feed});
            log::error(log::event("stream_frame_not_published")
                           .field("feed", cfg_.feed)
                           .field("peer", peer_));
        }
        if (paused_ && pending_ < k_max_pending_frames / 2) {
            paused_ = false;
            read();
        }
    }

    void account(const framer_counters& before) {
        const auto& now = framer_.counters();
        if (auto g = now.garbage_bytes - before.garbage_bytes) {
            metrics_->garbage_bytes.inc({cfg_.feed}, static_cast<double>(g));
            log::warn(log::event("stream_garbage").field("feed", cfg_.feed).field("bytes", g));
        }
        if (auto o = now.oversize_frames - before.oversize_frames) {
            metrics_->frames.inc({cfg_.feed, "oversize"}, static_cast<double>(o));
            log::warn(log::event("stream_oversize_frame")
                          .field("feed", cfg_.feed)
                          .field("max_frame_bytes", cfg_.max_frame_bytes));
        }
        if (auto p = now.partial_frames - before.partial_frames) {
            metrics_->frames.inc({cfg_.feed, "partial"}, static_cast<double>(p));
            log::warn(log::event("stream_partial_frame").field("feed", cfg_.feed));
        }
    }

    void finish() {
        if (closed_) return;
        auto before = framer_.counters();
        // A frame already whole but for its last line end comes out; one the end cut short
        // (no ETX, no NNNN) is not the sender's story: it goes to the dead-letter topic.
        std::string cut;
        auto frames = framer_.finish_frames(&cut);
        if (!cut.empty()) ++before.partial_frames;  // counted as truncated, not partial
        account(before);
        release_frame_bytes();
        submit(std::move(frames));
        if (!cut.empty()) {
            std::vector<std::string> one;
            one.push_back(std::move(cut));
            submit(std::move(one), "truncated_frame");
        }
        if (frame_stalled_) metrics_->connections.inc({cfg_.feed, "frame_idle_timeout"});
        close_socket();
    }

    void close_socket() {
        if (closed_) return;
        closed_ = true;
        ctx_.per_address->remove(peer_);
        boost::system::error_code ec;
        timer_.cancel();
        socket_.shutdown(tcp::socket::shutdown_both, ec);
        socket_.close(ec);
        log::info(log::event("stream_closed")
                      .field("feed", cfg_.feed)
                      .field("peer", peer_)
                      .field("frame_stalled", frame_stalled_));
    }

    tcp::socket socket_;
    asio::steady_timer timer_;
    const config::stream_listener_config cfg_;
    stream_framer framer_;
    stream_context ctx_;
    std::shared_ptr<stream_metrics> metrics_;
    std::shared_ptr<std::atomic<std::size_t>> inflight_;
    std::shared_ptr<std::atomic<bool>> draining_;
    std::string peer_;
    std::size_t pending_ = 0;
    std::size_t charged_ = 0;  // bytes of the shared frame budget this connection holds
    bool paused_ = false, closed_ = false;
    bool frame_stalled_ = false;  // the frame idle timeout, not the peer, ended the connection
};

stream_metrics::stream_metrics(metrics::registry& r)
    : frames(r.counter("wiregate_stream_frames_total",
                       "Telex stream frames, per result: ok, oversize, partial, truncated "
                       "(dead-lettered), over_budget",
                       {"feed", "result"})),
      garbage_bytes(r.counter("wiregate_stream_garbage_bytes_total",
                              "Telex stream bytes outside any frame", {"feed"})),
      connections(
          r.counter("wiregate_stream_connections_total",
                    "Telex stream connections: accepted, refused by allow_from, over the cap, "
                    "over the cap per address; and those cut by the frame idle timeout",
                    {"feed", "result"})),
      publish_failures(r.counter("wiregate_stream_publish_failures_total",
                                 "Telex frames Kafka did not acknowledge", {"feed"})) {}

stream_listener::stream_listener(io_pool& io, config::stream_listener_config cfg,
                                 stream_context ctx, std::shared_ptr<stream_metrics> m)
    : io_(io),
      cfg_(std::move(cfg)),
      ctx_(std::move(ctx)),
      metrics_(std::move(m)),
      acceptor_(asio::make_strand(io.first())) {
    for (const auto& c : cfg_.allow_from) {
        cidr parsed;
        if (parse_cidr(c, parsed)) allow_.push_back(parsed);  // load_config checked the syntax
    }
    tcp::endpoint ep(asio::ip::make_address(cfg_.address), cfg_.port);
    acceptor_.open(ep.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
}

void stream_listener::start() {
    asio::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->do_accept(); });
}

void stream_listener::do_accept() {
    acceptor_.async_accept(
        asio::make_strand(io_.next()),
        [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
            if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) return;
            if (!ec) {
                boost::system::error_code e;
                auto peer = socket.remote_endpoint(e).address();
                bool allowed = self->allow_.empty();
                for (const auto& c : self->allow_) allowed = allowed || c.contains(peer);
                // Each connection may hold an open frame of up to max_frame_bytes: their number is
                // capped like HTTP connections (limits.max_connections, per listener).
                std::size_t open = 0;
                {
                    std::lock_guard lk(self->sessions_mu_);
                    std::erase_if(self->sessions_, [](auto& w) { return w.expired(); });
                    open = self->sessions_.size();
                }
                const auto cfg = self->ctx_.config();
                const bool over = allowed && open >= cfg->limits.max_connections;
                // One address may not take the connections the other senders need; counted
                // across every stream listener.
                const bool per_address =
                    allowed && !over && !*self->draining_ &&
                    !self->ctx_.per_address->try_add(peer.to_string(),
                                                     cfg->limits.max_connections_per_address);
                self->metrics_->connections.inc({self->cfg_.feed, !allowed      ? "refused"
                                                                  : over        ? "over_capacity"
                                                                  : per_address ? "per_address"
                                                                                : "accepted"});
                if (!allowed || over || per_address || *self->draining_) {
                    log::warn(log::event("stream_refused")
                                  .field("feed", self->cfg_.feed)
                                  .field("peer", peer.to_string()));
                    socket.close(e);
                } else {
                    framing f = framing::anpa1312;
                    parse_framing(self->cfg_.framing, f);
                    auto session = std::make_shared<stream_session>(
                        std::move(socket), self->cfg_, f, self->ctx_, self->metrics_,
                        self->inflight_, self->draining_, peer.to_string());
                    {
                        std::lock_guard lk(self->sessions_mu_);
                        std::erase_if(self->sessions_, [](auto& w) { return w.expired(); });
                        self->sessions_.push_back(session);
                    }
                    session->start();
                }
            }
            self->do_accept();
        });
}

void stream_listener::drain() {
    *draining_ = true;
    asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
        boost::system::error_code ec;
        self->acceptor_.close(ec);
    });
    std::lock_guard lk(sessions_mu_);
    for (auto& w : sessions_)
        if (auto s = w.lock()) s->stop();
}

}  // namespace wire::listeners

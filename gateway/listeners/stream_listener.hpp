#pragma once
// stream_listener: one TCP port per telex feed. Each connection's bytes are cut into frames by
// stream_framer; each frame is one story document for the pipeline. Senders get no answer
// (telex has none), so nothing here may be fatal: garbage, partial and oversize frames are
// counted and logged; addresses outside allow_from, and addresses over their connection cap, are
// refused at accept. Reading pauses while too many frames of a connection are waiting for
// Kafka. Open frames are charged to one budget shared by every stream connection (a connection
// whose frame would pass it is cut), and a frame that stops growing is cut with its connection.
// A frame the end of its connection cut short is never published: it goes to the dead-letter
// topic (reason truncated_frame).
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "config/config.hpp"
#include "listeners/budgets.hpp"
#include "listeners/io_pool.hpp"
#include "metrics/metrics.hpp"
#include "pipeline/pipeline.hpp"

namespace wire::listeners {

/// An address range; parse_cidr accepts "10.0.0.0/8", "::1/128" and bare addresses.
struct cidr {
    boost::asio::ip::address network;
    unsigned prefix = 0;
    bool contains(const boost::asio::ip::address& a) const;
};
bool parse_cidr(std::string_view text, cidr& out);

struct stream_metrics {
    explicit stream_metrics(metrics::registry& r);
    // {feed, result = ok|oversize|partial|truncated|over_budget}: partial = an open frame was
    // dropped (without its start, or over the budget), truncated = cut by the end of its
    // connection and dead-lettered
    metrics::counter_family& frames;
    metrics::counter_family& garbage_bytes;  // {feed}
    // {feed, result = accepted|refused|over_capacity|per_address|frame_idle_timeout}
    metrics::counter_family& connections;
    metrics::counter_family& publish_failures;  // {feed}: frames Kafka did not acknowledge
};

class stream_session;

struct stream_context {
    std::function<std::shared_ptr<const config::gateway_config>()> config;
    pipeline::pipeline* pipeline = nullptr;
    // Shared by every stream listener: open connections per address, bytes of open frames.
    std::shared_ptr<address_counts> per_address = std::make_shared<address_counts>();
    std::shared_ptr<frame_budget> frame_bytes = std::make_shared<frame_budget>();
};

class stream_listener : public std::enable_shared_from_this<stream_listener> {
  public:
    /// Binds now (throws boost::system::system_error when the port is taken).
    stream_listener(io_pool& io, config::stream_listener_config cfg, stream_context ctx,
                    std::shared_ptr<stream_metrics> metrics);
    std::uint16_t port() const { return port_; }
    const std::string& feed() const { return cfg_.feed; }
    void start();
    /// Stops accepting and closes connections once their frames are handed over.
    void drain();
    /// Frames handed to the pipeline whose outcome is not in yet.
    std::size_t inflight() const { return inflight_->load(); }

  private:
    void do_accept();

    io_pool& io_;  // accepts on first(), each connection on next()
    config::stream_listener_config cfg_;
    stream_context ctx_;
    std::shared_ptr<stream_metrics> metrics_;
    std::vector<cidr> allow_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    std::shared_ptr<std::atomic<std::size_t>> inflight_ =
        std::make_shared<std::atomic<std::size_t>>(0);
    std::shared_ptr<std::atomic<bool>> draining_ = std::make_shared<std::atomic<bool>>(false);
    std::mutex sessions_mu_;
    std::vector<std::weak_ptr<stream_session>> sessions_;
};

}  // namespace wire::listeners

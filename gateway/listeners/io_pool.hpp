#pragma once
// io_pool: the I/O contexts the listeners and their connections run on, one thread each.
// A listener accepts on first(); each accepted connection gets next() in turn and stays there.
// One context per thread rather than one context run by every thread: a connection's handlers
// then run on the thread that polled its socket, where a shared context wakes a second thread
// for most completions (`wiregate serve` at 500 stories/s: 16.9 context switches per story
// with two threads on one context, 11.0 with one; docs/performance.md).
#include <atomic>
#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace wire::listeners {

class io_pool {
  public:
    /// `threads` contexts (at least one), not yet running.
    explicit io_pool(std::size_t threads);
    ~io_pool();
    io_pool(const io_pool&) = delete;
    io_pool& operator=(const io_pool&) = delete;

    /// Where acceptors, signals and other long-lived objects live.
    boost::asio::io_context& first() { return *contexts_.front(); }
    /// The context for a new connection, in turn; safe from any thread.
    boost::asio::io_context& next();
    std::size_t size() const { return contexts_.size(); }

    /// One thread per context. The contexts run until stop(), with or without work.
    void start();
    /// Stops every context and joins its thread; handlers not yet run are dropped.
    void stop();

  private:
    // An io_context whose services can be shut down (pending handlers destroyed) apart from
    // its destruction. A connection's handlers live in its own context but reach objects in
    // first() (its listener's acceptor): every context must drop its handlers before any
    // context is destroyed, as a single context does within its own destructor.
    struct context : boost::asio::io_context {
        context() : boost::asio::io_context(1) {}  // run by one thread; others still post
        void shutdown_services() { shutdown(); }
    };
    std::vector<std::unique_ptr<context>> contexts_;
    std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
    std::vector<std::thread> threads_;
    std::atomic<std::size_t> next_{0};
};

}  // namespace wire::listeners

#include "listeners/io_pool.hpp"

#include <pthread.h>

#include <algorithm>

#include <string>

namespace wire::listeners {

io_pool::io_pool(std::size_t threads) {
    for (std::size_t i = 0; i < std::max<std::size_t>(threads, 1); ++i) {
        contexts_.push_back(std::make_unique<context>());
        work_.push_back(boost::asio::make_work_guard(*contexts_.back()));
    }
}

io_pool::~io_pool() {
    stop();
    work_.clear();
    for (auto& c : contexts_) c->shutdown_services();
    while (!contexts_.empty()) contexts_.pop_back();
}

boost::asio::io_context& io_pool::next() {
    return *contexts_[next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()];
}

void io_pool::start() {
    if (!threads_.empty()) return;
    for (std::size_t i = 0; i < contexts_.size(); ++i)
        threads_.emplace_back([ctx = contexts_[i].get(), i] {
            // Named so that `top -H` and perf tell the I/O threads apart.
            pthread_setname_np(pthread_self(), ("wiregate-io-" + std::to_string(i)).c_str());
            ctx->run();
        });
}

void io_pool::stop() {
    for (auto& c : contexts_) c->stop();
    for (auto& t : threads_)
        if (t.joinable()) t.join();
    threads_.clear();
}

}  // namespace wire::listeners

// io_pool: connections are handed out over the contexts in turn, each context runs on its own
// thread, and the pool can be destroyed while handlers in one context still hold objects of
// another (a connection's pending read keeps its listener, whose acceptor lives in first()).
// The last test is meant for the asan preset, where a context destroyed too early is a
// heap-use-after-free (found by GatewayTlsProcess before the pool shut every context down
// first).
#include "listeners/io_pool.hpp"

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <chrono>
#include <future>
#include <memory>
#include <set>
#include <thread>

namespace asio = boost::asio;
using wire::listeners::io_pool;

TEST(IoPool, HandsOutTheContextsInTurn) {
    io_pool pool(3);
    EXPECT_EQ(pool.size(), 3u);
    std::set<asio::io_context*> seen;
    for (int i = 0; i < 3; ++i) seen.insert(&pool.next());
    EXPECT_EQ(seen.size(), 3u);
    EXPECT_TRUE(seen.count(&pool.first()));
    EXPECT_EQ(&pool.next(), &pool.first()) << "the fourth is the first again";
}

TEST(IoPool, EachContextRunsOnAThreadOfItsOwn) {
    io_pool pool(2);
    pool.start();
    std::promise<std::thread::id> a, b;
    asio::post(pool.first(), [&] { a.set_value(std::this_thread::get_id()); });
    pool.next();  // first()
    asio::post(pool.next(), [&] { b.set_value(std::this_thread::get_id()); });
    const auto ta = a.get_future().get(), tb = b.get_future().get();
    EXPECT_NE(ta, tb);
    EXPECT_NE(ta, std::this_thread::get_id());
    pool.stop();
}

TEST(IoPool, DestroyedWhileHandlersInOneContextHoldObjectsOfAnother) {
    auto pool = std::make_unique<io_pool>(2);
    auto& first = pool->first();
    pool->next();
    auto& second = pool->next();
    // Each timer waits an hour with a handler that keeps the other context's timer alive.
    auto on_first = std::make_shared<asio::steady_timer>(asio::make_strand(first));
    auto on_second = std::make_shared<asio::steady_timer>(asio::make_strand(second));
    on_first->expires_after(std::chrono::hours(1));
    on_second->expires_after(std::chrono::hours(1));
    on_second->async_wait([keep = on_first](const boost::system::error_code&) {});
    on_first->async_wait([keep = on_second](const boost::system::error_code&) {});
    on_first.reset();
    on_second.reset();
    pool->start();
    pool->stop();
    pool.reset();  // under ASan: no use of a destroyed context
    SUCCEED();
}

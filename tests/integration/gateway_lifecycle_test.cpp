// Drain and reload against the real broker: a request in flight when the drain starts is
// finished and answered; a reload changes routing and credentials on a live connection.
#include <future>

#include "gateway_fixture.hpp"

using namespace wire::testing;
using namespace std::chrono_literals;

namespace {

class GatewayLifecycle : public gateway_test {};

const std::string& story_body() {
    static const std::string body = read_file(fixtures_dir() / "ninjs/good/001-text-2x.json");
    return body;
}

TEST_F(GatewayLifecycle, DrainFinishesTheRequestInFlightThenRefusesNewConnections) {
    make();
    add_feed(cfg_, "slow", "ninjs");
    // Each produce waits in librdkafka's queue for 500 ms, so the request is surely in flight
    // when the drain starts (we wait for the in-flight gauge, not for time).
    cfg_.kafka.properties["linger.ms"] = "500";
    start_gateway();
    const auto port_before = port();
    auto answer = std::async(std::launch::async, [&] {
        http_client c(port_before);
        return c.post_story("slow", "key-slow", story_body(), "application/json");
    });
    auto inflight = [&] {
        auto text = svc_->registry().render();
        return text.find("\nwiregate_inflight_requests 1\n") != std::string::npos;
    };
    ASSERT_TRUE(eventually(inflight, 10s));
    EXPECT_TRUE(svc_->drain());
    auto a = answer.get();
    EXPECT_EQ(a.status, 200) << a.body;
    EXPECT_EQ(a.headers["connection"], "close");
    EXPECT_THROW(http_client{port_before}, std::exception);
    EXPECT_EQ(consume(cfg_.kafka.brokers, topics_.all, 1, 30s).size(), 1u);
}

TEST_F(GatewayLifecycle, DrainClosesIdleKeepAliveConnections) {
    make();
    add_feed(cfg_, "f", "ninjs");
    start_gateway();
    http_client c(port());
    ASSERT_EQ(c.post_story("f", "key-f", story_body()).status, 200);
    EXPECT_TRUE(svc_->drain());
    EXPECT_TRUE(c.closed_by_server(5s));
}

TEST_F(GatewayLifecycle, ReloadChangesRoutingAndCredentialsWithoutDroppingTheConnection) {
    make();
    add_feed(cfg_, "f", "ninjs");
    const std::string extra = topics_.desk + ".reloaded";
    cfg_.routing.topics.push_back(extra);  // created at start, used only after the reload
    cfg_.dedup.enabled = false;            // the same story is posted again after the reload
    start_gateway();
    http_client c(port());
    ASSERT_EQ(c.post_story("f", "key-f", story_body()).status, 200);

    auto next = cfg_;
    next.feeds[0].auth.api_keys[0].value = "rotated-key";
    wire::config::route_rule r{"reloaded", {}, {extra}, false};
    r.match.feed = {"f"};
    next.routing.rules.push_back(r);
    svc_->apply(next);

    // The same keep-alive connection, opened before the reload, now needs the rotated key.
    auto fresh = c.post_story("f", "rotated-key", story_body());
    EXPECT_EQ(fresh.status, 200) << fresh.body;
    EXPECT_NE(fresh.body.find(extra), std::string::npos) << fresh.body;
    EXPECT_EQ(fresh.body.find("\"topic\":\"" + topics_.desk + "\""), std::string::npos)
        << "a matching desk rule replaces the default topic";
    EXPECT_EQ(c.post_story("f", "key-f", story_body()).status, 403);
    EXPECT_EQ(consume(cfg_.kafka.brokers, extra, 1, 30s).size(), 1u);
}

}  // namespace

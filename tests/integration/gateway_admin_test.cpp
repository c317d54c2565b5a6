// The admin listener is read-only and on loopback: GET and HEAD of /healthz, /readyz and
// /metrics are served; any other method is answered 405 with Allow (before a body is read),
// any other path 404, and nothing on it changes the gateway's state.
#include <boost/asio/ip/tcp.hpp>

#include "gateway_fixture.hpp"

using namespace wire::testing;
using namespace std::chrono_literals;

namespace {

class GatewayAdmin : public gateway_test {
  protected:
    void SetUp() override {
        make();
        add_feed(cfg_, "f", "ninjs");
    }
};

TEST_F(GatewayAdmin, BindsToLoopbackByDefault) {
    EXPECT_EQ(wire::config::admin_listener_config{}.address, "127.0.0.1");
    EXPECT_FALSE(wire::config::admin_listener_config{}.allow_remote);
    EXPECT_EQ(cfg_.admin.address, "127.0.0.1");
    start_gateway();
    // Reachable on loopback; the socket it answers on is a loopback one.
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket s(io);
    s.connect({boost::asio::ip::make_address("127.0.0.1"), svc_->admin_port()});
    EXPECT_TRUE(s.local_endpoint().address().is_loopback());
}

TEST_F(GatewayAdmin, GetAndHeadServeTheReadOnlyPaths) {
    start_gateway();
    http_client c(svc_->admin_port());
    for (const std::string path : {"/healthz", "/readyz", "/metrics"}) {
        auto get = c.request("GET", path, "");
        EXPECT_EQ(get.status, 200) << path << ": " << get.body;
        EXPECT_FALSE(get.body.empty()) << path;
        // HEAD: the same status and length, no body, and the connection stays usable.
        auto head = c.request("HEAD", path, "");
        EXPECT_EQ(head.status, 200) << path;
        EXPECT_TRUE(head.body.empty()) << path;
        EXPECT_NE(head.headers["content-length"], "0") << path;
    }
    EXPECT_EQ(c.request("GET", "/healthz?verbose=1", "").status, 200);
}

TEST_F(GatewayAdmin, OtherMethodsAre405WithAllowAndChangeNothing) {
    start_gateway();
    for (const std::string method : {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
        for (const std::string path : {"/healthz", "/readyz", "/metrics"}) {
            http_client c(svc_->admin_port());
            auto a = c.request(method, path, "{\"drain\":true}");
            EXPECT_EQ(a.status, 405) << method << " " << path;
            EXPECT_EQ(a.headers["allow"], "GET, HEAD") << method << " " << path;
            EXPECT_NE(a.body.find("method_not_allowed"), std::string::npos) << a.body;
        }
    }
    // Still serving, still ready: nothing was stopped, drained or reloaded.
    EXPECT_TRUE(svc_->not_ready().empty());
    http_client ingest(port());
    EXPECT_EQ(
        ingest.post_story("f", "key-f", read_file(fixtures_dir() / "ninjs/good/001-text-2x.json"))
            .status,
        200);
}

TEST_F(GatewayAdmin, UnknownPathsAre404WhateverTheMethod) {
    start_gateway();
    for (const std::string method : {"GET", "POST", "DELETE"}) {
        for (const std::string path :
             {"/", "/drain", "/reload", "/v1/feeds/f/stories", "/metrics/x", "/healthz/"}) {
            http_client c(svc_->admin_port());
            auto a = c.request(method, path, "");
            EXPECT_EQ(a.status, 404) << method << " " << path;
        }
    }
}

}  // namespace

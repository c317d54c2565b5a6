// The hostile-input catalogue, part 6: one feed's key (or one address) against everybody else's
// share. Body bytes are charged to the feed's and the address's budgets as they arrive, each feed
// keeps a floor of the shared byte budget, and one address may hold only so many connections:
// each case holds what one client can, then checks that another feed or another address is
// still served. The other client connects from 127.0.0.2 (this host too, on Linux).
#include <thread>

#include "hostile_fixture.hpp"

using namespace wire::testing;
using namespace std::chrono_literals;

namespace {

const std::string k_auth_f = "Authorization: Bearer key-f\r\n";
const std::string k_other = "127.0.0.2";

class HostileBudget : public hostile_test {
  protected:
    // A POST to feed f declaring `declared` bytes of body, of which `sent` are sent (the rest
    // never comes): what a slow or stalled upload holds.
    raw_client stalled_upload(std::size_t declared, std::size_t sent) {
        raw_client c(port());
        const std::string head =
            "POST /v1/feeds/f/stories HTTP/1.1\r\nHost: x\r\n" + k_auth_f +
            "Content-Type: application/json\r\nContent-Length: " + std::to_string(declared) +
            "\r\n\r\n";
        c.send(head);
        if (sent > 0) c.send(std::string(sent, ' '));
        return c;
    }
    // A whole story pushed to `feed` from `from`: its status.
    int push(const std::string& feed, const std::string& from, const std::string& body) {
        return raw_exchange_from(from, port(),
                                 raw_post("/v1/feeds/" + feed + "/stories",
                                          "Authorization: Bearer key-" + feed + "\r\n", body))
            .status;
    }
    double inflight_bytes() { return metric("wiregate_inflight_bytes"); }
};

// Four uploads with f's key, 7 MiB each into bodies declared 10 MiB, then silent, took the whole
// 40 MiB budget when declared lengths were charged: feed x was answered 429. Charged as they
// arrive, f holds at most the budget less the floors of x and s; x, under its floor, is served.
TEST_F(HostileBudget, OneFeedHoldingSlowUploadsDoesNotStarveAnotherFeed) {
    cfg_.limits.max_inflight_bytes = 40u << 20;
    cfg_.limits.read_timeout_ms = 30000;  // the uploads stall on purpose
    start_gateway();
    std::vector<raw_client> uploads;
    for (int i = 0; i < 5; ++i) uploads.push_back(stalled_upload(10u << 20, 7u << 20));
    // Every byte sent is read (and charged) or refused: wait until the count is stable.
    EXPECT_TRUE(
        eventually([&] { return inflight_bytes() >= (28u << 20) || requests(429) >= 1; }, 10s))
        << svc_->registry().render();
    EXPECT_LE(inflight_bytes(), 40u << 20);

    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(push("x", k_other, nitf_story()), 200) << "feed x starved by feed f, try " << i;
    EXPECT_EQ(received("x"), 5);
    EXPECT_EQ(received("f"), 0);
}

// Forty uploads declaring 10 MiB each (400 MiB) and sending 100 bytes hold 100 bytes each: a
// declared length is not memory held, and must not turn the feed's own next push away.
TEST_F(HostileBudget, DeclaredLengthsThatNeverArriveHoldNoBudget) {
    cfg_.limits.max_inflight_bytes = 40u << 20;
    cfg_.limits.read_timeout_ms = 30000;
    start_gateway();
    std::vector<raw_client> uploads;
    for (int i = 0; i < 40; ++i) uploads.push_back(stalled_upload(10u << 20, 100));
    EXPECT_TRUE(eventually([&] { return scraped("wiregate_http_open_connections") == 40; }, 10s));
    EXPECT_EQ(push("f", k_other, ninjs_story()), 200);
    EXPECT_EQ(requests(429), 0) << svc_->registry().render();
    EXPECT_LE(inflight_bytes(), 40.0 * (64u << 10)) << "more than one step per upload";
    for (auto& u : uploads) EXPECT_TRUE(u.connected());
}

// One address may hold max_inflight_bytes_per_address of bodies over all feeds; another
// address pushing to the same feed is still served.
TEST_F(HostileBudget, OneAddressHoldsAtMostItsShareOfTheByteBudget) {
    cfg_.limits.max_inflight_bytes = 64u << 20;
    cfg_.limits.max_inflight_bytes_per_address = 12u << 20;
    cfg_.limits.read_timeout_ms = 30000;
    start_gateway();
    auto first = stalled_upload(10u << 20, 7u << 20);
    EXPECT_TRUE(eventually([&] { return inflight_bytes() >= (7u << 20); }, 10s));
    // The second is sent piece by piece until the server refuses it (the answer would be lost
    // to a reset if we kept sending into a closed connection).
    auto second = stalled_upload(10u << 20, 0);
    std::size_t sent = 0;
    while (sent < (7u << 20) && !second.closed_by_server(20ms) &&
           second.send(std::string(256u << 10, ' ')))
        sent += 256u << 10;
    auto answer = second.read_answer();
    EXPECT_EQ(answer.status, 429) << answer.body << " after " << sent << " bytes";
    EXPECT_EQ(refused("inflight_bytes"), 1);
    EXPECT_EQ(push("f", k_other, ninjs_story()), 200);
    EXPECT_LE(inflight_bytes(), 12u << 20);
}

// 80 idle connections from one address filled max_connections (80), and a client at another
// address was closed at accept. With a cap per address (64 by default), it is served.
TEST_F(HostileBudget, ConnectionsFromOneAddressDoNotLockOutAnother) {
    cfg_.limits.max_connections = 80;
    cfg_.limits.read_timeout_ms = 30000;
    start_gateway();
    std::vector<raw_client> held;
    for (int i = 0; i < 80; ++i) held.emplace_back(port());
    EXPECT_TRUE(eventually(
        [&] { return scraped("wiregate_http_open_connections") + refused("per_address") == 80; },
        10s))
        << svc_->registry().render();
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(push("f", k_other, ninjs_story()), 200) << "locked out, try " << i;
    EXPECT_EQ(refused("per_address"), 80 - 64);
    // The last push's connection is counted until the server has seen it close.
    EXPECT_TRUE(eventually([&] { return scraped("wiregate_http_open_connections") == 64; }, 5s))
        << scraped("wiregate_http_open_connections");
}

// A client reconnecting as fast as it is closed gains nothing: each try over the cap is closed
// at accept and counted, and the cap frees up as its connections close.
TEST_F(HostileBudget, ConnectionsOverTheAddressCapAreClosedAtAcceptAndCounted) {
    cfg_.limits.max_connections_per_address = 3;
    start_gateway();
    std::vector<raw_client> held;
    for (int i = 0; i < 3; ++i) held.emplace_back(port());
    EXPECT_TRUE(eventually([&] { return scraped("wiregate_http_open_connections") == 3; }, 5s));
    for (int i = 0; i < 10; ++i) {
        raw_client over(port());
        EXPECT_TRUE(over.closed_by_server(2s));
    }
    EXPECT_TRUE(eventually([&] { return refused("per_address") == 10; }, 5s));
    held.pop_back();
    EXPECT_TRUE(eventually([&] { return scraped("wiregate_http_open_connections") == 2; }, 5s));
    raw_client again(port());
    ASSERT_TRUE(again.send(raw_post("/v1/feeds/f/stories", k_auth_f, ninjs_story())));
    EXPECT_EQ(again.read_answer().status, 200);
}

}  // namespace

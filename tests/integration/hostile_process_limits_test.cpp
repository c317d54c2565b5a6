// The hostile-input catalogue, part 7: one client's share, measured on the real binary.
// 1,100 idle connections from one address (reconnecting when closed) against the default
// connection cap, while a client at another address pushes 21 stories; and 1,100 telex
// connections each holding an open frame of about 1 MB. Prints RSS-REPORT lines.
#include "hostile_process_fixture.hpp"

using namespace wire::testing;
using namespace std::chrono_literals;

namespace {

constexpr int k_flood = 1100, k_tries = 21;

// With limits.max_connections at its default (1024), as the gateway ships.
class HostileProcessDefaultCap : public HostileProcess {
  protected:
    HostileProcessDefaultCap() { max_connections_ = 1024; }
};

// 1,100 idle connections from 127.0.0.1 took every connection the gateway would open: a client
// at 127.0.0.2 was closed at accept. Capped per address (64 by default), it is served each time.
TEST_F(HostileProcessDefaultCap, ElevenHundredIdleConnectionsFromOneAddressDoNotLockOutAnother) {
    const long rss_before = rss();
    std::vector<raw_client> flood;
    flood.reserve(2 * k_flood);
    for (int i = 0; i < k_flood; ++i) flood.emplace_back(port_);
    // Once the gateway has taken or refused them all, the attacker reconnects what was closed.
    auto refused = [&](const char* reason) {
        return scrape("wiregate_http_connections_refused_total{reason=\"" + std::string(reason) +
                      "\"}");
    };
    EXPECT_TRUE(eventually(
        [&] {
            return scrape("wiregate_http_open_connections") + refused("per_address") +
                       refused("over_capacity") ==
                   k_flood;
        },
        10s));
    int reconnected = 0;
    for (int i = 0; i < k_flood; ++i) reconnected += flood[i].closed_by_server(5ms) ? 1 : 0;
    for (int i = 0; i < reconnected; ++i) flood.emplace_back(port_);
    const auto story = read_file(fixtures_dir() / "ninjs/good/001-text-2x.json");
    int served = 0;
    for (int i = 0; i < k_tries; ++i) {
        auto a = raw_exchange_from(
            "127.0.0.2", port_,
            raw_post("/v1/feeds/p/stories", "Authorization: Bearer rss-key\r\n", story), 5s);
        served += a.status == 200 ? 1 : 0;
    }
    const long rss_open = rss(), hwm = proc_status_kib(child_.pid, "VmHWM");
    std::printf(
        "RSS-REPORT per_address flood=%d reconnected=%d served=%d/%d open=%.0f "
        "refused_per_address=%.0f rss_before_kib=%ld rss_open_kib=%ld hwm_kib=%ld "
        "growth_kib=%ld\n",
        k_flood, reconnected, served, k_tries, scrape("wiregate_http_open_connections"),
        scrape("wiregate_http_connections_refused_total{reason=\"per_address\"}"), rss_before,
        rss_open, hwm, rss_open - rss_before);
    EXPECT_EQ(served, k_tries);
    // The last try's connection is counted until the server has seen it close.
    EXPECT_TRUE(eventually([&] { return scrape("wiregate_http_open_connections") == 64; }, 5s))
        << scrape("wiregate_http_open_connections");
    EXPECT_GE(refused("per_address"), k_flood - 64 + reconnected);
    EXPECT_LT(rss_open - rss_before, 64L << 10);
}

// 1,100 telex connections (no credentials needed) each sent about 1 MB of a frame that never
// ends: each open frame was held, up to max_connections × max_frame_bytes. Open frames share one
// budget (limits.max_open_frame_bytes, 64 MiB by default); a connection whose frame would pass
// it is cut.
TEST_F(HostileProcess, ElevenHundredTelexConnectionsWithOpenFramesStayWithinTheFrameBudget) {
    const long rss_before = rss();
    std::string frame = "ZCZC IFX0001 3 POL\nOpen frame\n\n";
    while (frame.size() < 1'000'000) frame += std::string(79, 'x') + "\n";
    std::vector<raw_client> senders;
    senders.reserve(k_flood);
    for (int i = 0; i < k_flood; ++i) {
        senders.emplace_back(stream_, source(i));
        senders.back().send(frame);  // false once the gateway cut it
    }
    const std::string over_budget =
        "wiregate_stream_frames_total{feed=\"t\",result=\"over_budget\"}";
    EXPECT_TRUE(eventually([&] { return scrape(over_budget) >= k_flood - 70; }, 20s))
        << scrape(over_budget);
    const long rss_open = rss(), hwm = proc_status_kib(child_.pid, "VmHWM");
    const long growth = hwm - rss_before;
    std::printf(
        "RSS-REPORT stream_frames connections=%d frame_bytes=%zu over_budget=%.0f "
        "open_frame_bytes=%.0f rss_before_kib=%ld rss_open_kib=%ld hwm_kib=%ld "
        "peak_growth_kib=%ld\n",
        k_flood, frame.size(), scrape(over_budget), scrape("wiregate_stream_open_frame_bytes"),
        rss_before, rss_open, hwm, growth);
    EXPECT_LE(scrape("wiregate_stream_open_frame_bytes"), 64u << 20);
    EXPECT_LT(growth, 128L << 10) << "more than 128 MiB for 1,100 open frames";
}

}  // namespace

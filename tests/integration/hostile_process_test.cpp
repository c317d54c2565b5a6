// The hostile-input catalogue, part 5: memory under connection floods, measured on the real
// binary (`wiregate serve`, as in gateway_process_test.cpp). 1000 connections that never send
// a byte and 200 slowloris connections that trickle their header: the gateway's resident set
// must stay within a bound while they are open, and every one of them must be cut at the read
// timeout; 200 connections part-way through bodies declared over the byte budget must not be
// held. The clients come from many addresses (127.0.1.x), 50 each: the per-address caps are
// hostile_process_limits_test.cpp's. Prints RSS-REPORT lines (rss_before_kib, rss_open_kib,
// hwm_kib, growth_kib).
#include "hostile_process_fixture.hpp"

using namespace wire::testing;
using namespace std::chrono_literals;

namespace {

constexpr int k_idle = 1000, k_slow = 200;

TEST_F(HostileProcess, ThousandIdleAndTwoHundredSlowlorisConnectionsStayWithinTheMemoryBound) {
    const long rss_before = rss();
    std::vector<raw_client> idle, slow;
    idle.reserve(k_idle);
    slow.reserve(k_slow);
    for (int i = 0; i < k_idle; ++i) idle.emplace_back(port_, source(i));
    for (int i = 0; i < k_slow; ++i) {
        slow.emplace_back(port_, source(k_idle + i));
        slow.back().send("POST /v1/feeds/p/stories HTTP/1.1\r\nHost: x\r\nX-Slow: ");
    }
    EXPECT_TRUE(eventually(
        [&] { return scrape("wiregate_http_open_connections") == k_idle + k_slow; }, 10s))
        << scrape("wiregate_http_open_connections");
    // The slowloris connections trickle a byte each, round after round, for a second.
    for (int round = 0; round < 10; ++round) {
        for (auto& s : slow) s.send("a");
        std::this_thread::sleep_for(100ms);  // the attack's pace, not a wait for the gateway
    }
    const long rss_open = rss(), hwm = proc_status_kib(child_.pid, "VmHWM");
    const long growth = rss_open - rss_before;
    std::printf(
        "RSS-REPORT http idle=%d slowloris=%d rss_before_kib=%ld rss_open_kib=%ld "
        "hwm_kib=%ld growth_kib=%ld\n",
        k_idle, k_slow, rss_before, rss_open, hwm, growth);
    EXPECT_GT(rss_before, 0);
    EXPECT_LT(growth, 64L << 10) << "more than 64 MiB for idle and slow connections";

    // Every one of them is cut at the read timeout (5 s from its connect), trickling or not.
    EXPECT_TRUE(eventually([&] { return scrape("wiregate_http_open_connections") == 0; }, 20s))
        << scrape("wiregate_http_open_connections");
    EXPECT_EQ(scrape("wiregate_http_connections_refused_total{reason=\"read_timeout\"}"),
              k_idle + k_slow);
    for (auto& s : slow) EXPECT_TRUE(s.closed_by_server(1s));
}

TEST_F(HostileProcess, ThousandIdleTelexStreamConnectionsStayWithinTheMemoryBound) {
    const long rss_before = rss();
    std::vector<raw_client> idle;
    idle.reserve(k_idle);
    for (int i = 0; i < k_idle; ++i) idle.emplace_back(stream_, source(i));
    EXPECT_TRUE(eventually(
        [&] {
            return scrape("wiregate_stream_connections_total{feed=\"t\",result=\"accepted\"}") ==
                   k_idle;
        },
        10s));
    const long rss_open = rss(), hwm = proc_status_kib(child_.pid, "VmHWM");
    const long growth = rss_open - rss_before;
    std::printf(
        "RSS-REPORT stream idle=%d rss_before_kib=%ld rss_open_kib=%ld hwm_kib=%ld "
        "growth_kib=%ld\n",
        k_idle, rss_before, rss_open, hwm, growth);
    EXPECT_LT(growth, 64L << 10) << "more than 64 MiB for idle stream connections";
    for (auto& c : idle) EXPECT_TRUE(c.closed_by_server(10s)) << "idle_timeout_ms is 5000";
}

// 200 connections each 1 MiB into a body declared 16 MiB, then silent: unless bodies were charged
// to max_inflight_bytes (32 MiB) as they are read, all 200 would be held (200 MiB). They are
// charged as the bytes arrive (a declared length holds nothing), so a sender is refused 429 only
// once what the feed's uploads hold passes its share.
TEST_F(HostileProcess, TwoHundredConnectionsPartWayThroughHugeBodiesStayWithinTheByteBudget) {
    constexpr int k_senders = 200;
    constexpr std::size_t k_declared = 16u << 20, k_budget = 32u << 20;
    const long rss_before = rss();
    const std::string head =
        "POST /v1/feeds/p/stories HTTP/1.1\r\nHost: x\r\n"
        "Authorization: Bearer rss-key\r\nContent-Length: " +
        std::to_string(k_declared) + "\r\n\r\n";
    const std::string part(1u << 20, ' ');
    std::vector<raw_client> senders;
    senders.reserve(k_senders);
    for (int i = 0; i < k_senders; ++i) {
        senders.emplace_back(port_, source(i));
        if (senders.back().send(head)) senders.back().send(part);  // a refused one may be closed
    }
    // Feed p may hold the budget less feed t's floor (4 MiB): 28 senders of 1 MiB at most; the
    // others are refused 429 as their bytes arrive.
    const std::string too_many = "wiregate_http_requests_total{code=\"429\"}";
    EXPECT_TRUE(eventually([&] { return scrape(too_many) >= k_senders - 28; }, 10s))
        << scrape(too_many);
    EXPECT_LE(scrape("wiregate_inflight_bytes"), static_cast<double>(k_budget));
    const long rss_open = rss(), hwm = proc_status_kib(child_.pid, "VmHWM");
    // The peak, not the moment: without the budget the bodies are in memory only until the read
    // timeout frees them (VmHWM +206 MiB, measured on the code before the budget).
    const long growth = hwm - rss_before;
    EXPECT_LT(growth, 64L << 10) << "more than 64 MiB for bodies past the budget";
    // The admitted ones stall: cut at the read timeout, and their bytes come back.
    const std::string cut = "wiregate_http_connections_refused_total{reason=\"read_timeout\"}";
    EXPECT_TRUE(eventually([&] { return scrape("wiregate_inflight_bytes") == 0; }, 20s));
    EXPECT_TRUE(eventually([&] { return scrape(cut) + scrape(too_many) == k_senders; }, 10s));
    std::printf(
        "RSS-REPORT bodies senders=%d declared_kib=%zu sent_kib_each=1024 admitted=%.0f "
        "refused_429=%.0f rss_before_kib=%ld rss_open_kib=%ld hwm_kib=%ld peak_growth_kib=%ld\n",
        k_senders, k_declared >> 10, scrape(cut), scrape(too_many), rss_before, rss_open, hwm,
        growth);
}

}  // namespace

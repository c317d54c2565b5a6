// The hostile-input catalogue, part 5: memory under connection floods, measured on the real
// binary (`wiregate serve`, as in gateway_process_test.cpp). 1000 connections that never send
// a byte and 200 slowloris connections that trickle their header: the gateway's resident set
// must stay within a bound while they are open, and every one of them must be cut at the read
// timeout; 200 connections part-way through bodies declared over the byte budget must not be
// held. Prints RSS-REPORT lines (rss_before_kib, rss_open_kib, hwm_kib, growth_kib).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "kafka_test_env.hpp"
#include "raw_http.hpp"

using namespace wire::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr int k_idle = 1000, k_slow = 200;

struct serve_process {
    pid_t pid = -1;
    FILE* err = nullptr;
    std::string log;
    std::string read_until(const std::string& needle) {
        char buf[4096];
        while (log.find(needle) == std::string::npos && std::fgets(buf, sizeof buf, err))
            log += buf;
        return log;
    }
    int port(const std::string& name) const {
        std::smatch m;
        if (!std::regex_search(log, m, std::regex("\"" + name + "\":([0-9]+)"))) return 0;
        return std::stoi(m[1]);
    }
};

serve_process spawn_serve(const fs::path& config) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe");
    serve_process c;
    c.pid = fork();
    if (c.pid == 0) {
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
        execl(WIREGATE_BINARY, WIREGATE_BINARY, "serve", "--config", config.c_str(), nullptr);
        _exit(127);
    }
    close(fds[1]);
    c.err = fdopen(fds[0], "r");
    return c;
}

std::string config_yaml(const std::string& topic) {
    return "gateway: {instance: hostile-rss, log_level: info, drain_timeout_ms: 10000}\n"
           "listeners:\n"
           "  http: [{name: ingest, address: 127.0.0.1, port: 0}]\n"
           "  admin: {address: 127.0.0.1, port: 0}\n"
           "  streams: [{feed: t, port: 0, framing: zczc, idle_timeout_ms: 5000}]\n"
           "limits: {read_timeout_ms: 5000, idle_timeout_ms: 5000, max_connections: 4000,\n"
           "         max_body_bytes: 16777216, max_inflight_bytes: 33554432}\n"
           "feeds:\n"
           "  - id: p\n    agency: ap\n    format: ninjs\n"
           "    auth: {api_keys: [{value: rss-key}]}\n"
           "  - id: t\n    agency: interfax\n    format: zczc\n"
           "    auth: {api_keys: [{value: rss-key-t}]}\n"
           "routing:\n  topics: [" +
           topic + "]\n  default_topics: [" + topic + "]\n  rejected_topic: " + topic +
           "\n  rules: []\n"
           "kafka:\n  brokers: " +
           test_brokers() +
           "\n  create_topics: {partitions: 1, replication_factor: 1}\n"
           "dedup:\n  enabled: false\n";
}

// `wiregate serve` on a config of its own, ready, one story through every layer (so steady
// allocations are made before the first measurement); stopped with SIGTERM.
class HostileProcess : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("wiregate-hostile-rss-" + std::to_string(getpid()));
        fs::create_directories(dir_);
        auto cfg = dir_ / "gateway.yaml";
        std::ofstream(cfg) << config_yaml(unique_topic("hostile.rss"));
        child_ = spawn_serve(cfg);
        child_.read_until("\"event\":\"started\"");
        // The rest of its log is read (and dropped) as it comes: a full pipe would stop it.
        drain_ = std::thread([err = child_.err] {
            char buf[4096];
            while (std::fgets(buf, sizeof buf, err)) {
            }
        });
        port_ = static_cast<std::uint16_t>(child_.port("ingest_port"));
        admin_ = static_cast<std::uint16_t>(child_.port("admin_port"));
        stream_ = static_cast<std::uint16_t>(child_.port("stream_t_port"));
        ASSERT_GT(port_, 0) << child_.log;
        ASSERT_GT(stream_, 0) << child_.log;
        ASSERT_TRUE(eventually(
            [&] {
                http_client c(admin_);
                return c.request("GET", "/readyz", "").status == 200;
            },
            30s));
        http_client c(port_);
        auto a =
            c.post_story("p", "rss-key", read_file(fixtures_dir() / "ninjs/good/001-text-2x.json"));
        ASSERT_EQ(a.status, 200) << a.body;
    }
    void TearDown() override {
        if (child_.pid > 0) {
            EXPECT_EQ(kill(child_.pid, SIGTERM), 0);
            int status = 0;
            EXPECT_EQ(waitpid(child_.pid, &status, 0), child_.pid);
            EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        }
        if (drain_.joinable()) drain_.join();
        if (child_.err) std::fclose(child_.err);
        fs::remove_all(dir_);
    }
    long rss() const { return proc_status_kib(child_.pid, "VmRSS"); }
    double scrape(const std::string& series) const {
        http_client c(admin_);
        return metric_value(c.request("GET", "/metrics", "").body, series);
    }

    fs::path dir_;
    serve_process child_;
    std::thread drain_;
    std::uint16_t port_ = 0, admin_ = 0, stream_ = 0;
};

TEST_F(HostileProcess, ThousandIdleAndTwoHundredSlowlorisConnectionsStayWithinTheMemoryBound) {
    const long rss_before = rss();
    std::vector<raw_client> idle, slow;
    idle.reserve(k_idle);
    slow.reserve(k_slow);
    for (int i = 0; i < k_idle; ++i) idle.emplace_back(port_);
    for (int i = 0; i < k_slow; ++i) {
        slow.emplace_back(port_);
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
    for (int i = 0; i < k_idle; ++i) idle.emplace_back(stream_);
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
// to max_inflight_bytes (32 MiB) as they are read, all 200 would be admitted and held (200 MiB).
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
        senders.emplace_back(port_);
        if (senders.back().send(head)) senders.back().send(part);  // a refused one may be closed
    }
    const int admitted = static_cast<int>(k_budget / k_declared);
    EXPECT_TRUE(eventually(
        [&] {
            return scrape("wiregate_http_requests_total{code=\"429\"}") == k_senders - admitted;
        },
        10s))
        << scrape("wiregate_http_requests_total{code=\"429\"}");
    EXPECT_EQ(scrape("wiregate_inflight_bytes"), static_cast<double>(k_budget));
    const long rss_open = rss(), hwm = proc_status_kib(child_.pid, "VmHWM");
    // The peak, not the moment: without the budget the bodies are in memory only until the read
    // timeout frees them (VmHWM +206 MiB, measured on the code before the budget).
    const long growth = hwm - rss_before;
    std::printf(
        "RSS-REPORT bodies senders=%d declared_kib=%zu sent_kib_each=1024 admitted=%d "
        "rss_before_kib=%ld rss_open_kib=%ld hwm_kib=%ld peak_growth_kib=%ld\n",
        k_senders, k_declared >> 10, admitted, rss_before, rss_open, hwm, growth);
    EXPECT_LT(growth, 64L << 10) << "more than 64 MiB for bodies past the budget";
    // The admitted ones stall: cut at the read timeout, and their bytes come back.
    EXPECT_TRUE(eventually([&] { return scrape("wiregate_inflight_bytes") == 0; }, 20s));
    EXPECT_EQ(scrape("wiregate_http_connections_refused_total{reason=\"read_timeout\"}"), admitted);
}

}  // namespace

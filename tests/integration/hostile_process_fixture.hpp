#pragma once
// The base of HostileProcess: `wiregate serve` (the real binary, as in gateway_process_test.cpp)
// on a config of its own, with an HTTP ingest port, a ZCZC telex port for feed "t" and the admin
// port; memory read from /proc/<pid>/status (RSS-REPORT lines).
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
#include "serve_process.hpp"

namespace wire::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

inline std::string config_yaml(const std::string& topic, int max_connections) {
    return "gateway: {instance: hostile-rss, log_level: info, drain_timeout_ms: 10000}\n"
           "listeners:\n"
           "  http: [{name: ingest, address: 127.0.0.1, port: 0}]\n"
           "  admin: {address: 127.0.0.1, port: 0}\n"
           "  streams: [{feed: t, port: 0, framing: zczc, idle_timeout_ms: 5000}]\n"
           "limits: {read_timeout_ms: 5000, idle_timeout_ms: 5000, max_connections: " +
           std::to_string(max_connections) +
           ",\n"
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
        auto cfg = dir_ / "config.yaml";
        std::ofstream(cfg) << config_yaml(unique_topic("hostile.rss"), max_connections_);
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
    /// The i-th of many clients: 50 to a source address (127.0.1.x), under the default
    /// per-address cap, so that a flood from many addresses is what is measured.
    static std::string source(int i) { return "127.0.1." + std::to_string(1 + i / 50); }
    double scrape(const std::string& series) const {
        http_client c(admin_);
        return metric_value(c.request("GET", "/metrics", "").body, series);
    }

    int max_connections_ = 4000;  // limits.max_connections (HTTP; and per stream listener)
    fs::path dir_;
    serve_process child_;
    std::thread drain_;
    std::uint16_t port_ = 0, admin_ = 0, stream_ = 0;
};

}  // namespace wire::testing

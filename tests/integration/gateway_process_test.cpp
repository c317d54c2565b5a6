// The real binary as operators run it: `wiregate serve --config FILE`, reloaded with SIGHUP
// after the file changed, drained with SIGTERM (exit status 0).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>

#include "gateway_test_env.hpp"
#include "kafka_test_env.hpp"
#include "serve_process.hpp"

using namespace wire::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

std::string config_yaml(const std::string& key, const std::string& topic_a,
                        const std::string& topic_b, bool route_to_b) {
    std::string y =
        "gateway: {instance: proc-test, log_level: info, drain_timeout_ms: 10000}\n"
        "listeners:\n"
        "  http: [{name: ingest, address: 127.0.0.1, port: 0}]\n"
        "  admin: {address: 127.0.0.1, port: 0}\n"
        "feeds:\n"
        "  - id: p\n    agency: ap\n    format: ninjs\n"
        "    auth: {api_keys: [{value: " +
        key +
        "}]}\n"
        "routing:\n"
        "  topics: [" +
        topic_a + ", " + topic_b +
        "]\n"
        "  default_topics: [" +
        topic_a +
        "]\n"
        "  rejected_topic: " +
        topic_a +
        "\n"
        "  rules:\n";
    if (route_to_b)
        y += "    - {name: b, match: {feed: [p]}, topics: [" + topic_b + "]}\n";
    else
        y += "    - {name: a, match: {feed: [p]}, topics: [" + topic_a + "]}\n";
    y += "kafka:\n  brokers: " + test_brokers() +
         "\n  create_topics: {partitions: 1, replication_factor: 1}\n";
    y += "dedup:\n  enabled: false\n";  // the same story is posted before and after SIGHUP
    return y;
}

TEST(GatewayProcess, SighupReloadsCredentialsAndRoutingAndSigtermDrainsWithExitZero) {
    const std::string a = unique_topic("proc.a"), b = unique_topic("proc.b");
    auto dir = fs::temp_directory_path() / ("wiregate-proc-" + std::to_string(getpid()));
    fs::create_directories(dir);
    auto cfg = dir / "config.yaml";
    std::ofstream(cfg) << config_yaml("first-key", a, b, false);

    auto child = spawn_serve(cfg);
    auto log = child.read_until("\"event\":\"started\"");
    const int port = child.port("ingest_port"), admin = child.port("admin_port");
    ASSERT_GT(port, 0) << log;
    ASSERT_TRUE(eventually(
        [&] {
            http_client c(static_cast<std::uint16_t>(admin));
            return c.request("GET", "/readyz", "").status == 200;
        },
        30s));
    auto story = read_file(fixtures_dir() / "ninjs/good/001-text-2x.json");
    http_client client(static_cast<std::uint16_t>(port));
    auto first = client.post_story("p", "first-key", story);
    ASSERT_EQ(first.status, 200) << first.body;
    EXPECT_NE(first.body.find("\"topic\":\"" + a + "\""), std::string::npos);

    std::ofstream(cfg, std::ios::trunc) << config_yaml("second-key", a, b, true);
    ASSERT_EQ(kill(child.pid, SIGHUP), 0);
    child.read_until("\"event\":\"reloaded\"");
    auto second = client.post_story("p", "second-key", story);  // the same connection
    EXPECT_EQ(second.status, 200) << second.body;
    EXPECT_NE(second.body.find("\"topic\":\"" + b + "\""), std::string::npos) << second.body;
    EXPECT_EQ(client.post_story("p", "first-key", story).status, 403);

    ASSERT_EQ(kill(child.pid, SIGTERM), 0);
    int status = 0;
    ASSERT_EQ(waitpid(child.pid, &status, 0), child.pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
    log = child.read_until("\"event\":\"stopped\"");
    EXPECT_NE(log.find("\"clean\":\"true\""), std::string::npos) << log;
    EXPECT_EQ(log.find("second-key"), std::string::npos) << "a secret reached the log";
    std::fclose(child.err);
    EXPECT_EQ(consume(test_brokers(), a, 1, 30s).size(), 1u);
    EXPECT_EQ(consume(test_brokers(), b, 1, 30s).size(), 1u);
    fs::remove_all(dir);
}

}  // namespace

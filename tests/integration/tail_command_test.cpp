// `wiregate tail` (the real binary) against the real broker: stories, a kill, a dead letter
// and messages that are not envelopes, each printed as one line with its offset.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "kafka_test_env.hpp"
#include "run_command.hpp"

using namespace wire::testing;

namespace {

std::string utc_ago(std::time_t seconds_ago) {
    std::time_t t = std::time(nullptr) - seconds_ago;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string envelope(const std::string& uri, const std::string& created, int urgency,
                     const std::string& signal, const std::string& headline,
                     const std::string& warnings) {
    return R"({"schema":"wiregate.story/1","story":{"uri":")" + uri +
           R"(","type":"text","version":"1","versioncreated":")" + created +
           R"(","pubstatus":"usable","urgency":)" + std::to_string(urgency) +
           R"(,"headlines":[{"role":"main","contenttype":"text/plain","value":")" + headline +
           R"("}]},"wire":{"agency":"ap","feed":"ap","format":"ap-json","profile":"ap","signal":")" +
           signal + R"(","version_order":"x","charset":{"used":"utf-8"},"raw_sha256":")" +
           std::string(64, 'a') + R"(","raw_bytes":10,"gateway":{},"warnings":[)" + warnings +
           "]}}";
}

using run_result = command_result;

run_result run_tail(const std::string& args) {
    return run_command(std::string(WIREGATE_BINARY) + " tail " + args + " 2>/dev/null");
}

bool matches(const std::string& line, const std::string& pattern) {
    return std::regex_search(line, std::regex(pattern));
}

}  // namespace

TEST(TailCommand, PrintsStoriesDeadLettersAndUnreadableMessagesOneLineEach) {
    const auto brokers = test_brokers();
    const auto topic = unique_topic("tail");
    ASSERT_EQ(create_topic(brokers, topic, 1, 1), "");

    const auto created = utc_ago(125);
    produce_one(brokers, topic, "urn:t:1",
                envelope("urn:t:1", created, 3, "update", "Parliament passes budget", ""), {});
    produce_one(brokers, topic, "urn:t:2",
                envelope("urn:t:2", created, 1, "kill", "Quake story withdrawn",
                         R"({"code":"older_version","message":"1 after 2"})"),
                {});
    produce_one(brokers, topic, "ap:abc", "<garbage/>",
                {{"wiregate-reason", "missing_required"},
                 {"wiregate-message", "no headline"},
                 {"wiregate-feed", "ap"},
                 {"wiregate-received-at", "2026-11-28T12:00:00.000Z"},
                 {"wiregate-raw-bytes", "10"}});
    produce_one(brokers, topic, "k", "not json at all", {});
    produce_one(brokers, topic, "k", R"({"hello":"world"})", {});

    auto r = run_tail("--topic " + topic + " --brokers " + brokers +
                      " --from-beginning --max 5 --timeout-ms 60000");
    EXPECT_EQ(r.status, 0);
    ASSERT_EQ(r.lines.size(), 5u) << (r.lines.empty() ? "" : r.lines.back());
    const std::string at = "  " + topic + "/0@";
    // time, agency, urgency, signal, headline, age (125 s, a few more if the machine is slow)
    EXPECT_TRUE(matches(r.lines[0], "^" + created +
                                        "  ap +U3  update +Parliament passes budget  age "
                                        "2m[0-5][0-9]s  " +
                                        topic + "/0@0$"))
        << r.lines[0];
    EXPECT_TRUE(matches(r.lines[1], "^" + created +
                                        "  ap +U1  KILL +Quake story withdrawn  age 2m[0-5][0-9]s"
                                        "  \\[warning: older_version: 1 after 2\\]  " +
                                        topic + "/0@1$"))
        << r.lines[1];
    EXPECT_EQ(r.lines[2],
              "2026-11-28T12:00:00.000Z  DEAD  missing_required  feed=ap  no headline"
              "  10 bytes" +
                  at + "2")
        << r.lines[2];
    EXPECT_EQ(r.lines[3], "-  UNREADABLE  not JSON  15 bytes" + at + "3");
    EXPECT_EQ(r.lines[4], "-  UNREADABLE  not a wiregate.story/1 envelope  17 bytes" + at + "4");
}

TEST(TailCommand, StopsAtMaxAndLocalTimeStillPrintsEveryField) {
    const auto brokers = test_brokers();
    const auto topic = unique_topic("tail.local");
    ASSERT_EQ(create_topic(brokers, topic, 2, 1), "");
    for (int i = 0; i < 3; ++i) {
        auto uri = "urn:t:local:" + std::to_string(i);
        produce_one(brokers, topic, uri, envelope(uri, utc_ago(30), 5, "new", "Story", ""), {});
    }
    auto r = run_tail("--topic " + topic + " --brokers " + brokers +
                      " --from-beginning --local --max 2 --timeout-ms 60000");
    EXPECT_EQ(r.status, 0);
    ASSERT_EQ(r.lines.size(), 2u);  // --max 2 of the 3
    for (const auto& line : r.lines)
        EXPECT_TRUE(matches(line,
                            "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}[+-][0-9]{4}  ap +U5  new "
                            "+Story  age [0-9]+s  " +
                                topic + "/[01]@[0-9]+$"))
            << line;
}

TEST(TailCommand, AMissingTopicExitsOne) {
    auto r = run_tail("--topic " + unique_topic("tail.missing") + " --brokers " + test_brokers() +
                      " --from-beginning --max 1 --timeout-ms 20000");
    EXPECT_EQ(r.status, 1);
    EXPECT_TRUE(r.lines.empty());
}

// --config reads Kafka as that gateway config says (brokers and the connection and security
// settings of kafka.properties); -X adds librdkafka properties.
TEST(TailCommand, ReadsKafkaAsAGatewayConfigSaysAndTakesLibrdkafkaProperties) {
    const auto brokers = test_brokers();
    const auto topic = unique_topic("tail.config");
    ASSERT_EQ(create_topic(brokers, topic, 1, 1), "");
    produce_one(brokers, topic, "ap:urn:t:c", envelope("urn:t:c", utc_ago(5), 4, "new", "S", ""),
                {});
    auto write_config = [&](const std::string& name, const std::string& properties) {
        const auto path = std::filesystem::temp_directory_path() / (topic + "." + name + ".yaml");
        std::ofstream(path) << "listeners: {http: [{name: ingest, port: 0}]}\n"
                               "feeds: [{id: ap, agency: ap, auth: {api_keys: [{value: k}]}}]\n"
                               "routing: {topics: [wire.rejected, "
                            << topic << "], default_topics: [" << topic
                            << "]}\nkafka:\n  brokers: \"" << brokers << "\"\n  properties: {"
                            << properties << "}\n";
        return path.string();
    };
    const auto plain = write_config("plain", "client.id: desk-tool");
    auto r = run_tail("--topic " + topic + " --config " + plain +
                      " --from-beginning --max 1 --timeout-ms 60000");
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.lines.size(), 1u);
    // The config's security settings are used: SASL against this plaintext broker cannot work.
    const auto sasl = write_config("sasl",
                                   "security.protocol: sasl_plaintext, sasl.mechanisms: PLAIN, "
                                   "sasl.username: u, sasl.password: p");
    r = run_tail("--topic " + topic + " --config " + sasl +
                 " --from-beginning --max 1 --timeout-ms 30000");
    EXPECT_EQ(r.status, 1);
    EXPECT_TRUE(r.lines.empty());
    r = run_tail("--topic " + topic + " --brokers " + brokers + " -X no.such.property=1 --max 1");
    EXPECT_EQ(r.status, 1);
    std::filesystem::remove(plain);
    std::filesystem::remove(sasl);
}

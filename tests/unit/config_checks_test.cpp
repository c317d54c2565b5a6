// ConfigLoader: each class of mistake is reported at its key path (small YAML snippets spliced
// into an otherwise valid config).
#include <gtest/gtest.h>

#include "config_test_util.hpp"

using namespace config_test;

namespace {

// A feed entry; its agency is "a" unless `more` sets one.
std::string feed(const std::string& id, const std::string& more = "") {
    const std::string agency = more.find("agency:") == std::string::npos ? "    agency: a\n" : "";
    return "  - id: " + id + "\n" + agency + more + "    auth: {api_keys: [{value: k}]}\n";
}

TEST(ConfigLoader, UnknownKeysAreNamedAtEveryLevel) {
    sections s;
    s.gateway = "gateway: {instanse: x}\nbogus: 1\n";
    s.feeds =
        "feeds:\n  - id: ap\n    agency: a\n    auth: {api_keys: [{value: k}], apikeys: []}\n";
    s.routing += "  rules: [{name: r, match: {subjects: [x]}, topics: [desk.world]}]\n";
    s.kafka += "  create_topics: {partitions: 1, replication: 1}\n";
    s.extra = "limits: {max_body: 1}\n";
    auto r = load(s.text());
    EXPECT_PROBLEM(r, "gateway.instanse", "unknown key 'instanse'; allowed: drain_timeout_ms");
    EXPECT_PROBLEM(r, "bogus", "unknown key 'bogus'");
    EXPECT_PROBLEM(r, "feeds[0].auth.apikeys", "allowed: api_keys, client_certificates, hmac");
    EXPECT_PROBLEM(r, "routing.rules[0].match.subjects", "unknown key");
    EXPECT_PROBLEM(r, "kafka.create_topics.replication", "replication_factor");
    EXPECT_PROBLEM(r, "limits.max_body", "unknown key");
    EXPECT_EQ(r.problems.size(), 6u) << describe(r.problems);
}

TEST(ConfigLoader, DuplicateKeysAreReported) {
    sections s;
    s.gateway = "gateway:\n  instance: a\n  instance: b\n";
    EXPECT_PROBLEM(load(s.text()), "gateway.instance", "duplicate key");
}

TEST(ConfigLoader, WrongTypesNameWhatWasExpected) {
    sections s;
    s.listeners = "listeners:\n  http: [{port: \"8080\"}]\n  admin: [1]\n";
    s.routing =
        "routing:\n  topics: desk.world\n  rules: [{name: r, topics: [wire.x], copy: 'yes'}]\n";
    s.feeds = "feeds: {id: ap, agency: a}\n";
    s.extra = "gateway: {instance: 12, log_level: yes}\n";
    auto r = load(s.text());
    EXPECT_PROBLEM(r, "listeners.http[0].port", "expected a whole number, got a string");
    EXPECT_PROBLEM(r, "listeners.admin", "expected a mapping, got a list");
    EXPECT_PROBLEM(r, "routing.topics", "expected a list, got a string");
    EXPECT_PROBLEM(r, "routing.rules[0].copy", "expected true or false, got a string");
    EXPECT_PROBLEM(r, "feeds", "expected a list, got a mapping");
    EXPECT_PROBLEM(r, "gateway.instance", "expected a string, got a number");
    EXPECT_PROBLEM(r, "gateway.log_level", "expected a string, got a boolean");
}

TEST(ConfigLoader, NumbersArePlainDecimalWithinRange) {
    sections s;
    s.extra = "limits: {max_connections: 0x10, read_timeout_ms: 1.5, max_body_bytes: 010}\n";
    auto r = load(s.text());
    EXPECT_PROBLEM(r, "limits.max_connections", "plain decimal");
    EXPECT_PROBLEM(r, "limits.read_timeout_ms", "expected a whole number, got a number");
    EXPECT_PROBLEM(r, "limits.max_body_bytes", "plain decimal");
    s.extra = "limits: {max_connections: 99999999999999999999999}\n";
    EXPECT_PROBLEM(load(s.text()), "limits.max_connections", "must be between");
}

TEST(ConfigLoader, RequiredKeysAreReportedMissing) {
    auto r = load("gateway: {instance: a}\n");
    EXPECT_PROBLEM(r, "feeds", "missing required key");
    EXPECT_PROBLEM(r, "routing", "missing required key");
    EXPECT_PROBLEM(r, "kafka", "missing required key");
    EXPECT_PROBLEM(r, "listeners", "at least one http listener or stream");

    sections s;
    s.routing = "routing: {default_topics: [a]}\n";
    s.feeds = "feeds:\n  - agency: ap\n";
    s.listeners = "listeners:\n  http: [{name: a}]\n  streams: [{port: 1}]\n";
    r = load(s.text());
    EXPECT_PROBLEM(r, "routing.topics", "missing required key");
    EXPECT_PROBLEM(r, "feeds[0].id", "missing required key");
    EXPECT_PROBLEM(r, "feeds[0].auth", "missing required key");
    EXPECT_PROBLEM(r, "listeners.http[0].port", "missing required key");
    EXPECT_PROBLEM(r, "listeners.streams[0].feed", "missing required key");
    EXPECT_PROBLEM(r, "listeners.streams[0].framing", "missing required key");
    s = sections{};
    s.feeds = "feeds: []\n";
    s.listeners = "listeners: {http: []}\n";
    r = load(s.text());
    EXPECT_PROBLEM(r, "feeds", "at least one feed");
    EXPECT_PROBLEM(r, "listeners", "at least one http listener or stream");
}

TEST(ConfigLoader, FeedIdsFollowThePatternAndAreUnique) {
    sections s;
    s.feeds = "feeds:\n" + feed("AP") + feed("-ap") + feed(std::string(65, 'a')) +
              feed(std::string(64, 'a')) + feed("a.b_c-9") + feed("a.b_c-9") +
              feed("ok", "    agency: Reuters\n");
    auto r = load(s.text());
    EXPECT_PROBLEM(r, "feeds[0].id", "not a valid feed id");
    EXPECT_PROBLEM(r, "feeds[1].id", "not a valid feed id");
    EXPECT_PROBLEM(r, "feeds[2].id", "not a valid feed id");
    EXPECT_PROBLEM(r, "feeds[5].id", "duplicate feed id 'a.b_c-9' (also feeds[4])");
    EXPECT_PROBLEM(r, "feeds[6].agency", "not a valid agency id");
    EXPECT_EQ(r.problems.size(), 5u) << describe(r.problems);
}

TEST(ConfigLoader, EveryFeedSpeaksForAPinnedAgency) {
    sections s;
    s.feeds = "feeds:\n  - id: nj\n    format: ninjs\n    auth: {api_keys: [{value: k}]}\n";
    auto r = load(s.text());
    EXPECT_PROBLEM(r, "feeds[0].agency", "every feed speaks for one agency");
    EXPECT_FALSE(r.config);
}

TEST(ConfigLoader, FormatProfileAndCharsetAreChecked) {
    sections s;
    s.feeds = "feeds:\n" + feed("a", "    format: nitf-4\n") + feed("b", "    format: auto\n") +
              feed("c", "    profile: afp\n") + feed("d", "    profile: generic\n") +
              feed("e", "    charset: ebcdic\n") + feed("f", "    charset: CP1251\n") +
              feed("g", "    format: zczc\n    profile: \"\"\n    charset: \"\"\n");
    auto r = load(s.text());
    EXPECT_PROBLEM(r, "feeds[0].format", "unknown format 'nitf-4'; expected anpa1312, ap-json");
    EXPECT_PROBLEM(r, "feeds[2].profile", "unknown profile 'afp'");
    EXPECT_PROBLEM(r, "feeds[4].charset", "unsupported charset 'ebcdic'");
    EXPECT_EQ(r.problems.size(), 3u) << describe(r.problems);
}

TEST(ConfigLoader, FeedsNeedCredentials) {
    sections s;
    s.feeds =
        "feeds:\n  - id: a\n    agency: a\n    auth: {api_keys: []}\n  - id: b\n    agency: a\n    "
        "auth: {}\n";
    auto r = load(s.text());
    EXPECT_PROBLEM(r, "feeds[0].auth.api_keys", "at least one API key");
    EXPECT_PROBLEM(r, "feeds[1].auth.api_keys", "at least one API key or client certificate");
    s.feeds =
        "feeds:\n  - id: a\n    agency: a\n    auth:\n      api_keys: [{value: k}]\n"
        "      hmac: {secret: {value: s}, window_seconds: 0}\n";
    EXPECT_PROBLEM(load(s.text()), "feeds[0].auth.hmac.window_seconds", "between 1 and 86400");
}

TEST(ConfigLoader, StreamsAreChecked) {
    sections s;
    s.feeds = "feeds:\n" + feed("ap") + feed("ifx", "    format: iptc7901\n");
    s.listeners =
        "listeners:\n  streams:\n"
        "    - {feed: nope, port: 7000, framing: anpa1312}\n"
        "    - {feed: ap, port: 7001, framing: morse}\n"
        "    - {feed: ap, port: 7002, framing: zczc}\n"
        "    - {feed: ifx, port: 7003, framing: zczc}\n"
        "    - {feed: ifx, port: 7004, framing: iptc7901, max_frame_bytes: 0}\n";
    auto r = load(s.text());
    EXPECT_PROBLEM(r, "listeners.streams[0].feed", "unknown feed 'nope'");
    EXPECT_PROBLEM(r, "listeners.streams[1].framing", "unknown framing 'morse'");
    EXPECT_PROBLEM(r, "listeners.streams[2].feed", "already has a stream (listeners.streams[1])");
    EXPECT_PROBLEM(r, "listeners.streams[3].framing", "does not fit feed 'ifx'");
    EXPECT_PROBLEM(r, "listeners.streams[4].max_frame_bytes", "must be between 1 and");
    EXPECT_PROBLEM(r, "listeners.streams[4].feed", "already has a stream");
    EXPECT_EQ(r.problems.size(), 6u) << describe(r.problems);
}

TEST(ConfigLoader, PortsAreInRangeAndNotShared) {
    sections s;
    s.feeds = "feeds:\n" + feed("a") + feed("b") + feed("c");
    s.listeners =
        "listeners:\n  http:\n    - {name: a, port: 65536}\n    - {name: b, port: -1}\n"
        "    - {name: c, port: 9090}\n    - {name: d, port: 0}\n    - {name: e, port: 0}\n"
        "    - {name: f, address: 10.1.2.3, port: 8081}\n"
        "    - {name: g, address: 10.1.2.4, port: 8081}\n"
        "    - {name: h, address: 0.0.0.0, port: 8082}\n"
        "    - {name: h, address: 10.1.2.4, port: 8082}\n"
        "    - {name: i, address: localhost, port: 8083}\n"
        "  streams:\n    - {feed: a, port: 65535, framing: zczc}\n"
        "    - {feed: b, port: 65535, framing: zczc}\n";
    auto r = load(s.text());
    EXPECT_PROBLEM(r, "listeners.http[0].port", "between 0 and 65535");
    EXPECT_PROBLEM(r, "listeners.http[1].port", "between 0 and 65535");
    EXPECT_PROBLEM(r, "listeners.admin.port", "port 9090 is already used by listeners.http[2]");
    EXPECT_PROBLEM(r, "listeners.http[8].port", "already used by listeners.http[7]");
    EXPECT_PROBLEM(r, "listeners.http[8].name", "duplicate listener name 'h'");
    EXPECT_PROBLEM(r, "listeners.http[9].address", "not an IP address");
    EXPECT_PROBLEM(r, "listeners.streams[1].port", "already used by listeners.streams[0]");
    EXPECT_EQ(r.problems.size(), 7u) << describe(r.problems);
}

TEST(ConfigLoader, AllowFromTakesIpv4AndIpv6Cidrs) {
    sections s;
    s.feeds = "feeds:\n" + feed("a");
    s.listeners =
        "listeners:\n  streams:\n    - feed: a\n      port: 7000\n      framing: zczc\n"
        "      allow_from: [10.0.0.0/8, 0.0.0.0/0, 192.0.2.7/32, '::1/128', '2001:db8::/32',"
        " '::/0', 192.0.2.7, '::1', 10.0.0.0/33, 10.0.0.0/, '::1/129', banana/8, 10.0.0/8,"
        " '10.0.0.0/ 8', 'fe80::1%eth0/64', 10.0.0.0/-1, 10.0.0.0/08x]\n";
    auto r = load(s.text());
    for (int i = 8; i <= 16; ++i)
        EXPECT_PROBLEM(r, "listeners.streams[0].allow_from[" + std::to_string(i) + "]",
                       "not a CIDR block");
    EXPECT_EQ(r.problems.size(), 9u) << describe(r.problems);
}

TEST(ConfigLoader, GatewayAndLimitValuesAreChecked) {
    sections s;
    s.gateway = "gateway: {log_level: verbose, instance: ''}\n";
    s.extra =
        "limits: {max_body_bytes: 0, retry_after_seconds: -5, publish_timeout_ms: 4294967295,"
        " max_inflight_bytes: 100}\n";
    auto r = load(s.text());
    EXPECT_PROBLEM(r, "gateway.log_level",
                   "unknown log level 'verbose'; expected trace, debug, info, warn or error");
    EXPECT_PROBLEM(r, "gateway.instance", "must not be empty");
    EXPECT_PROBLEM(r, "limits.max_body_bytes", "must be between 1 and");
    EXPECT_PROBLEM(r, "limits.retry_after_seconds", "must be between 1 and");
    EXPECT_PROBLEM(r, "limits.publish_timeout_ms", "must be between 1 and 2147483647");
    EXPECT_PROBLEM(r, "limits.max_inflight_bytes", "at least limits.max_body_bytes");
}

TEST(ConfigLoader, SharesOfTheBudgetsAreChecked) {
    sections s;
    s.feeds = "feeds:\n" + feed("ifx", "    format: zczc\n");
    s.listeners =
        "listeners:\n  streams:\n"
        "    - {feed: ifx, port: 7000, framing: zczc, max_frame_bytes: 1048576,"
        " frame_idle_timeout_ms: 0}\n";
    s.extra =
        "limits: {max_body_bytes: 1000, max_inflight_bytes_per_feed: 999,"
        " max_inflight_bytes_per_address: 999, inflight_bytes_floor_per_feed: -1,"
        " max_connections_per_address: 0, max_open_frame_bytes: 2097151}\n";
    auto r = load(s.text());
    EXPECT_PROBLEM(r, "listeners.streams[0].frame_idle_timeout_ms", "must be between 1 and");
    EXPECT_PROBLEM(r, "limits.max_inflight_bytes_per_feed", "at least limits.max_body_bytes");
    EXPECT_PROBLEM(r, "limits.max_inflight_bytes_per_address", "at least limits.max_body_bytes");
    EXPECT_PROBLEM(r, "limits.inflight_bytes_floor_per_feed", "must be between 0 and");
    EXPECT_PROBLEM(r, "limits.max_connections_per_address", "must be between 1 and");
    EXPECT_PROBLEM(r, "limits.max_open_frame_bytes", "at least twice listeners.streams[0]");
    EXPECT_EQ(r.problems.size(), 6u) << describe(r.problems);
    // A floor of 0 is no floor, and valid.
    s.listeners = sections{}.listeners;
    s.extra = "limits: {inflight_bytes_floor_per_feed: 0, max_connections_per_address: 1}\n";
    EXPECT_TRUE(load(s.text()).problems.empty()) << describe(load(s.text()).problems);
}

TEST(ConfigLoader, EveryTopicUsedIsInTheAllowList) {
    sections s;
    s.routing = "routing:\n  topics: [a, b, a, 'bad topic', '..', " + std::string(250, 'x') +
                "]\n  default_topics: [b, c]\n  rejected_topic: d\n  rules:\n"
                "    - {name: r1, topics: [a, e]}\n    - {name: r1, topics: []}\n";
    auto r = load(s.text());
    EXPECT_PROBLEM(r, "routing.topics[2]", "duplicate topic 'a'");
    EXPECT_PROBLEM(r, "routing.topics[3]", "not a Kafka topic name");
    EXPECT_PROBLEM(r, "routing.topics[4]", "not a Kafka topic name");
    EXPECT_PROBLEM(r, "routing.topics[5]", "not a Kafka topic name");
    EXPECT_PROBLEM(r, "routing.default_topics[1]", "topic 'c' is not in routing.topics");
    EXPECT_PROBLEM(r, "routing.rejected_topic", "topic 'd' is not in routing.topics");
    EXPECT_PROBLEM(r, "routing.rules[0].topics[1]", "topic 'e' is not in routing.topics");
    EXPECT_PROBLEM(r, "routing.rules[1].topics", "must not be empty");
    EXPECT_PROBLEM(r, "routing.rules[1].name", "duplicate rule name 'r1'");
}

TEST(ConfigLoader, RuleMatchesAreChecked) {
    sections s;
    s.routing =
        "routing:\n  topics: [desk.world, wire.rejected]\n  rules:\n"
        "    - name: r\n      topics: [desk.world]\n      match:\n"
        "        urgency_min: 5\n        urgency_max: 2\n        signal: [kill, obituary]\n"
        "        feed: [ap, nope]\n        format: [nitf, auto]\n        language: [en, e1]\n"
        "        keywords: [NATO, '']\n"
        "    - {name: s, topics: [desk.world], match: {urgency_min: 0, urgency_max: 10}}\n";
    auto r = load(s.text());
    EXPECT_PROBLEM(r, "routing.rules[0].match.urgency_min", "greater than urgency_max");
    EXPECT_PROBLEM(r, "routing.rules[0].match.signal[1]", "unknown signal 'obituary'");
    EXPECT_PROBLEM(r, "routing.rules[0].match.feed[1]", "unknown feed 'nope'");
    EXPECT_PROBLEM(r, "routing.rules[0].match.format[1]", "unknown format 'auto'");
    EXPECT_PROBLEM(r, "routing.rules[0].match.language[1]", "not a language tag");
    EXPECT_PROBLEM(r, "routing.rules[0].match.keywords[1]", "must not be empty");
    EXPECT_PROBLEM(r, "routing.rules[1].match.urgency_min", "between 1 and 9");
    EXPECT_PROBLEM(r, "routing.rules[1].match.urgency_max", "between 1 and 9");
    EXPECT_EQ(r.problems.size(), 8u) << describe(r.problems);
}

TEST(ConfigLoader, KafkaPropertiesAreStringifiedAndChecked) {
    sections s;
    s.kafka =
        "kafka:\n  brokers: 'a:1, b:2'\n  properties:\n    batch.size: 1000\n"
        "    enable.idempotence: false\n    acks: all\n    bootstrap.servers: x:1\n"
        "    queue.buffering.max.ms: [1]\n    socket.timeout.ms: ~\n"
        "  create_topics: {replication_factor: 0}\n  metadata_refresh_ms: 10\n";
    auto r = load(s.text());
    EXPECT_PROBLEM(r, "kafka.brokers", "comma-separated list of host:port");
    EXPECT_PROBLEM(r, "kafka.properties.bootstrap.servers", "kafka.brokers");
    EXPECT_PROBLEM(r, "kafka.properties.queue.buffering.max.ms", "got a list");
    EXPECT_PROBLEM(r, "kafka.properties.socket.timeout.ms", "got null");
    EXPECT_PROBLEM(r, "kafka.create_topics.partitions", "missing required key");
    EXPECT_PROBLEM(r, "kafka.create_topics.replication_factor", "between 1 and");
    EXPECT_PROBLEM(r, "kafka.metadata_refresh_ms", "between 100 and");
    EXPECT_EQ(r.problems.size(), 7u) << describe(r.problems);

    s.kafka =
        "kafka:\n  brokers: a:1,b:2\n  properties: {batch.size: 1000, linger.ms: 0.5,"
        " enable.idempotence: false, acks: all, sasl.password: {env: WIREGATE_TEST_KAFKA_PW}}\n";
    setenv("WIREGATE_TEST_KAFKA_PW", "pw", 1);
    r = load(s.text());
    unsetenv("WIREGATE_TEST_KAFKA_PW");
    EXPECT_LOADS(r);
    const auto& p = r.config->kafka.properties;
    EXPECT_EQ(p.at("batch.size"), "1000");
    EXPECT_EQ(p.at("linger.ms"), "0.5");
    EXPECT_EQ(p.at("enable.idempotence"), "false");
    EXPECT_EQ(p.at("acks"), "all");
    EXPECT_EQ(p.at("sasl.password"), "pw");
}

TEST(ConfigLoader, EmptyStringsAndMergeKeysAreReported) {
    sections s;
    s.listeners = "listeners:\n  streams: [{feed: '', port: 7000, framing: zczc, address: ''}]\n";
    s.kafka = "kafka: {brokers: ''}\n";
    s.extra = "base: &base {instance: x}\ngateway: {<<: *base}\n";
    auto r = load(s.text());
    EXPECT_PROBLEM(r, "listeners.streams[0].feed", "must not be empty");
    EXPECT_PROBLEM(r, "listeners.streams[0].address", "not an IP address");
    EXPECT_PROBLEM(r, "kafka.brokers", "comma-separated");
    EXPECT_PROBLEM(r, "gateway", "merge keys");
    EXPECT_PROBLEM(r, "base", "unknown key 'base'");
    EXPECT_EQ(r.problems.size(), 5u) << describe(r.problems);
}

}  // namespace

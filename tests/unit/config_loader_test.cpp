// ConfigLoader: loading good configs, secrets and files, and the YAML-level failures. The checks
// on individual values are in config_checks_test.cpp.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>

#include "config_test_util.hpp"

using namespace config_test;

namespace {

// Every key of the format, with values that differ from the defaults.
const char* k_full = R"(
gateway:
  instance: gw-test
  log_level: debug
  drain_timeout_ms: 2500
listeners:
  http:
    - name: ingest
      address: 0.0.0.0
      port: 8443
      tls: {cert_file: tls/cert.pem, key_file: tls/key.pem}
    - {name: plain, address: "::1", port: 8080}
  admin: {address: 127.0.0.2, port: 9191}
  streams:
    - feed: interfax
      address: 127.0.0.1
      port: 7901
      framing: iptc7901
      allow_from: [10.0.0.0/8, "2001:db8::/32"]
      max_frame_bytes: 65536
      idle_timeout_ms: 1000
feeds:
  - id: interfax
    agency: interfax
    format: iptc7901
    profile: interfax
    charset: windows-1251
    auth:
      api_keys: [{env: WIREGATE_TEST_CFG_KEY}, {file: secrets/ifx.key}, {value: dev-key}]
      hmac: {secret: {value: hmac-secret}, window_seconds: 120}
  - id: any.feed_2
    agency: a
    auth: {api_keys: [{value: k2}]}
routing:
  topics: [desk.world, desk.general, wire.flash, wire.dead]
  default_topics: [desk.general]
  rejected_topic: wire.dead
  rules:
    - name: world
      match:
        agency: [interfax]
        feed: [interfax]
        format: [iptc7901]
        urgency_min: 1
        urgency_max: 4
        signal: [new, update]
        language: [ru, en-GB]
        subject: ["11000000"]
        category: [pol]
        keywords: [NATO]
      topics: [desk.world]
    - {name: flash, match: {urgency_max: 2}, topics: [wire.flash], copy: true}
kafka:
  brokers: k1:9092,k2:9092
  properties: {client.id: wg, linger.ms: 5, enable.idempotence: true, sasl.password: {value: pw}}
  create_topics: {partitions: 6, replication_factor: 3}
  metadata_refresh_ms: 5000
limits:
  max_body_bytes: 1000
  max_header_bytes: 2000
  read_timeout_ms: 3000
  idle_timeout_ms: 4000
  max_connections: 5
  max_inflight_requests: 6
  max_inflight_bytes: 7000
  retry_after_seconds: 8
  publish_timeout_ms: 9000
  producer_queue_high_water: 10
)";

TEST(ConfigLoader, GoodConfigLoadsEveryValue) {
    scratch_dir dir;
    dir.write("tls/cert.pem", "CERT");
    dir.write("tls/key.pem", "KEY");
    dir.write("secrets/ifx.key", "file-key\n");
    setenv("WIREGATE_TEST_CFG_KEY", "env-key", 1);
    auto r = load(k_full, dir.path().string());
    unsetenv("WIREGATE_TEST_CFG_KEY");
    EXPECT_LOADS(r);
    const auto& c = *r.config;
    EXPECT_EQ(c.instance, "gw-test");
    EXPECT_EQ(c.log_level, "debug");
    EXPECT_EQ(c.drain_timeout_ms, 2500u);

    ASSERT_EQ(c.http.size(), 2u);
    EXPECT_EQ(c.http[0].address, "0.0.0.0");
    EXPECT_EQ(c.http[0].port, 8443);
    ASSERT_TRUE(c.http[0].tls);
    EXPECT_EQ(c.http[0].tls->cert_file, (dir.path() / "tls/cert.pem").string());
    EXPECT_EQ(c.http[0].tls->key_file, (dir.path() / "tls/key.pem").string());
    EXPECT_EQ(c.http[1].name, "plain");
    EXPECT_EQ(c.http[1].address, "::1");
    EXPECT_FALSE(c.http[1].tls);
    EXPECT_EQ(c.admin.address, "127.0.0.2");
    EXPECT_EQ(c.admin.port, 9191);
    ASSERT_EQ(c.streams.size(), 1u);
    EXPECT_EQ(c.streams[0].feed, "interfax");
    EXPECT_EQ(c.streams[0].framing, "iptc7901");
    EXPECT_EQ(c.streams[0].allow_from, (std::vector<std::string>{"10.0.0.0/8", "2001:db8::/32"}));
    EXPECT_EQ(c.streams[0].max_frame_bytes, 65536u);
    EXPECT_EQ(c.streams[0].idle_timeout_ms, 1000u);

    ASSERT_EQ(c.feeds.size(), 2u);
    const auto* f = c.find_feed("interfax");
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->agency, "interfax");
    EXPECT_EQ(f->format, "iptc7901");
    EXPECT_EQ(f->profile, "interfax");
    EXPECT_EQ(f->charset, "windows-1251");
    ASSERT_EQ(f->auth.api_keys.size(), 3u);
    EXPECT_EQ(f->auth.api_keys[0].env, "WIREGATE_TEST_CFG_KEY");
    EXPECT_EQ(f->auth.api_keys[0].value, "env-key");
    EXPECT_EQ(f->auth.api_keys[1].file, (dir.path() / "secrets/ifx.key").string());
    EXPECT_EQ(f->auth.api_keys[1].value, "file-key");  // trailing newline stripped
    EXPECT_EQ(f->auth.api_keys[2].value, "dev-key");
    ASSERT_TRUE(f->auth.hmac);
    EXPECT_EQ(f->auth.hmac->secret.value, "hmac-secret");
    EXPECT_EQ(f->auth.hmac->window_seconds, 120u);
    const auto* g = c.find_feed("any.feed_2");
    ASSERT_NE(g, nullptr);
    EXPECT_EQ(g->format, "auto");
    EXPECT_EQ(g->profile, "");
    EXPECT_EQ(c.find_feed("nope"), nullptr);

    EXPECT_EQ(c.routing.topics.size(), 4u);
    EXPECT_EQ(c.routing.default_topics, std::vector<std::string>{"desk.general"});
    EXPECT_EQ(c.routing.rejected_topic, "wire.dead");
    ASSERT_EQ(c.routing.rules.size(), 2u);
    const auto& m = c.routing.rules[0].match;
    EXPECT_EQ(c.routing.rules[0].name, "world");
    EXPECT_EQ(m.agency, std::vector<std::string>{"interfax"});
    EXPECT_EQ(m.feed, std::vector<std::string>{"interfax"});
    EXPECT_EQ(m.format, std::vector<std::string>{"iptc7901"});
    EXPECT_EQ(m.urgency_min, 1);
    EXPECT_EQ(m.urgency_max, 4);
    EXPECT_EQ(m.signal, (std::vector<std::string>{"new", "update"}));
    EXPECT_EQ(m.language, (std::vector<std::string>{"ru", "en-GB"}));
    EXPECT_EQ(m.subject, std::vector<std::string>{"11000000"});
    EXPECT_EQ(m.category, std::vector<std::string>{"pol"});
    EXPECT_EQ(m.keywords, std::vector<std::string>{"NATO"});
    EXPECT_FALSE(c.routing.rules[0].copy);
    EXPECT_TRUE(c.routing.rules[1].copy);
    EXPECT_FALSE(c.routing.rules[1].match.urgency_min);

    EXPECT_EQ(c.kafka.brokers, "k1:9092,k2:9092");
    EXPECT_EQ(c.kafka.properties.at("client.id"), "wg");
    EXPECT_EQ(c.kafka.properties.at("linger.ms"), "5");
    EXPECT_EQ(c.kafka.properties.at("enable.idempotence"), "true");
    EXPECT_EQ(c.kafka.properties.at("sasl.password"), "pw");
    EXPECT_EQ(c.kafka.create_topics_partitions, 6);
    EXPECT_EQ(c.kafka.create_topics_replication, 3);
    EXPECT_EQ(c.kafka.metadata_refresh_ms, 5000u);

    EXPECT_EQ(c.limits.max_body_bytes, 1000u);
    EXPECT_EQ(c.limits.max_header_bytes, 2000u);
    EXPECT_EQ(c.limits.read_timeout_ms, 3000u);
    EXPECT_EQ(c.limits.idle_timeout_ms, 4000u);
    EXPECT_EQ(c.limits.max_connections, 5u);
    EXPECT_EQ(c.limits.max_inflight_requests, 6u);
    EXPECT_EQ(c.limits.max_inflight_bytes, 7000u);
    EXPECT_EQ(c.limits.retry_after_seconds, 8u);
    EXPECT_EQ(c.limits.publish_timeout_ms, 9000u);
    EXPECT_EQ(c.limits.producer_queue_high_water, 10u);
}

TEST(ConfigLoader, MinimalConfigKeepsTheDefaults) {
    auto r = load(sections{}.text());
    EXPECT_LOADS(r);
    const auto& c = *r.config;
    wire::config::gateway_config d;
    EXPECT_EQ(c.instance, d.instance);
    EXPECT_EQ(c.log_level, "info");
    EXPECT_EQ(c.admin.port, 9090);
    EXPECT_EQ(c.http[0].address, "127.0.0.1");
    EXPECT_EQ(c.routing.rejected_topic, "wire.rejected");
    EXPECT_EQ(c.kafka.create_topics_partitions, 0);
    EXPECT_EQ(c.limits.max_body_bytes, d.limits.max_body_bytes);
    EXPECT_TRUE(r.problems.empty());
}

TEST(ConfigLoader, ShippedLocalConfigLoads) {
    auto r =
        wire::config::load_config(std::string(WIREGATE_SOURCE_DIR) + "/deploy/config/local.yaml");
    EXPECT_LOADS(r);
    const auto& c = *r.config;
    EXPECT_EQ(c.kafka.brokers, "127.0.0.1:19092");
    EXPECT_EQ(c.kafka.create_topics_partitions, 3);
    for (const char* id : {"ap", "ap-nitf", "ap-anpa", "reuters", "interfax", "interfax-zczc"})
        EXPECT_NE(c.find_feed(id), nullptr) << id;
    ASSERT_NE(c.find_feed("reuters"), nullptr);
    EXPECT_TRUE(c.find_feed("reuters")->auth.hmac);
}

TEST(ConfigLoader, EnvSecretMustBeSetAndNotEmpty) {
    sections s;
    s.feeds =
        "feeds:\n  - id: ap\n    agency: a\n    auth: {api_keys: [{env: "
        "WIREGATE_TEST_UNSET_VAR}]}\n";
    unsetenv("WIREGATE_TEST_UNSET_VAR");
    auto r = load(s.text());
    EXPECT_PROBLEM(r, "feeds[0].auth.api_keys[0].env", "WIREGATE_TEST_UNSET_VAR is not set");
    setenv("WIREGATE_TEST_UNSET_VAR", "", 1);
    r = load(s.text());
    unsetenv("WIREGATE_TEST_UNSET_VAR");
    EXPECT_PROBLEM(r, "feeds[0].auth.api_keys[0].env", "WIREGATE_TEST_UNSET_VAR is empty");
    s.feeds = "feeds:\n  - id: ap\n    agency: a\n    auth: {api_keys: [{env: 'NOT A NAME'}]}\n";
    EXPECT_PROBLEM(load(s.text()), "feeds[0].auth.api_keys[0].env", "not an environment variable");
}

TEST(ConfigLoader, FileSecretIsReadRelativeToTheConfigDirectory) {
    scratch_dir dir;
    dir.write("k/crlf.key", "secret-one\r\n");
    dir.write("k/empty.key", "\n");
    sections s;
    s.feeds =
        "feeds:\n  - id: ap\n    agency: a\n    auth:\n      api_keys: [{file: k/crlf.key}, {file: "
        "k/empty.key},"
        " {file: k/missing.key}, {file: k}]\n";
    auto r = load(s.text(), dir.path().string());
    EXPECT_PROBLEM(r, "feeds[0].auth.api_keys[1].file", "is empty");
    EXPECT_PROBLEM(r, "feeds[0].auth.api_keys[2].file", "does not exist");
    EXPECT_PROBLEM(r, "feeds[0].auth.api_keys[3].file", "not a regular file");
    EXPECT_EQ(r.problems.size(), 3u) << describe(r.problems);

    s.feeds = "feeds:\n  - id: ap\n    agency: a\n    auth: {api_keys: [{file: k/crlf.key}]}\n";
    r = load(s.text(), dir.path().string());
    EXPECT_LOADS(r);
    EXPECT_EQ(r.config->feeds[0].auth.api_keys[0].value, "secret-one");
    // The config file's own directory is the base for load_config().
    auto path = dir.write("gw.yaml", s.text());
    r = wire::config::load_config(path.string());
    EXPECT_LOADS(r);
    EXPECT_EQ(r.config->feeds[0].auth.api_keys[0].value, "secret-one");
}

TEST(ConfigLoader, SecretNeedsExactlyOneSource) {
    sections s;
    s.feeds =
        "feeds:\n  - id: ap\n    agency: a\n    auth:\n      api_keys: [{}, {value: a, env: B}]\n"
        "      hmac: {window_seconds: 10}\n";
    auto r = load(s.text());
    EXPECT_PROBLEM(r, "feeds[0].auth.api_keys[0]", "needs one of file, env or value");
    EXPECT_PROBLEM(r, "feeds[0].auth.api_keys[1]", "only one of file, env or value");
    EXPECT_PROBLEM(r, "feeds[0].auth.hmac.secret", "missing required key");
}

TEST(ConfigLoader, SecretsNeverAppearInProblems) {
    const std::string secret = "Sup3rS3cretValue";
    scratch_dir dir;
    dir.write("big.key", std::string(70000, 'x') + secret);
    sections s;
    s.feeds =
        "feeds:\n  - id: ap\n    agency: a\n    auth:\n      api_keys:\n"
        "        - " +
        secret +
        "\n"  // not a mapping
        "        - {" +
        secret +
        "}\n"  // a key, not a value
        "        - {value: " +
        secret + ", env: " + secret +
        "}\n"  // two sources
        "        - {valeu: " +
        secret +
        "}\n"                          // misspelt key
        "        - {file: big.key}\n"  // oversize file
        "      hmac: {secret: {value: [" +
        secret + "]}}\n";
    s.kafka = "kafka:\n  brokers: b:1\n  properties:\n    sasl.password: {value: " + secret +
              ", file: " + secret + "}\n    ssl.key.password: [" + secret + "]\n";
    auto r = load(s.text(), dir.path().string());
    EXPECT_GE(r.problems.size(), 7u) << describe(r.problems);
    for (const auto& p : r.problems) {
        EXPECT_EQ(p.path.find(secret), std::string::npos) << p.path;
        EXPECT_EQ(p.message.find(secret), std::string::npos) << p.path << ": " << p.message;
    }
}

TEST(ConfigLoader, TlsFilesMustExist) {
    scratch_dir dir;
    dir.write("cert.pem", "CERT");
    sections s;
    s.listeners =
        "listeners:\n  http:\n    - port: 8443\n      tls: {cert_file: cert.pem, key_file: "
        "key.pem}\n    - name: b\n      port: 8444\n      tls: {cert_file: cert.pem}\n";
    auto r = load(s.text(), dir.path().string());
    EXPECT_PROBLEM(r, "listeners.http[0].tls.key_file", "does not exist");
    EXPECT_PROBLEM(r, "listeners.http[1].tls.key_file", "missing required key");
    EXPECT_EQ(r.problems.size(), 2u) << describe(r.problems);
}

TEST(ConfigLoader, MalformedYamlIsOneProblemWithLineAndColumn) {
    auto r = load("gateway:\n  instance: a\n  log_level: [info\nfeeds: []\n");
    ASSERT_EQ(r.problems.size(), 1u) << describe(r.problems);
    EXPECT_EQ(r.problems[0].path, "");
    EXPECT_NE(r.problems[0].message.find("line "), std::string::npos) << r.problems[0].message;
    EXPECT_NE(r.problems[0].message.find("column "), std::string::npos) << r.problems[0].message;
    EXPECT_FALSE(r.config);

    r = load("a: 1\n---\nb: 2\n");
    EXPECT_PROBLEM(r, "", "one YAML document");
    EXPECT_PROBLEM(load(""), "", "empty");
    // yaml-cpp 0.7's LoadAll never returns on these; the loader must.
    EXPECT_PROBLEM(load(","), "", "line 1, column 1: unexpected flow character");
    EXPECT_PROBLEM(load(",,\n- x\n"), "", "YAML syntax error at line 1");
    EXPECT_PROBLEM(load("a: 1\n,\n"), "", "YAML syntax error at line 2");
    EXPECT_PROBLEM(load("[1, 2]"), "", "expected a mapping, got a list");
}

TEST(ConfigLoader, MissingOrUnreadableFileIsAProblem) {
    scratch_dir dir;
    auto r = wire::config::load_config((dir.path() / "nope.yaml").string());
    EXPECT_PROBLEM(r, "", "does not exist");
    EXPECT_FALSE(r.config);
    EXPECT_PROBLEM(wire::config::load_config(dir.path().string()), "", "not a regular file");
    auto big = dir.write("big.yaml", std::string(2u << 20, '#'));
    EXPECT_PROBLEM(wire::config::load_config(big.string()), "", "larger than 1 MiB");
}

TEST(ConfigLoader, AliasExpansionIsBounded) {
    // 1000 aliases of a rule that lists 1000 keywords: a million values from a few KiB.
    std::string kw = "k: &k [";
    for (int i = 0; i < 1000; ++i) kw += (i ? ",w" : "w") + std::to_string(i);
    kw += "]\n";
    std::string rules = "  rules: [";
    for (int i = 0; i < 1000; ++i) rules += i ? ", *r" : "*r";
    rules += "]\n";
    sections s;
    s.gateway = kw + "r: &r {name: x, match: {keywords: *k}, topics: [desk.world]}\n";
    s.routing += rules;
    auto start = std::chrono::steady_clock::now();
    auto r = load(s.text());
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_PROBLEM(r, "", "too large");
    EXPECT_LT(took, std::chrono::seconds(10));
}

TEST(ConfigLoader, HugeValuesAreRefusedWithoutEchoingThem) {
    const std::string huge(300000, 'a');
    sections s;
    s.feeds = "feeds:\n  - id: " + huge + "\n    agency: " + huge +
              "\n    auth: {api_keys: [{env: " + huge + "}]}\n";
    // YAML caps implicit keys at 1024 characters.
    s.routing = "routing:\n  topics: [" + huge + "]\n  " + std::string(1000, 'k') + ": 1\n";
    auto r = load(s.text());
    EXPECT_PROBLEM(r, "feeds[0].id", "not a valid feed id");
    EXPECT_PROBLEM(r, "feeds[0].agency", "not a valid agency id");
    EXPECT_PROBLEM(r, "feeds[0].auth.api_keys[0].env", "not an environment variable name");
    EXPECT_PROBLEM(r, "routing.topics[0]", "not a Kafka topic name");
    EXPECT_PROBLEM(r, "routing." + std::string(80, 'k') + "...", "unknown key");
    for (const auto& p : r.problems) {
        EXPECT_LT(p.message.size(), 400u) << p.path;
        EXPECT_LT(p.path.size(), 200u);
    }
}

TEST(ConfigLoader, SeveralProblemsAreAllReported) {
    sections s;
    s.gateway = "gateway: {log_level: loud, drain_timeout_ms: 0}\n";
    s.feeds =
        "feeds:\n  - id: ap\n    agency: a\n    format: telepathy\n    auth: {api_keys: [{value: "
        "k}]}\n"
        "  - id: ap\n    agency: a\n    auth: {api_keys: []}\n";
    s.routing = "routing:\n  topics: [desk.world]\n  default_topics: [desk.nowhere]\n";
    s.kafka = "kafka: {}\n";
    auto r = load(s.text());
    EXPECT_FALSE(r.config);
    EXPECT_PROBLEM(r, "gateway.log_level", "unknown log level 'loud'");
    EXPECT_PROBLEM(r, "gateway.drain_timeout_ms", "between 1 and");
    EXPECT_PROBLEM(r, "feeds[0].format", "unknown format 'telepathy'");
    EXPECT_PROBLEM(r, "feeds[1].id", "duplicate feed id 'ap'");
    EXPECT_PROBLEM(r, "feeds[1].auth.api_keys", "at least one API key");
    EXPECT_PROBLEM(r, "routing.default_topics[0]", "not in routing.topics");
    EXPECT_PROBLEM(r, "routing.rejected_topic", "'wire.rejected' is not in routing.topics");
    EXPECT_PROBLEM(r, "kafka.brokers", "missing required key");
    EXPECT_EQ(r.problems.size(), 8u) << describe(r.problems);
}

}  // namespace

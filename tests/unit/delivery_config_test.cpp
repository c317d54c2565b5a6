// The spool and dedup sections, the embargo policy and the lifecycle topics: loaded, checked,
// and what the router does with the alerts topic; the spool record codec.
#include <gtest/gtest.h>

#include "config_test_util.hpp"
#include "pipeline/spool_codec.hpp"
#include "routing/router.hpp"

using namespace config_test;

namespace {

TEST(DeliveryConfig, SpoolDedupEmbargoAndLifecycleTopicsLoad) {
    sections s;
    s.feeds =
        "feeds:\n  - id: ap\n    agency: a\n    embargo: hold\n    auth: {api_keys: [{value: "
        "k}]}\n";
    s.routing += "  alerts_topic: desk.world\n  warnings_topic: desk.general\n";
    s.extra =
        "spool: {dir: spool, max_bytes: 2097152, segment_bytes: 65536, fsync: interval,"
        " fsync_interval_ms: 50, ack_wait_ms: 1500}\n"
        "dedup: {enabled: false, window_hours: 24, max_entries: 5000}\n";
    auto r = load(s.text(), "/etc/wiregate");
    EXPECT_LOADS(r);
    const auto& c = *r.config;
    EXPECT_EQ(c.spool.dir, "/etc/wiregate/spool");  // relative to the config file
    EXPECT_EQ(c.spool.max_bytes, 2097152u);
    EXPECT_EQ(c.spool.fsync, "interval");
    EXPECT_EQ(c.spool.ack_wait_ms, 1500u);
    EXPECT_FALSE(c.dedup.enabled);
    EXPECT_EQ(c.dedup.window_hours, 24u);
    EXPECT_EQ(c.feeds[0].embargo, "hold");
    EXPECT_EQ(c.routing.alerts_topic, "desk.world");
    EXPECT_EQ(c.routing.warnings_topic, "desk.general");
}

TEST(DeliveryConfig, BadValuesNameTheirKey) {
    sections s;
    s.feeds =
        "feeds:\n  - id: ap\n    agency: a\n    embargo: later\n    auth: {api_keys: [{value: "
        "k}]}\n";
    s.routing += "  alerts_topic: wire.alerts\n  warnings_topic: 'bad topic'\n";
    s.extra =
        "spool: {dir: '', fsync: sometimes, max_bytes: 10, colour: red}\n"
        "dedup: {window_hours: 0}\n";
    auto r = load(s.text());
    EXPECT_PROBLEM(r, "feeds[0].embargo", "expected hold or mark");
    EXPECT_PROBLEM(r, "routing.alerts_topic", "not in routing.topics");
    EXPECT_PROBLEM(r, "routing.warnings_topic", "not a Kafka topic name");
    EXPECT_PROBLEM(r, "spool.dir", "must not be empty");
    EXPECT_PROBLEM(r, "spool.fsync", "always, interval, never");
    EXPECT_PROBLEM(r, "spool.max_bytes", "");
    EXPECT_PROBLEM(r, "spool.colour", "unknown key");
    EXPECT_PROBLEM(r, "dedup.window_hours", "");
}

TEST(DeliveryConfig, SpoolWithoutDirIsAnError) {
    sections s;
    s.extra = "spool: {max_bytes: 2097152}\n";
    EXPECT_PROBLEM(load(s.text()), "spool.dir", "");
}

wire::adapters::story with_signal(wire::adapters::signal_kind k) {
    wire::adapters::story s;
    s.uri = "urn:x";
    s.wire.signal = k;
    return s;
}

TEST(RouterAlertsTopic, KillsWithholdsAndCorrectionsAlwaysReachIt) {
    wire::config::routing_config cfg;
    cfg.alerts_topic = "wire.alerts";
    wire::routing::router r(cfg);  // no rules, no default: only alerts route anywhere
    using k = wire::adapters::signal_kind;
    for (auto sig : {k::kill, k::withhold, k::correction})
        EXPECT_EQ(r.route(with_signal(sig)).topics, std::vector<std::string>{"wire.alerts"});
    for (auto sig : {k::new_story, k::update, k::advisory})
        EXPECT_TRUE(r.route(with_signal(sig)).topics.empty());
}

TEST(SpoolCodec, RoundTripsEveryField) {
    wire::pipeline::spooled_item in;
    in.feed = "ap";
    in.dedup_id = "00ff";
    in.uri = "urn:x";
    in.version = "2";
    in.signal = "kill";
    in.headline = "Ünïcode\nand NUL \0 bytes";
    in.messages.push_back({"t1", "k", {{"a", "1"}, {"b", std::string("\0x", 2)}}, "{}"});
    in.messages.push_back({"t2", "", {}, std::string(100000, 'v')});
    auto out = wire::pipeline::decode(wire::pipeline::encode(in));
    ASSERT_TRUE(out);
    EXPECT_EQ(out->feed, "ap");
    EXPECT_EQ(out->headline, in.headline);
    ASSERT_EQ(out->messages.size(), 2u);
    EXPECT_EQ(out->messages[0].headers, in.messages[0].headers);
    EXPECT_EQ(out->messages[1].value, in.messages[1].value);
    EXPECT_EQ(out->messages[1].topic, "t2");
}

TEST(SpoolCodec, RefusesTruncatedAndGarbageRecords) {
    wire::pipeline::spooled_item in;
    in.feed = "ap";
    in.messages.push_back({"t", "k", {{"h", "v"}}, "value"});
    const auto bytes = wire::pipeline::encode(in);
    for (std::size_t n = 0; n < bytes.size(); ++n)
        EXPECT_FALSE(wire::pipeline::decode(bytes.substr(0, n))) << "prefix of " << n;
    EXPECT_FALSE(wire::pipeline::decode(bytes + "x"));
    EXPECT_FALSE(wire::pipeline::decode(std::string("\x01\xff\xff\xff\xff", 5)));
}

TEST(DeliveryConfig, EmbargoHoldWithoutASpoolIsRefused) {
    sections s;
    s.feeds =
        "feeds:\n  - id: ap\n    agency: a\n    embargo: hold\n    auth: {api_keys: [{value: "
        "k}]}\n";
    auto r = load(s.text());
    EXPECT_PROBLEM(r, "feeds[0].embargo", "hold needs a spool");
    EXPECT_FALSE(r.config);
}

}  // namespace

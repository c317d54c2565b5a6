// Delivery guarantees against the real broker, in process: the dedup window and
// Idempotency-Key, the spool replayed after a restart without doubles, embargo holds,
// lifecycle alerts and older-version warnings, and a full spool answering 503.
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <future>

#include "dedup/dedup_store.hpp"
#include "gateway_fixture.hpp"
#include "pipeline/spool_codec.hpp"
#include "producer/kafka_reconcile.hpp"
#include "spool/spool.hpp"

using namespace wire::testing;
using namespace std::chrono_literals;

namespace {

// The ninjs fixture with its uri, version and embargo replaced.
std::string ninjs_story(const std::string& uri, const std::string& version,
                        const std::string& embargoed = "2017-07-10T16:00:00+03:00") {
    return ninjs_fixture(uri, version, {{"2017-07-10T16:00:00+03:00", embargoed}});
}

std::string rfc3339_in(std::chrono::seconds from_now) {
    auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + from_now);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return buf;
}

// The items' statuses of an answer, in order.
std::vector<std::string> statuses(const std::string& body) {
    simdjson::dom::parser p;
    simdjson::padded_string padded(body);
    simdjson::dom::element doc;
    std::vector<std::string> out;
    if (p.parse(padded).get(doc)) return out;
    for (auto item : doc["items"].get_array()) {
        std::string_view s;
        out.emplace_back(item["status"].get(s) ? "" : std::string(s));
    }
    return out;
}

std::vector<std::string> versions(const std::vector<consumed_message>& msgs) {
    std::vector<std::string> out;
    for (const auto& m : msgs) out.push_back(header(m.headers, "version"));
    return out;
}

class GatewayDelivery : public gateway_test {
  protected:
    void SetUp() override {
        make();
        add_feed(cfg_, "n", "ninjs", "", "", "n");
    }
    http_answer post(const std::string& body, const std::string& feed = "n",
                     std::vector<std::pair<std::string, std::string>> extra = {}) {
        http_client c(port());
        return c.post_story(feed, "key-" + feed, body, "", extra);
    }
};

TEST_F(GatewayDelivery, SameVersionTwiceIsPublishedOnceAndAnsweredDuplicate) {
    start_gateway();
    const std::string uri = "urn:test:dedup:" + topics_.all;
    EXPECT_EQ(statuses(post(ninjs_story(uri, "3")).body), std::vector<std::string>{"published"});
    auto again = post(ninjs_story(uri, "3"));
    EXPECT_EQ(again.status, 200);
    EXPECT_EQ(statuses(again.body), std::vector<std::string>{"duplicate"});
    EXPECT_EQ(statuses(post(ninjs_story(uri, "4")).body), std::vector<std::string>{"published"});
    // One key, one partition, in order: a published duplicate would sit between 3 and 4.
    auto msgs = consume(cfg_.kafka.brokers, topics_.all, 2, 30s);
    EXPECT_EQ(versions(msgs), (std::vector<std::string>{"3", "4"}));
    EXPECT_NE(svc_->registry().render().find("wiregate_stories_duplicate_total{feed=\"n\"} 1"),
              std::string::npos);
}

TEST_F(GatewayDelivery, IdempotencyKeyRepeatIsDuplicateAndReuseForAnotherBodyIs422) {
    start_gateway();
    const std::string uri = "urn:test:idem:" + topics_.all;
    const auto body = ninjs_story(uri, "1");
    EXPECT_EQ(statuses(post(body, "n", {{"Idempotency-Key", "k-1"}}).body),
              std::vector<std::string>{"published"});
    auto repeat = post(body, "n", {{"Idempotency-Key", "k-1"}});
    EXPECT_EQ(repeat.status, 200);
    EXPECT_EQ(statuses(repeat.body), std::vector<std::string>{"duplicate"});
    auto reused = post(ninjs_story(uri, "2"), "n", {{"Idempotency-Key", "k-1"}});
    EXPECT_EQ(reused.status, 422) << reused.body;
    EXPECT_NE(reused.body.find("idempotency_key_reused"), std::string::npos) << reused.body;
    auto too_long = post(body, "n", {{"Idempotency-Key", std::string(300, 'k')}});
    EXPECT_EQ(too_long.status, 400) << too_long.body;
}

TEST_F(GatewayDelivery, SpooledRecordsOfAPreviousRunAreReplayedOnceAtStart) {
    // A previous run left two versions of one story in the spool; Kafka had taken version 1
    // before the crash (its record header is there), version 2 not.
    std::filesystem::create_directories(cfg_.spool.dir);
    { std::ofstream(std::filesystem::path(cfg_.spool.dir) / "spool.id") << "0123456789abcdef\n"; }
    const std::string uri = "urn:test:replay:" + topics_.all;
    const std::string key = "n:" + uri;  // the feed's agency and the uri: one partition for all
    std::vector<std::uint64_t> seqs;
    {
        wire::spool::spool_options o;
        o.dir = cfg_.spool.dir;
        wire::spool::recovery_report report;
        std::string error;
        auto sp = wire::spool::spool::open(o, report, error);
        ASSERT_TRUE(sp) << error;
        for (const char* v : {"1", "2"}) {
            wire::pipeline::spooled_item item;
            item.feed = "n";
            item.uri = uri;
            item.version = v;
            item.messages.push_back(
                {topics_.all, key, {{"version", v}}, "{\"v\":" + std::string(v) + "}"});
            std::promise<std::uint64_t> seq;
            sp->append(wire::pipeline::encode(item), 0,
                       [&](wire::spool::append_status s, std::uint64_t n, const std::string&) {
                           seq.set_value(s == wire::spool::append_status::ok ? n : 0);
                       });
            seqs.push_back(seq.get_future().get());
        }
    }
    ASSERT_NE(seqs[0], 0u);
    create_topic(cfg_.kafka.brokers, topics_.all, 3, 1);
    produce_one(cfg_.kafka.brokers, topics_.all, key, "{\"v\":1}",
                {{"version", "1"},
                 {wire::producer::k_record_header, "0123456789abcdef:" + std::to_string(seqs[0])}});
    start_gateway();
    EXPECT_EQ(statuses(post(ninjs_story(uri, "3")).body), std::vector<std::string>{"published"});
    auto msgs = consume(cfg_.kafka.brokers, topics_.all, 3, 30s);
    EXPECT_EQ(versions(msgs), (std::vector<std::string>{"1", "2", "3"}));
    auto text = svc_->registry().render();
    EXPECT_NE(text.find("wiregate_spool_reconciled_messages_total 1"), std::string::npos) << text;
    EXPECT_NE(text.find("wiregate_spool_depth 0"), std::string::npos) << text;
}

TEST_F(GatewayDelivery, EmbargoedStoryIsHeldUntilItsTimeThenPublished) {
    cfg_.feeds.back().embargo = "hold";
    start_gateway();
    const auto lifts = std::chrono::system_clock::now() + 3s;
    auto a = post(ninjs_story("urn:test:embargo:" + topics_.all, "1", rfc3339_in(3s)));
    EXPECT_EQ(statuses(a.body), std::vector<std::string>{"held"}) << a.body;
    auto msgs = consume(cfg_.kafka.brokers, topics_.all, 1, 30s);
    ASSERT_EQ(msgs.size(), 1u);
    // Whole seconds on the wire: it may lift up to a second before `lifts`.
    EXPECT_GE(std::chrono::system_clock::now(), lifts - 1s);
    // A story whose embargo has passed is not held.
    auto past = post(ninjs_story("urn:test:embargo-past:" + topics_.all, "1"));
    EXPECT_EQ(statuses(past.body), std::vector<std::string>{"published"}) << past.body;
}

TEST_F(GatewayDelivery, KillIsNeverHeldAndReachesTheAlertsTopicWithoutAnAlertsRule) {
    auto& rules = cfg_.routing.rules;
    rules.erase(std::remove_if(rules.begin(), rules.end(),
                               [](const auto& r) { return r.name == "alerts"; }),
                rules.end());
    cfg_.routing.alerts_topic = topics_.alerts;
    add_feed(cfg_, "ap", "ap-json", "ap").embargo = "hold";
    start_gateway();
    // A kill for a story this gateway never saw.
    auto a = post(read_file(fixtures_dir() / "ap-json/good/004-kill.json"), "ap");
    EXPECT_EQ(statuses(a.body), std::vector<std::string>{"published"}) << a.body;
    auto msgs = consume(cfg_.kafka.brokers, topics_.alerts, 1, 30s);
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_EQ(header(msgs[0].headers, "signal"), "kill");
}

TEST_F(GatewayDelivery, OlderVersionIsPublishedAndFlaggedOnTheWarningsTopic) {
    const std::string warnings = topics_.all + ".warnings";
    cfg_.routing.topics.push_back(warnings);
    cfg_.routing.warnings_topic = warnings;
    start_gateway();
    const std::string uri = "urn:test:older:" + topics_.all;
    EXPECT_EQ(statuses(post(ninjs_story(uri, "5")).body), std::vector<std::string>{"published"});
    EXPECT_EQ(statuses(post(ninjs_story(uri, "3")).body), std::vector<std::string>{"published"});
    auto msgs = consume(cfg_.kafka.brokers, warnings, 1, 30s);
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_EQ(header(msgs[0].headers, "version"), "3");
    EXPECT_NE(msgs[0].value.find(
                  R"({"code":"older_version","message":"version 3 arrived after version 5")"),
              std::string::npos)
        << msgs[0].value;
}

TEST_F(GatewayDelivery, FullSpoolAnswers503WithRetryAfterAndIsNotReady) {
    cfg_.spool.max_bytes = 2048;  // below one envelope (the loader would refuse this; tests may)
    cfg_.spool.segment_bytes = 1024;
    cfg_.limits.retry_after_seconds = 7;
    start_gateway();
    const auto body = ninjs_story("urn:test:full:" + topics_.all, "1");
    auto first = post(body);
    EXPECT_EQ(first.status, 503) << first.body;
    EXPECT_EQ(first.headers["retry-after"], "7");
    EXPECT_NE(first.body.find("spool_full"), std::string::npos) << first.body;
    // From then on the gateway refuses before reading stories; the retry is not a duplicate.
    auto again = post(body);
    EXPECT_EQ(again.status, 503) << again.body;
    EXPECT_EQ(again.headers["retry-after"], "7");
    EXPECT_NE(again.body.find("the spool is full"), std::string::npos) << again.body;
    auto reasons = svc_->not_ready();
    EXPECT_TRUE(std::any_of(reasons.begin(), reasons.end(), [](const auto& r) {
        return r.find("spool is full") != std::string::npos;
    }));
}

}  // namespace

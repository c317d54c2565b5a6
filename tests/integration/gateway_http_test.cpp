// The gateway over HTTP against the real broker: every good fixture is published and consumed
// back with key, headers and envelope; refusals answer the documented status codes and reach
// the dead-letter topic.
#include <simdjson.h>

#include <map>

#include "auth/authenticator.hpp"
#include "gateway_fixture.hpp"

using namespace wire::testing;
using namespace std::chrono_literals;

namespace {

struct published {
    std::string feed, format, uri, version;
};

// (partition, offset) on one topic → what the answer said was published there.
using placement = std::map<std::pair<int, long long>, published>;

void collect(const std::string& answer, const std::string& topic, const std::string& feed,
             const std::string& format, placement& out, std::size_t& items) {
    simdjson::dom::parser p;
    auto doc = p.parse(answer);
    for (auto item : doc["items"].get_array()) {
        ++items;
        std::string_view uri, version, status;
        if (item["uri"].get(uri)) uri = {};  // absent when empty
        if (item["version"].get(version)) version = {};
        if (item["status"].get(status)) status = {};
        EXPECT_EQ(status, "published") << answer.substr(0, 500);
        for (auto t : item["topics"].get_array()) {
            std::string_view name = t["topic"];
            if (name != topic) continue;
            out[{static_cast<int>(int64_t(t["partition"])), int64_t(t["offset"])}] =
                published{feed, format, std::string(uri), std::string(version)};
        }
    }
}

class GatewayHttp : public gateway_test {};

TEST_F(GatewayHttp, EveryGoodFixtureIsPublishedAndConsumedBackWithKeyHeadersAndEnvelope) {
    auto fixtures = good_fixtures();
    ASSERT_GT(fixtures.size(), 50u);
    make(fixtures);
    // Several fixtures are renderings of one agency story version (the same AP story as JSON,
    // NITF and ANPA): the dedup window would rightly take them as one. This test is about
    // the adapters end to end, so every rendering must arrive.
    cfg_.dedup.enabled = false;
    start_gateway();
    http_client client(port());
    placement where;
    std::size_t expected_items = 0;
    for (const auto& fx : fixtures) {
        auto a = client.post_story(fx.feed_id(), "key-" + fx.feed_id(), read_file(fx.path));
        ASSERT_EQ(a.status, 200) << fx.path << "\n" << a.body.substr(0, 800);
        std::size_t items = 0;
        collect(a.body, topics_.all, fx.feed_id(), fx.format, where, items);
        EXPECT_EQ(items, fx.stories) << fx.path;
        expected_items += fx.stories;
    }
    ASSERT_EQ(where.size(), expected_items);
    auto msgs = consume(cfg_.kafka.brokers, topics_.all, expected_items, 60s);
    ASSERT_EQ(msgs.size(), expected_items);
    simdjson::dom::parser parser;
    for (const auto& m : msgs) {
        auto it = where.find({m.partition, m.offset});
        ASSERT_NE(it, where.end()) << "a message the answers did not mention";
        const auto& want = it->second;
        EXPECT_EQ(m.key, header(m.headers, "agency") + ":" + want.uri);
        EXPECT_EQ(header(m.headers, "feed"), want.feed);
        EXPECT_EQ(header(m.headers, "format"), want.format);
        EXPECT_EQ(header(m.headers, "version"), want.version);
        EXPECT_FALSE(m.key.empty());
        EXPECT_EQ(header(m.headers, "schema"), "wiregate.story/1");
        EXPECT_EQ(header(m.headers, "content-type"), "application/json");
        EXPECT_FALSE(header(m.headers, "signal").empty());
        EXPECT_FALSE(header(m.headers, "agency").empty());
        auto env = parser.parse(m.value);
        EXPECT_EQ(std::string_view(env["schema"]), "wiregate.story/1");
        EXPECT_EQ(std::string_view(env["story"]["uri"]), want.uri);
        EXPECT_EQ(std::string_view(env["wire"]["feed"]), want.feed);
        EXPECT_EQ(std::string_view(env["wire"]["format"]), want.format);
    }
}

TEST_F(GatewayHttp, KillsWithholdsAndCorrectionsAlsoGoToTheAlertsTopic) {
    auto fixtures = good_fixtures({"ninjs", "nitf", "newsml-g2"});
    make(fixtures);
    cfg_.dedup.enabled = false;
    start_gateway();
    http_client client(port());
    std::size_t alerts = 0;
    for (const auto& fx : fixtures) {
        auto a = client.post_story(fx.feed_id(), "key-" + fx.feed_id(), read_file(fx.path));
        ASSERT_EQ(a.status, 200) << fx.path;
        for (std::size_t pos = 0; (pos = a.body.find(topics_.alerts, pos)) != std::string::npos;
             ++pos)
            ++alerts;
    }
    ASSERT_GT(alerts, 2u);
    auto msgs = consume(cfg_.kafka.brokers, topics_.alerts, alerts, 30s);
    ASSERT_EQ(msgs.size(), alerts);
    for (const auto& m : msgs) {
        auto s = header(m.headers, "signal");
        EXPECT_TRUE(s == "kill" || s == "withhold" || s == "correction") << s;
    }
}

TEST_F(GatewayHttp, UnreadableDocumentIs422AndItsRawBytesReachTheDeadLetterTopic) {
    make();
    add_feed(cfg_, "ninjs-in", "ninjs");
    start_gateway();
    http_client client(port());
    const std::string garbage = "{\"uri\": \"x\", \"headlines\": [";
    auto a = client.post_story("ninjs-in", "key-ninjs-in", garbage, "application/json");
    EXPECT_EQ(a.status, 422) << a.body;
    EXPECT_NE(a.body.find("\"status\":\"rejected\""), std::string::npos) << a.body;
    EXPECT_NE(a.body.find("\"code\":\"malformed\""), std::string::npos) << a.body;
    auto msgs = consume(cfg_.kafka.brokers, topics_.rejected, 1, 30s);
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_EQ(msgs[0].value, garbage);
    EXPECT_EQ(header(msgs[0].headers, "wiregate-reason"), "malformed");
    EXPECT_EQ(header(msgs[0].headers, "wiregate-feed"), "ninjs-in");
    EXPECT_EQ(header(msgs[0].headers, "wiregate-raw-bytes"), std::to_string(garbage.size()));
    EXPECT_EQ(header(msgs[0].headers, "wiregate-item"), "0");
    EXPECT_EQ(header(msgs[0].headers, "wiregate-source"), "http");
}

TEST_F(GatewayHttp, RefusalsAnswerTheDocumentedStatusCodes) {
    make();
    add_feed(cfg_, "auto-in", "auto");
    cfg_.limits.max_body_bytes = 4096;
    start_gateway();
    auto story = read_file(fixtures_dir() / "ninjs/good/001-text-2x.json");
    struct probe {
        const char* what;
        std::string feed, key, body, content_type;
        int status;
    } probes[] = {
        {"unknown format", "auto-in", "key-auto-in", "hello, this is not a wire story", "", 415},
        {"body over the limit", "auto-in", "key-auto-in", std::string(5000, 'x'), "", 413},
        {"unsupported content type", "auto-in", "key-auto-in", "x", "image/png", 415},
        {"unknown feed (answered as a wrong key)", "no-such-feed", "key-auto-in", "x", "", 403},
        {"path trick in the feed id", "..%2fadmin", "key-auto-in", "x", "", 404},
        {"no credentials", "auto-in", "", "x", "", 401},
        {"wrong key", "auto-in", "key-other", "x", "", 403},
    };
    for (const auto& p : probes) {
        http_client client(port());
        auto a = client.post_story(p.feed, p.key, p.body, p.content_type);
        EXPECT_EQ(a.status, p.status) << p.what << ": " << a.body;
        EXPECT_NE(a.body.find("\"code\""), std::string::npos) << p.what << ": " << a.body;
    }
    http_client client(port());
    auto get = client.request("GET", "/v1/feeds/auto-in/stories", "");
    EXPECT_EQ(get.status, 405);
    EXPECT_EQ(get.headers["allow"], "POST");
}

TEST_F(GatewayHttp, HmacSignedFeedRefusesTamperedStaleAndUnsignedBodies) {
    make();
    auto& feed = add_feed(cfg_, "signed", "ninjs");
    feed.auth.hmac.emplace();
    feed.auth.hmac->secret.value = "s3cret";
    feed.auth.hmac->window_seconds = 300;
    start_gateway();
    auto body = read_file(fixtures_dir() / "ninjs/good/001-text-2x.json");
    auto now = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count());
    auto sig = wire::auth::sign("s3cret", now, body);
    http_client client(port());
    auto ok = client.post_story("signed", "key-signed", body, "application/json",
                                {{"X-Wiregate-Timestamp", now}, {"X-Wiregate-Signature", sig}});
    EXPECT_EQ(ok.status, 200) << ok.body;
    auto tampered =
        client.post_story("signed", "key-signed", body + " ", "application/json",
                          {{"X-Wiregate-Timestamp", now}, {"X-Wiregate-Signature", sig}});
    EXPECT_EQ(tampered.status, 403) << tampered.body;
    auto old = std::to_string(std::stoll(now) - 3600);
    auto stale =
        client.post_story("signed", "key-signed", body, "application/json",
                          {{"X-Wiregate-Timestamp", old},
                           {"X-Wiregate-Signature", wire::auth::sign("s3cret", old, body)}});
    EXPECT_EQ(stale.status, 401) << stale.body;
    auto unsigned_ = client.post_story("signed", "key-signed", body, "application/json");
    EXPECT_EQ(unsigned_.status, 401) << unsigned_.body;
}

TEST_F(GatewayHttp, OverCapacityAnswers429WithRetryAfter) {
    make();
    add_feed(cfg_, "small", "ninjs");
    cfg_.limits.max_inflight_bytes = 100;
    cfg_.limits.retry_after_seconds = 7;
    start_gateway();
    http_client client(port());
    auto a = client.post_story("small", "key-small", std::string(200, ' '), "application/json");
    EXPECT_EQ(a.status, 429);
    EXPECT_EQ(a.headers["retry-after"], "7");
}

TEST_F(GatewayHttp, AdminPortServesHealthReadinessAndMetrics) {
    make();
    add_feed(cfg_, "m", "ninjs");
    start_gateway();
    http_client ingest(port());
    auto body = read_file(fixtures_dir() / "ninjs/good/001-text-2x.json");
    ASSERT_EQ(ingest.post_story("m", "key-m", body).status, 200);
    ASSERT_EQ(ingest.post_story("m", "key-m", "{").status, 422);
    http_client admin(svc_->admin_port());
    EXPECT_EQ(admin.request("GET", "/healthz", "").status, 200);
    auto ready = admin.request("GET", "/readyz", "");
    EXPECT_EQ(ready.status, 200) << ready.body;
    auto m = admin.request("GET", "/metrics", "");
    ASSERT_EQ(m.status, 200);
    EXPECT_NE(m.body.find("wiregate_stories_published_total{feed=\"m\"} 1"), std::string::npos)
        << m.body;
    EXPECT_NE(m.body.find("wiregate_stories_rejected_total{feed=\"m\",reason=\"malformed\"} 1"),
              std::string::npos);
    EXPECT_NE(m.body.find("wiregate_delivery_latency_seconds_count"), std::string::npos);
    EXPECT_NE(m.body.find("wiregate_producer_queue_depth"), std::string::npos);
    EXPECT_NE(m.body.find("wiregate_inflight_requests"), std::string::npos);
}

}  // namespace

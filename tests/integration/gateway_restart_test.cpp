// A gateway restarted while Kafka is away, and versions re-sent with changed content, in
// process against the real broker: start-up never waits for Kafka, the spool of a previous run
// is replayed (behind a gate, before anything newer) once Kafka can be read back, and the same
// id and version with another body is a `conflict`, not a `duplicate`.
#include <simdjson.h>

#include <chrono>

#include "gateway_fixture.hpp"

using namespace wire::testing;
using namespace std::chrono_literals;

namespace {

// The ninjs fixture with its uri and version, and a headline put first when given.
std::string ninjs_story(const std::string& uri, const std::string& version,
                        const std::string& headline = "") {
    if (headline.empty()) return ninjs_fixture(uri, version);
    return ninjs_fixture(uri, version,
                         {{"\"headlines\": [", "\"headlines\": [{\"value\": \"" + headline +
                                                   "\", \"role\": \"main\"}, "}});
}

std::string first_status(const std::string& body) {
    simdjson::dom::parser p;
    simdjson::padded_string padded(body);
    simdjson::dom::element doc;
    std::string_view s;
    if (p.parse(padded).get(doc) || doc["items"].at(0)["status"].get(s)) return "";
    return std::string(s);
}

bool any_reason(const std::vector<std::string>& reasons, const std::string& part) {
    for (const auto& r : reasons)
        if (r.find(part) != std::string::npos) return true;
    return false;
}

class GatewayRestart : public gateway_test {
  protected:
    void SetUp() override {
        make();
        add_feed(cfg_, "n", "ninjs", "", "", "n");
    }
    // A gateway on this config whose brokers do not exist: it must start all the same.
    std::unique_ptr<wire::service::gateway_service> start_without_kafka() {
        auto cfg = cfg_;
        cfg.kafka.brokers = "127.0.0.1:1";
        cfg.spool.ack_wait_ms = 200;
        cfg.drain_timeout_ms = 500;
        auto svc = std::make_unique<wire::service::gateway_service>(cfg, "");
        const auto t0 = std::chrono::steady_clock::now();
        EXPECT_EQ(svc->start(), "");
        EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s) << "start-up waited for Kafka";
        return svc;
    }
    std::string post(std::uint16_t port, const std::string& body, int* status = nullptr) {
        http_client c(port);
        auto a = c.post_story("n", "key-n", body);
        if (status) *status = a.status;
        return a.body;
    }
};

TEST_F(GatewayRestart, StartsWithoutKafkaAcceptsIntoTheSpoolAndReplaysInOrderOnceKafkaIsBack) {
    const std::string uri = "urn:test:restart:" + topics_.all;
    {
        auto first = start_without_kafka();
        EXPECT_EQ(first_status(post(first->http_port(), ninjs_story(uri, "1"))), "spooled");
        EXPECT_FALSE(first->drain()) << "a story left in the spool is not a clean drain";
    }
    {
        // The second run finds it pending and cannot read Kafka: the gate stays closed, new
        // stories are spooled at once behind it, and readiness says why.
        auto second = start_without_kafka();
        EXPECT_EQ(first_status(post(second->http_port(), ninjs_story(uri, "2"))), "spooled");
        EXPECT_TRUE(eventually(
            [&] { return any_reason(second->not_ready(), "replaying the spool after a restart"); },
            5s));
        EXPECT_TRUE(any_reason(second->not_ready(), "Kafka is unreachable"));
        EXPECT_FALSE(second->drain()) << "stories left behind the gate: not a clean drain";
    }
    // Kafka reachable: the third run replays both, in order, once each, and takes new ones.
    start_gateway();
    int status = 0;
    EXPECT_EQ(first_status(post(port(), ninjs_story(uri, "3"), &status)), "published");
    auto msgs = consume(cfg_.kafka.brokers, topics_.all, 3, 30s);
    std::vector<std::string> versions;
    for (const auto& m : msgs) versions.push_back(header(m.headers, "version"));
    EXPECT_EQ(versions, (std::vector<std::string>{"1", "2", "3"}));
    EXPECT_NE(svc_->registry().render().find("wiregate_spool_depth 0"), std::string::npos);
}

TEST_F(GatewayRestart, ReadinessFollowsTheBrokersWithinTwoSeconds) {
    // No broker at all: librdkafka reports every broker down at its first failed connect.
    auto svc = start_without_kafka();
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_TRUE(
        eventually([&] { return any_reason(svc->not_ready(), "Kafka is unreachable"); }, 2s));
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
    svc->drain();
}

TEST_F(GatewayRestart, SameVersionWithOtherContentIsAConflictAndGoesToTheDeadLetters) {
    start_gateway();
    const std::string uri = "urn:test:conflict:" + topics_.all;
    EXPECT_EQ(first_status(post(port(), ninjs_story(uri, "1"))), "published");
    int status = 0;
    auto body = post(port(), ninjs_story(uri, "1", "Corrected without a new version"), &status);
    EXPECT_EQ(status, 409) << body;
    EXPECT_EQ(first_status(body), "conflict") << body;
    // The first copy is the one in Kafka; the second is a dead letter with both hashes.
    auto letters = consume(cfg_.kafka.brokers, topics_.rejected, 1, 30s);
    ASSERT_EQ(letters.size(), 1u);
    EXPECT_EQ(header(letters[0].headers, "wiregate-reason"), "version_conflict");
    EXPECT_NE(letters[0].value.find("Corrected without a new version"), std::string::npos);
    EXPECT_NE(header(letters[0].headers, "wiregate-message").find("content hash first"),
              std::string::npos);
    // The same changed body again is still a conflict; the original again a duplicate.
    EXPECT_EQ(first_status(post(port(), ninjs_story(uri, "1", "Corrected without a new version"))),
              "conflict");
    EXPECT_EQ(first_status(post(port(), ninjs_story(uri, "1"))), "duplicate");
    EXPECT_EQ(consume(cfg_.kafka.brokers, topics_.all, 2, 3s).size(), 1u);
    EXPECT_NE(svc_->registry().render().find("wiregate_stories_conflict_total{feed=\"n\"} 2"),
              std::string::npos);
}

TEST_F(GatewayRestart, PublishRevisionPublishesAChangedResendAsANewVersionOnce) {
    cfg_.feeds.back().version_conflict = "publish_revision";
    start_gateway();
    const std::string uri = "urn:test:revision:" + topics_.all;
    EXPECT_EQ(first_status(post(port(), ninjs_story(uri, "1"))), "published");
    const auto changed = ninjs_story(uri, "1", "A silent correction");
    EXPECT_EQ(first_status(post(port(), changed)), "published");
    EXPECT_EQ(first_status(post(port(), changed)), "duplicate");
    auto msgs = consume(cfg_.kafka.brokers, topics_.all, 3, 5s);
    ASSERT_EQ(msgs.size(), 2u);
    const auto revision = header(msgs[1].headers, "version");
    EXPECT_EQ(revision.rfind("1-rev-", 0), 0u) << revision;
    EXPECT_EQ(revision.size(), 14u) << revision;
    EXPECT_NE(msgs[1].value.find(
                  R"({"code":"version_conflict","message":"version 1 was accepted before)"),
              std::string::npos);
}

TEST_F(GatewayRestart, AReusedIdempotencyKeyReachesTheDeadLetterTopic) {
    start_gateway();
    const std::string uri = "urn:test:idem-dl:" + topics_.all;
    http_client c(port());
    EXPECT_EQ(first_status(c.post_story("n", "key-n", ninjs_story(uri, "1"), "",
                                        {{"Idempotency-Key", "k-dl"}})
                               .body),
              "published");
    auto reused =
        c.post_story("n", "key-n", ninjs_story(uri, "2"), "", {{"Idempotency-Key", "k-dl"}});
    EXPECT_EQ(reused.status, 422) << reused.body;
    auto letters = consume(cfg_.kafka.brokers, topics_.rejected, 1, 30s);
    ASSERT_EQ(letters.size(), 1u);
    EXPECT_EQ(header(letters[0].headers, "wiregate-reason"), "idempotency_key_reused");
    EXPECT_NE(letters[0].value.find(uri), std::string::npos);
    EXPECT_NE(reused.body.find(uri), std::string::npos) << "the answer names the item";
}

}  // namespace

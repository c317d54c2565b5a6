// One feed's key cannot make it another agency: a feed speaks for its pinned agency whatever its
// stories claim, its Kafka keys are that agency's, and its kills reach only its own stories'
// keys. The attacker holds the key of a partner's ninjs feed and sends a "Reuters" story and a
// kill of it; the real Reuters story comes from the Reuters feed.
#include "hostile_fixture.hpp"

namespace wire::testing {
namespace {

// A ninjs story that claims to be Reuters' (source, copyright holder, a Reuters-style uri).
std::string claims_reuters(const std::string& uri, const std::string& pubstatus) {
    return "{\"uri\":\"" + uri +
           "\",\"version\":\"2\",\"versioncreated\":\"2026-11-28T10:00:00Z\","
           "\"pubstatus\":\"" +
           pubstatus +
           "\",\"headlines\":[{\"role\":\"main\",\"value\":\"Forged\"}],"
           "\"bodies\":[{\"contenttype\":\"text/plain\",\"value\":\"Forged copy.\"}],"
           "\"infosources\":[{\"name\":\"Reuters\"}],\"copyrightholder\":\"Reuters\"}";
}

class HostileIdentity : public hostile_test {
  protected:
    void SetUp() override {
        hostile_test::SetUp();
        add_feed(cfg_, "partner", "ninjs", "", "", "partner");
        add_feed(cfg_, "reuters", "ninjs", "", "", "reuters");
    }
};

TEST_F(HostileIdentity, AFeedCannotPublishAsAnotherAgencyNorUnderItsKeys) {
    start_gateway();
    const std::string uri = "urn:reuters:hostile:" + topics_.all;
    http_client c(port());
    auto real = c.post_story("reuters", "key-reuters", claims_reuters(uri, "usable"));
    ASSERT_EQ(real.status, 200) << real.body;
    auto forged = c.post_story("partner", "key-partner", claims_reuters(uri, "usable"));
    ASSERT_EQ(forged.status, 200) << forged.body;
    auto msgs = consume(cfg_.kafka.brokers, topics_.all, 2, std::chrono::seconds(30));
    ASSERT_EQ(msgs.size(), 2u);
    for (const auto& m : msgs) {
        const auto feed = header(m.headers, "feed");
        // The agency is the feed's, never the story's claim; the key carries it.
        EXPECT_EQ(header(m.headers, "agency"), feed);
        EXPECT_EQ(m.key, feed + ":" + uri);
        if (feed == "partner") {
            EXPECT_NE(
                m.value.find(R"({"code":"agency_overridden","message":"the story names 'reuters')"),
                std::string::npos)
                << m.value;
        }
    }
    EXPECT_NE(msgs[0].key, msgs[1].key) << "the forged story shares the real one's key";
}

TEST_F(HostileIdentity, AForgedKillReachesTheAlertsOnlyUnderTheForgersOwnKey) {
    start_gateway();
    const std::string uri = "urn:reuters:hostile-kill:" + topics_.all;
    http_client c(port());
    ASSERT_EQ(c.post_story("reuters", "key-reuters", claims_reuters(uri, "usable")).status, 200);
    ASSERT_EQ(c.post_story("partner", "key-partner", claims_reuters(uri, "canceled")).status, 200);
    auto alerts = consume(cfg_.kafka.brokers, topics_.alerts, 1, std::chrono::seconds(30));
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(header(alerts[0].headers, "signal"), "kill");
    EXPECT_EQ(header(alerts[0].headers, "agency"), "partner");
    EXPECT_EQ(alerts[0].key, "partner:" + uri) << "a kill under the Reuters story's key";
    // The Reuters story itself is untouched: still one usable version under its own key.
    auto all = consume(cfg_.kafka.brokers, topics_.all, 2, std::chrono::seconds(30));
    std::size_t reuters = 0;
    for (const auto& m : all)
        if (m.key == "reuters:" + uri) ++reuters;
    EXPECT_EQ(reuters, 1u);
}

TEST_F(HostileIdentity, AForgedVersionDoesNotMakeTheRealOneADuplicate) {
    start_gateway();
    const std::string uri = "urn:reuters:hostile-dedup:" + topics_.all;
    http_client c(port());
    // The forger gets there first with the same uri and version.
    auto forged = c.post_story("partner", "key-partner", claims_reuters(uri, "usable"));
    ASSERT_EQ(forged.status, 200) << forged.body;
    auto real = c.post_story("reuters", "key-reuters", claims_reuters(uri, "usable"));
    EXPECT_EQ(real.status, 200) << real.body;
    EXPECT_NE(real.body.find("\"published\""), std::string::npos)
        << "the real story was taken for the forger's duplicate: " << real.body;
}

}  // namespace
}  // namespace wire::testing

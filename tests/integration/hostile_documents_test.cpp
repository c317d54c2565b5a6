// The hostile-input catalogue, part 1: hostile or broken documents in a well-formed request.
// Each is answered with its documented status, counted in wiregate_stories_rejected_total and
// leaves its raw bytes on the dead-letter topic (or, when it is harmless, is published without
// the hostile part). The table: tests/README.md "Hostile-input catalogue".
#include <fstream>

#include "hostile_fixture.hpp"

using namespace wire::testing;
using namespace std::chrono_literals;

namespace {

class HostileDocuments : public hostile_test {
  protected:
    // Posts `body` to feed `feed` and checks the whole-document refusal: status, the code in
    // the answer, the metric, and the dead letter (returned for further checks).
    consumed_message expect_refused(const std::string& feed, const std::string& body, int status,
                                    const std::string& code, const std::string& ct = "") {
        http_client c(port());
        auto a = c.post_story(feed, "key-" + feed, body, ct);
        EXPECT_EQ(a.status, status) << a.body.substr(0, 400);
        EXPECT_NE(a.body.find("\"code\":\"" + code + "\""), std::string::npos)
            << a.body.substr(0, 400);
        EXPECT_EQ(rejected(feed, code), 1) << svc_->registry().render();
        EXPECT_EQ(metric("wiregate_stories_published_total{feed=\"" + feed + "\"}"), 0);
        EXPECT_EQ(requests(status), 1);
        return expect_dead_letter(body, feed, code);
    }
    // Posts `body` and expects it published; returns the envelope consumed from the topic.
    std::string expect_published(const std::string& feed, const std::string& body,
                                 const std::string& ct = "") {
        http_client c(port());
        auto a = c.post_story(feed, "key-" + feed, body, ct);
        EXPECT_EQ(a.status, 200) << a.body.substr(0, 400);
        EXPECT_EQ(metric("wiregate_stories_published_total{feed=\"" + feed + "\"}"), 1);
        auto msgs = consume(cfg_.kafka.brokers, topics_.all, 1, 30s);
        EXPECT_EQ(msgs.size(), 1u);
        return msgs.empty() ? std::string() : msgs.front().value;
    }
    // The first line of /etc/passwd: what a resolved external entity would smuggle out.
    static std::string passwd_marker() {
        std::ifstream in("/etc/passwd");
        std::string line;
        std::getline(in, line);
        return line.substr(0, line.find(':', line.find(':') + 1));  // "root:x"
    }
};

TEST_F(HostileDocuments, XmlExternalEntityIsNotResolvedAndTheStoryIsRefused422) {
    start_gateway();
    const auto doc =
        nitf_story("<!DOCTYPE nitf [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n", "&xxe;");
    auto dead = expect_refused("x", doc, 422, "unsupported");
    EXPECT_EQ(header(dead.headers, "wiregate-path"), "/!DOCTYPE");
    const auto marker = passwd_marker();
    ASSERT_FALSE(marker.empty());
    EXPECT_EQ(dead.value.find(marker), std::string::npos);
    for (const auto& [k, v] : dead.headers) EXPECT_EQ(v.find(marker), std::string::npos) << k;
}

TEST_F(HostileDocuments, XmlParameterEntityPointingAtEtcPasswdIsNeverFetched) {
    // A subset of parameter entities only (Kyodo pulls its DTD in this way) is harmless: the
    // story is published, and nothing of the file is in it.
    start_gateway();
    const auto doc = nitf_story(
        "<!DOCTYPE nitf [<!ENTITY % xxe SYSTEM \"file:///etc/passwd\"> %xxe;]>\n", "Plain text.");
    auto env = expect_published("x", doc, "application/xml");
    EXPECT_NE(env.find("Plain text."), std::string::npos);
    EXPECT_EQ(env.find(passwd_marker()), std::string::npos);
}

TEST_F(HostileDocuments, EntityDeclaredAfterABracketHiddenInACommentIsStillRefused422) {
    // "]>" inside a comment of the subset once ended the scan for <!ENTITY early.
    start_gateway();
    const auto doc = nitf_story(
        "<!DOCTYPE nitf [<!-- ]> --><!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n", "&xxe;");
    expect_refused("x", doc, 422, "unsupported");
}

TEST_F(HostileDocuments, BillionLaughsEntityBombIsRefused422WithoutExpanding) {
    start_gateway();
    std::string subset = "<!DOCTYPE nitf [<!ENTITY lol0 \"lol\">";
    for (int i = 1; i <= 9; ++i) {
        subset += "<!ENTITY lol" + std::to_string(i) + " \"";
        for (int k = 0; k < 10; ++k) subset += "&lol" + std::to_string(i - 1) + ";";
        subset += "\">";
    }
    subset += "]>\n";
    const auto started = std::chrono::steady_clock::now();
    expect_refused("x", nitf_story(subset, "&lol9;"), 422, "unsupported");
    EXPECT_LT(std::chrono::steady_clock::now() - started, 20s);
    EXPECT_LT(proc_status_kib(::getpid(), "VmHWM"), 2L << 20) << "a billion laughs expanded";
}

TEST_F(HostileDocuments, DeeplyNestedXmlIsRefused422TooLarge) {
    start_gateway();
    std::string deep;
    for (int i = 0; i < 100000; ++i) deep += "<b>";
    deep += "x";
    for (int i = 0; i < 100000; ++i) deep += "</b>";
    auto dead = expect_refused("x", nitf_story("", deep), 422, "too_large");
    EXPECT_FALSE(header(dead.headers, "wiregate-path").empty());
}

TEST_F(HostileDocuments, DeeplyNestedJsonIsRefused422TooLarge) {
    start_gateway();
    expect_refused("f", std::string(200000, '[') + std::string(200000, ']'), 422, "too_large");
}

TEST_F(HostileDocuments, HugeXmlAttributeIsNotCopiedIntoTheStory) {
    start_gateway();
    auto env = expect_published(
        "x", nitf_story("", "<span class=\"" + std::string(2u << 20, 'A') + "\">t</span>"));
    EXPECT_LT(env.size(), 16u << 10);
}

TEST_F(HostileDocuments, HugeXmlElementNameIsNotCopiedIntoTheStory) {
    start_gateway();
    const std::string name(1u << 20, 'e');
    auto env = expect_published("x", nitf_story("", "<" + name + ">t</" + name + ">"));
    EXPECT_LT(env.size(), 16u << 10);
}

// Invalid UTF-8 is a repair, not a refusal: the stray byte is read as windows-1252 and the
// warning names its offset.
TEST_F(HostileDocuments, InvalidUtf8IsRepairedAndTheWarningNamesItsOffset) {
    start_gateway();
    const auto doc = ninjs_story("Bad \xC3\x28 byte");
    auto env = expect_published("f", doc, "application/json");
    EXPECT_NE(env.find("Bad \xC3\x83( byte"), std::string::npos) << env;
    EXPECT_NE(env.find(R"({"code":"charset_repaired","message":"1 byte was not valid UTF-8 )"
                       "(the first at byte " +
                       std::to_string(doc.find('\xC3')) + ")"),
              std::string::npos)
        << env;
}

TEST_F(HostileDocuments, UnsupportedDeclaredCharsetIsIgnoredWithAWarning) {
    start_gateway();
    auto env = expect_published("f", ninjs_story(), "application/json; charset=ebcdic-cp-us");
    EXPECT_NE(env.find("'ebcdic-cp-us' is not supported"), std::string::npos) << env;
}

TEST_F(HostileDocuments, Latin1DeclaredForUtf8BytesIsReadAsUtf8WithAWarning) {
    start_gateway();
    auto env = expect_published("f", ninjs_story("Caf\xC3\xA9 au lait"),
                                "application/json; charset=iso-8859-1");
    EXPECT_NE(env.find("Caf\xC3\xA9 au lait"), std::string::npos) << env;
    EXPECT_NE(env.find("but the bytes are UTF-8"), std::string::npos) << env;
}

TEST_F(HostileDocuments, Utf16DocumentOnAnAutoFeedIsRefused415UnknownFormat) {
    add_feed(cfg_, "a", "auto");
    start_gateway();
    std::string utf16 = "\xFF\xFE";
    for (char c : ninjs_story()) utf16 += std::string{c, '\0'};
    expect_refused("a", utf16, 415, "unknown_format");
}

// A NUL left by a telex system is read as a space (offsets stay the sender's), never passed on.
TEST_F(HostileDocuments, NulByteInsideAJsonStringIsReadAsASpaceWithAWarning) {
    start_gateway();
    auto env = expect_published("f", ninjs_story(std::string("a\0b", 3)), "application/json");
    EXPECT_EQ(env.find("\\u0000"), std::string::npos) << env;
    EXPECT_NE(env.find(R"("code":"control_removed")"), std::string::npos) << env;
}

TEST_F(HostileDocuments, NulByteInsideXmlTextIsReadAsASpaceWithAWarning) {
    start_gateway();
    auto env = expect_published("x", nitf_story("", std::string("a\0b", 3)), "application/xml");
    EXPECT_EQ(env.find("\\u0000"), std::string::npos) << env;
    EXPECT_NE(env.find(R"("code":"control_removed")"), std::string::npos) << env;
}

TEST_F(HostileDocuments, TruncatedXmlIsRefused422MalformedWithTheOffset) {
    start_gateway();
    const auto doc = nitf_story().substr(0, 200);
    auto dead = expect_refused("x", doc, 422, "malformed");
    EXPECT_FALSE(header(dead.headers, "wiregate-offset").empty());
}

TEST_F(HostileDocuments, TruncatedJsonIsRefused422Malformed) {
    start_gateway();
    expect_refused("f", ninjs_story().substr(0, 60), 422, "malformed");
}

TEST_F(HostileDocuments, EmptyBodyIsRefused422Malformed) {
    start_gateway();
    expect_refused("f", "", 422, "malformed");
}

TEST_F(HostileDocuments, TenMegabyteJsonStringIsRefused422TooLargeAndTheDeadLetterIsCut) {
    // A story whose envelope would not fit a Kafka message is refused, not left to fail in the
    // producer (or to sit in the spool for ever); its dead letter is cut at 900 KiB.
    start_gateway();
    auto dead = expect_refused("f", ninjs_story(std::string(10u << 20, 'H')), 422, "too_large");
    EXPECT_EQ(header(dead.headers, "wiregate-truncated"), "true");
}

TEST_F(HostileDocuments, TenMegabyteJsonNumberIsRefused422Malformed) {
    start_gateway();
    expect_refused("f", ninjs_story("n", ",\"urgency\":" + std::string(10u << 20, '9')), 422,
                   "malformed");
}

TEST_F(HostileDocuments, DuplicateJsonKeysPublishTheFirstValueOnce) {
    start_gateway();
    auto doc = ninjs_story();
    const auto uri_end = doc.find("\",") + 2;
    const std::string first_uri = doc.substr(8, uri_end - 10);
    doc.insert(uri_end, "\"uri\":\"urn:hostile:smuggled\",");
    auto env = expect_published("f", doc);
    EXPECT_NE(env.find("\"uri\":\"" + first_uri + "\""), std::string::npos) << env;
    EXPECT_EQ(env.find("urn:hostile:smuggled"), std::string::npos);
}

TEST_F(HostileDocuments, Utf8ByteOrderMarkBeforeJsonIsAccepted) {
    start_gateway();
    auto env = expect_published("f", "\xEF\xBB\xBF" + ninjs_story("With a BOM"));
    EXPECT_NE(env.find("With a BOM"), std::string::npos);
}

TEST_F(HostileDocuments, ControlCharactersInStoryTextAreStrippedBeforePublishing) {
    start_gateway();
    auto env = expect_published("f", ninjs_story("Bell\\u0007 and \\u001b[31mred"));
    EXPECT_EQ(env.find('\x07'), std::string::npos);
    EXPECT_EQ(env.find('\x1b'), std::string::npos);
    EXPECT_EQ(env.find("\\u0007"), std::string::npos);
    EXPECT_NE(env.find("Bell"), std::string::npos);
}

TEST_F(HostileDocuments, JsonSentToAnXmlFeedIsRefused422Malformed) {
    start_gateway();
    expect_refused("x", ninjs_story(), 422, "malformed", "application/json");
}

}  // namespace

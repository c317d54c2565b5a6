// NewsML-G2 adapter cases that fixture files cannot carry well: hostile sizes built in memory,
// sniffing edge cases and item caps.
#include <gtest/gtest.h>

#include <string>

#include "core/normalize.hpp"

using namespace wire::adapters;

namespace {

const std::string k_open =
    R"(<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:x:1" version="1">)"
    R"(<itemMeta><versionCreated>2017-07-10T12:00:00Z</versionCreated></itemMeta>)";

normalize_result run(const std::string& doc) {
    normalize_options o;
    o.format = "newsml-g2";
    o.received_at = "2026-01-01T00:00:00Z";
    return normalize(doc, o);
}

const adapter_error* error_of(const normalize_result& r, size_t i = 0) {
    return i < r.items.size() ? std::get_if<adapter_error>(&r.items[i]) : nullptr;
}

TEST(newsml_g2, HundredThousandLevelsAreRefusedWithoutCrashing) {
    const int n = 100000;
    std::string doc = k_open + "<contentSet><inlineXML><html><body>";
    for (int i = 0; i < n; ++i) doc += "<b>";
    for (int i = 0; i < n; ++i) doc += "</b>";
    doc += "</body></html></inlineXML></contentSet></newsItem>";
    auto r = run(doc);
    ASSERT_EQ(r.items.size(), 1u);
    const auto* e = error_of(r);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->code, story_errc::too_large);
}

TEST(newsml_g2, ItemsBeyondTheCapAreRefusedOnce) {
    std::string doc = R"(<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><itemSet>)";
    for (int i = 0; i < 1005; ++i)
        doc += R"(<newsItem guid="urn:x:)" + std::to_string(i) +
               R"("><itemMeta><versionCreated>2017-07-10T12:00:00Z</versionCreated></itemMeta>)"
               R"(<contentMeta><headline>h</headline></contentMeta></newsItem>)";
    doc += "</itemSet></newsMessage>";
    auto r = run(doc);
    ASSERT_EQ(r.items.size(), 1001u);
    EXPECT_TRUE(std::holds_alternative<story>(r.items[999]));
    const auto* e = error_of(r, 1000);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->code, story_errc::too_large);
    EXPECT_EQ(e->path, "/newsMessage/itemSet/newsItem[1001]");
}

TEST(newsml_g2, SniffsPrefixedAndNamespacedRootsOnly) {
    EXPECT_EQ(sniff_format(k_open + "</newsItem>"), "newsml-g2");
    EXPECT_EQ(sniff_format("<?xml version='1.0'?>\n<!-- c -->\n<ns0:newsMessage "
                           "xmlns:ns0=\"urn:other\"><ns0:itemSet/></ns0:newsMessage>"),
              "newsml-g2");
    EXPECT_EQ(sniff_format("<!DOCTYPE packageItem [<!ENTITY a \"b>\">]><packageItem "
                           "xmlns=\"http://iptc.org/std/nar/2006-10-01/\"/>"),
              "newsml-g2");
    EXPECT_NE(sniff_format("<newsItem><headline>no namespace</headline></newsItem>"), "newsml-g2");
    EXPECT_NE(sniff_format("<NewsML><NewsItem/></NewsML>"), "newsml-g2");
}

TEST(newsml_g2, ADoctypeAfterTheRootIsNotExpanded) {
    auto r = run(k_open + "<contentMeta><headline>&lol;</headline></contentMeta></newsItem>" +
                 "<!DOCTYPE x [<!ENTITY lol \"boom\">]>");
    ASSERT_EQ(r.items.size(), 1u);
    if (const auto* s = std::get_if<story>(&r.items[0])) {
        ASSERT_EQ(s->headlines.size(), 1u);
        EXPECT_EQ(s->headlines[0].value.find("boom"), std::string::npos);
    }
}

// The XML adapters share one DOCTYPE rule: an external DTD is harmless (pugixml never loads it),
// general entities declared in an internal subset are refused.
TEST(newsml_g2, AnExternalDtdIsAcceptedDeclaredEntitiesAreRefused) {
    auto ok =
        run("<!DOCTYPE newsItem SYSTEM \"NewsML-G2.dtd\">\n" + k_open +
            "<contentMeta><headline><b>KYIV</b>, Ukraine</headline></contentMeta></newsItem>");
    ASSERT_EQ(ok.items.size(), 1u);
    const auto* s = std::get_if<story>(&ok.items[0]);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->headlines.at(0).value, "KYIV, Ukraine");
    auto bad = run("<!DOCTYPE newsItem [<!ENTITY a \"b\">]>\n" + k_open + "</newsItem>");
    const auto* e = error_of(bad);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->code, story_errc::unsupported);
}

const story* story_of(const normalize_result& r, size_t i = 0) {
    return i < r.items.size() ? std::get_if<story>(&r.items[i]) : nullptr;
}

bool has_warning(const story& s, std::string_view code) {
    for (const auto& w : s.wire.warnings)
        if (w.code == code) return true;
    return false;
}

const std::string k_guidless = R"(<newsItem><itemMeta><versionCreated>2017-07-10T12:00:00Z)"
                               R"(</versionCreated></itemMeta><contentMeta><headline>H</headline>)"
                               R"(</contentMeta></newsItem>)";

std::string message(const std::string& header, const std::string& items) {
    return R"(<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><header>)" + header +
           "</header><itemSet>" + items + "</itemSet></newsMessage>";
}

TEST(newsml_g2, ItemsWithoutGuidTakeTheTransmitIdAndTheirPlace) {
    auto r = run(message("<transmitId>tx-1</transmitId>", k_guidless + k_guidless));
    ASSERT_EQ(r.items.size(), 2u);
    for (size_t i = 0; i < 2; ++i) {
        const auto* s = story_of(r, i);
        ASSERT_NE(s, nullptr);
        EXPECT_EQ(s->uri, "urn:wiregate:generic:tx-1#" + std::to_string(i + 1));
        EXPECT_TRUE(has_warning(*s, "id_derived"));
    }
    // Same bytes in, same ids out.
    auto again = run(message("<transmitId>tx-1</transmitId>", k_guidless + k_guidless));
    EXPECT_EQ(story_of(again, 1)->uri, story_of(r, 1)->uri);
}

TEST(newsml_g2, AnItemAltIdBeatsTheTransmitId) {
    std::string item = R"(<newsItem><contentMeta><altId type="x:other">o-1</altId>)"
                       R"(<altId type="ap:itemId">abc123</altId><headline>H</headline>)"
                       R"(</contentMeta></newsItem>)";
    auto r = run(message("<transmitId>tx-1</transmitId>", item + k_guidless));
    ASSERT_EQ(r.items.size(), 2u);
    EXPECT_EQ(story_of(r, 0)->uri, "urn:wiregate:generic:abc123");
    EXPECT_EQ(story_of(r, 1)->uri, "urn:wiregate:generic:tx-1#2");
}

TEST(newsml_g2, APackagesResidrefsNameItsGuidlessItemsInOrder) {
    std::string package = R"(<packageItem guid="urn:p:1"><groupSet><group>)"
                          R"(<itemRef residref="urn:x:a"/><itemRef residref="urn:x:b"/>)"
                          R"(</group></groupSet></packageItem>)";
    auto r = run(message("", package + k_guidless + k_guidless));
    ASSERT_EQ(r.items.size(), 2u);  // the package itself is not a story: its members are
    EXPECT_EQ(story_of(r, 0)->uri, "urn:x:a");
    EXPECT_EQ(story_of(r, 1)->uri, "urn:x:b");
}

TEST(newsml_g2, MetadataItemsBesideAStoryAreSkipped) {
    std::string plan = R"(<planningItem guid="urn:plan:1"/>)";
    auto r = run(message("", plan + R"(<newsItem guid="urn:x:1"><contentMeta><headline>H)"
                                    R"(</headline></contentMeta></newsItem>)"));
    ASSERT_EQ(r.items.size(), 1u);
    EXPECT_EQ(story_of(r, 0)->uri, "urn:x:1");
}

TEST(newsml_g2, AnUnreadableVersionCreatedFallsBackWithWarnings) {
    auto r = run(R"(<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:x:1">)"
                 R"(<itemMeta><versionCreated>yesterday</versionCreated></itemMeta>)"
                 R"(<contentMeta><contentModified>2017-07-10T12:30:00+02:00</contentModified>)"
                 R"(<headline>H</headline></contentMeta></newsItem>)");
    const auto* s = story_of(r);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->versioncreated, "2017-07-10T10:30:00Z");
    EXPECT_TRUE(has_warning(*s, "bad_date"));
    EXPECT_TRUE(has_warning(*s, "no_version_time"));
}

TEST(newsml_g2, PrivateNotesAndAccountCreatorsStayOut) {
    auto r = run(R"(<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:x:2">)"
                 R"(<itemMeta><versionCreated>2017-07-10T12:00:00Z</versionCreated>)"
                 R"(<edNote role="sttnote:private">do not tell anyone this</edNote>)"
                 R"(<edNote role="sttnote:public">Corrected the date.</edNote></itemMeta>)"
                 R"(<contentMeta><creator qcode="u:smith.jo"><name>smith.jo</name></creator>)"
                 R"(<headline>H</headline></contentMeta></newsItem>)");
    const story* s = story_of(r);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->ednote, "Corrected the date.");
    EXPECT_EQ(s->by, "");
    auto named = run(k_open + R"(<contentMeta><creator><name>Jo Smith</name></creator>)"
                              R"(<headline>H</headline></contentMeta></newsItem>)");
    ASSERT_NE(story_of(named), nullptr);
    EXPECT_EQ(story_of(named)->by, "Jo Smith");
}

}  // namespace

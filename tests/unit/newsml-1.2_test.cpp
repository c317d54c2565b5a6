// NewsML 1.x adapter behaviour the fixture sweep cannot pin down on its own: sniffing, the
// revision-free uri, TASS-style identification, and the per-document item cap.
#include <gtest/gtest.h>

#include <string>

#include "core/normalize.hpp"
#include "core/registry.hpp"

namespace {
using namespace wire::adapters;

const adapter_info& newsml1() {
    const auto* a = find_adapter("newsml-1.2");
    EXPECT_NE(a, nullptr);
    return *a;
}

normalize_result run(const std::string& xml) {
    normalize_options o;
    o.format = "newsml-1.2";
    o.received_at = "2026-01-01T00:00:00Z";
    return normalize(xml, o);
}

std::string item(const std::string& ident, const std::string& management = "") {
    return "<NewsItem><Identification><NewsIdentifier>" + ident +
           "</NewsIdentifier></Identification><NewsManagement>" + management +
           "</NewsManagement><NewsComponent Duid=\"C1\"><NewsLines><HeadLine>H</HeadLine>"
           "</NewsLines></NewsComponent></NewsItem>";
}

TEST(NewsML1, SniffsNewsMLButNotG2) {
    EXPECT_TRUE(newsml1().sniff("<NewsML Version=\"1.2\">"));
    EXPECT_TRUE(
        newsml1().sniff("<?xml version=\"1.0\"?>\n<!DOCTYPE NewsML PUBLIC \"a\" \"b\" [\n"
                        "<!ENTITY % nitf SYSTEM \"n.dtd\"> %nitf; ]>\n<NewsML>"));
    EXPECT_FALSE(newsml1().sniff("<NewsML xmlns=\"http://iptc.org/std/nar/2006-10-01/\">"));
    EXPECT_FALSE(newsml1().sniff("<newsMessage xmlns=\"http://iptc.org/std/nar/2006-10-01/\">"));
    EXPECT_FALSE(newsml1().sniff("<NewsMLx>"));
    EXPECT_FALSE(newsml1().sniff("{}"));
    EXPECT_FALSE(newsml1().sniff(""));
}

TEST(NewsML1, UriDropsTheRevisionAndItsUpdateFlag) {
    auto r = run("<NewsML>" +
                 item("<ProviderId>afp.com</ProviderId><DateId>20170710</DateId>"
                      "<NewsItemId>X1</NewsItemId><RevisionId PreviousRevision=\"1\" "
                      "Update=\"A\">2</RevisionId><PublicIdentifier>"
                      "urn:newsml:afp.com:20170710:X1:2A</PublicIdentifier>") +
                 "</NewsML>");
    ASSERT_EQ(r.items.size(), 1u);
    const auto& s = std::get<story>(r.items[0]);
    EXPECT_EQ(s.uri, "urn:newsml:afp.com:20170710:X1");
    EXPECT_EQ(s.version, "2");
    EXPECT_EQ(s.wire.signal, signal_kind::update);
}

TEST(NewsML1, TassItemWithOnlyProviderUsesComponentDuidAndTextUrgency) {
    auto r = run("<NewsML>" +
                 item("<ProviderId>www.itar-tass.com</ProviderId>",
                      "<FirstCreated>20190121T102708</FirstCreated><Urgency>2</Urgency>") +
                 "</NewsML>");
    ASSERT_EQ(r.items.size(), 1u);
    const auto& s = std::get<story>(r.items[0]);
    EXPECT_EQ(s.uri, "urn:newsml:www.itar-tass.com:20190121:C1");
    EXPECT_EQ(s.urgency, 2);
    EXPECT_EQ(s.wire.agency, "itar-tass");
}

TEST(NewsML1, CapsItemsPerDocument) {
    std::string doc = "<NewsML>";
    for (int i = 0; i < 1005; ++i)
        doc += item("<ProviderId>p</ProviderId><DateId>1</DateId><NewsItemId>" + std::to_string(i) +
                    "</NewsItemId>");
    auto r = run(doc + "</NewsML>");
    ASSERT_EQ(r.items.size(), 1001u);
    ASSERT_TRUE(std::holds_alternative<adapter_error>(r.items.back()));
    EXPECT_EQ(std::get<adapter_error>(r.items.back()).code, story_errc::too_large);
    EXPECT_EQ(std::get<adapter_error>(r.items.back()).path, "/NewsML/NewsItem[1001]");
}

TEST(NewsML1, SniffsWrappedAndRenamedRootsButNotG2) {
    EXPECT_EQ(sniff_format("<delivery><NewsML><NewsEnvelope/>"), "newsml-1.2");
    EXPECT_EQ(sniff_format("<document><NewsEnvelope/><NewsItem>"), "newsml-1.2");
    EXPECT_NE(sniff_format("<x xmlns=\"http://iptc.org/std/nar/2006-10-01/\"><NewsItem>"),
              "newsml-1.2");
}

TEST(NewsML1, ItemsWithoutAnyIdTakeTheTransmissionIdAndTheirPlace) {
    std::string no_id =
        "<NewsItem><NewsComponent><NewsLines><HeadLine>H</HeadLine></NewsLines>"
        "</NewsComponent></NewsItem>";
    auto r = run("<NewsML><NewsEnvelope><TransmissionId>T9</TransmissionId></NewsEnvelope>" +
                 no_id + no_id + "</NewsML>");
    ASSERT_EQ(r.items.size(), 2u);
    EXPECT_EQ(std::get<story>(r.items[0]).uri, "urn:newsml::T9:1");
    EXPECT_EQ(std::get<story>(r.items[1]).uri, "urn:newsml::T9:2");
    EXPECT_EQ(std::get<story>(r.items[1]).wire.warnings.at(0).code, "id_derived");
}

TEST(NewsML1, TheHeadlineComesFromTheNewsLinesNearestTheText) {
    auto r =
        run("<NewsML><NewsItem><Identification><NewsIdentifier><ProviderId>p</ProviderId>"
            "<NewsItemId>1</NewsItemId></NewsIdentifier></Identification><NewsComponent>"
            "<NewsComponent><NewsLines><HeadLine>Caption</HeadLine></NewsLines><ContentItem>"
            "<MediaType FormalName=\"Photo\"/></ContentItem></NewsComponent><NewsComponent>"
            "<NewsLines><HeadLine>Story</HeadLine><ByLine>By X</ByLine></NewsLines><ContentItem>"
            "<DataContent>Text.</DataContent></ContentItem></NewsComponent></NewsComponent>"
            "</NewsItem></NewsML>");
    const auto& s = std::get<story>(r.items.at(0));
    EXPECT_EQ(s.headlines.at(0).value, "Story");
    EXPECT_EQ(s.by, "By X");
}

std::string html_item(const std::string& cdata) {
    return "<NewsML><NewsItem><Identification><NewsIdentifier><ProviderId>p.example</ProviderId>"
           "<DateId>20240101</DateId><NewsItemId>1</NewsItemId></NewsIdentifier></Identification>"
           "<NewsComponent><NewsLines><HeadLine>H</HeadLine></NewsLines><ContentItem>"
           "<Format FormalName=\"HTML\"/><DataContent><![CDATA[" +
           cdata + "]]></DataContent></ContentItem></NewsComponent></NewsItem></NewsML>";
}

TEST(NewsML1, OnlyAClosingRightsParagraphLeavesTheBody) {
    auto read = [](const std::string& cdata) {
        auto r = run(html_item(cdata));
        const auto* s = std::get_if<story>(&r.items.at(0));
        return s ? s->copyrightnotice : std::string("refused");
    };
    EXPECT_EQ(read("<p>Text.</p><p>(C) Agency 2024</p><p></p>"), "(C) Agency 2024");
    EXPECT_EQ(read("<p>Text.</p><p>Copyright 2024 Agency</p>"), "Copyright 2024 Agency");
    EXPECT_EQ(read("<p>© Agency 2024</p><p>Text after it.</p>"), "");  // not closing
    EXPECT_EQ(read("<p>© Agency 2024</p>"), "");                       // the whole body
    EXPECT_EQ(read("<p>Copyrights are a trade issue (c) said</p>"), "");
}

}  // namespace

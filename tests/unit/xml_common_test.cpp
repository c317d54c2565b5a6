// The guards and helpers the XML adapters share (adapters/xml_common.hpp).
#include <gtest/gtest.h>

#include <string>

#include "xml_common.hpp"

namespace {
using namespace wire::adapters;

std::optional<adapter_error> check(const std::string& doc) {
    pugi::xml_document d;
    if (auto e = xml::parse(d, doc)) return e;
    return xml::check_document(d, doc);
}

std::string nested(int levels) {  // `levels` elements, then a text node one level deeper
    std::string doc;
    for (int i = 0; i < levels; ++i) doc += "<a>";
    doc += "x";
    for (int i = 0; i < levels; ++i) doc += "</a>";
    return doc;
}

TEST(XmlCommon, TextKeepsPunctuationTightAndSpacesAdjoiningElements) {
    pugi::xml_document d;
    ASSERT_FALSE(xml::parse(d,
                            "<dl><city>KYIV</city>, Ukraine (<i>AP</i>) -<b>x</b><b>y</b>"
                            "<note>skipped</note></dl>"));
    EXPECT_EQ(xml::text(d.first_child(), "note"), "KYIV, Ukraine (AP) - x y");
    EXPECT_EQ(xml::text(d.first_child()), "KYIV, Ukraine (AP) - x y skipped");
    EXPECT_EQ(xml::text(d.first_child().first_child()), "KYIV");
    EXPECT_EQ(xml::text(pugi::xml_node()), "");
}

TEST(XmlCommon, RefusesInternalGeneralEntitiesOnly) {
    EXPECT_FALSE(check("<?xml version=\"1.0\"?>\n<!DOCTYPE nitf SYSTEM \"nitf.dtd\"><nitf/>"));
    EXPECT_FALSE(check("<!DOCTYPE nitf [ <!ENTITY % nitf SYSTEM \"nitf.dtd\"> %nitf; ]><nitf/>"));
    auto e = check("<!DOCTYPE x [ <!ENTITY lol \"boom\"> ]><x>&lol;</x>");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code, story_errc::unsupported);
    EXPECT_FALSE(check("<x>&lol;</x><!DOCTYPE x [<!ENTITY lol \"boom\">]>"));  // after the root
}

TEST(XmlCommon, RefusesNestingDeeperThanTheLimit) {
    EXPECT_FALSE(check(nested(xml::k_max_depth - 1)));  // the text node is at the limit
    auto e = check(nested(xml::k_max_depth));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code, story_errc::too_large);
    auto m = check("<a");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->code, story_errc::malformed);
}

TEST(XmlCommon, FindsTheRootStartTagAfterTheProlog) {
    std::string_view head =
        "<?xml version=\"1.0\"?>\n<!-- c -->\n<!DOCTYPE n [<!ENTITY a \"b>\">]>\n<ns0:n x=\"1\">";
    EXPECT_EQ(xml::root_start_tag(head), "<ns0:n x=\"1\"");
    EXPECT_EQ(xml::tag_name(xml::root_start_tag(head)), "ns0:n");
    EXPECT_EQ(xml::local(xml::tag_name("<n/>")), "n");
    EXPECT_EQ(xml::root_start_tag("{\"uri\": 1}"), "");
}

TEST(XmlCommon, FindsStartTagsWithAnyPrefixButNotInsideOtherNames) {
    EXPECT_TRUE(xml::has_start_tag("<a><nitf>", "nitf"));
    EXPECT_TRUE(xml::has_start_tag("<a>\n<ns-0.x:nitf xmlns:ns-0.x=\"u\">", "nitf"));
    EXPECT_TRUE(xml::has_start_tag("<a><nitf/>", "nitf"));
    EXPECT_FALSE(xml::has_start_tag("<a><nitfx>", "nitf"));
    EXPECT_FALSE(xml::has_start_tag("<a><xnitf>", "nitf"));
    EXPECT_FALSE(xml::has_start_tag("<a>nitf </a>", "nitf"));
    EXPECT_FALSE(xml::has_start_tag("<a></nitf>", "nitf"));
    EXPECT_FALSE(xml::has_start_tag("nitf", "nitf"));
}

TEST(XmlCommon, RootStartTagSkipsStrayByteOrderMarks) {
    EXPECT_EQ(
        xml::root_start_tag("\xEF\xBB\xBF \n\xEF\xBB\xBF<?xml version=\"1.0\"?><nitf a=\"b\">"),
        "<nitf a=\"b\"");
    EXPECT_EQ(xml::root_start_tag("  \xEF\xBB\xBF<NewsML>"), "<NewsML");
}

TEST(XmlCommon, LanguageTagsWithUnderscoresAreRepairedWithAWarning) {
    story s;
    s.language = "en_US";
    xml::repair_language(s);
    EXPECT_EQ(s.language, "en-US");
    ASSERT_EQ(s.wire.warnings.size(), 1u);
    EXPECT_EQ(s.wire.warnings[0].code, "field_repaired");
    s.language = "de";
    xml::repair_language(s);
    EXPECT_EQ(s.wire.warnings.size(), 1u);
}

}  // namespace

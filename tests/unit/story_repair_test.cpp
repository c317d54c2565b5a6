// Repairs every story gets whatever its format: an identifier derived from the text when the
// document has none, and a byline moved out of the first body paragraph.
#include <gtest/gtest.h>

#include "core/normalize.hpp"
#include "core/story_repair.hpp"

using namespace wire::adapters;

namespace {

story with_text(std::string headline, std::string body_html) {
    story s;
    s.wire.agency = "ap";
    if (!headline.empty()) s.headlines.push_back({"main", "text/plain", std::move(headline)});
    s.body_html = std::move(body_html);
    return s;
}

story finalized(story s) {
    if (auto e = finalize_story(s)) ADD_FAILURE() << e->message;
    return s;
}

bool has_code(const story& s, std::string_view code) {
    for (const auto& w : s.wire.warnings)
        if (w.code == code) return true;
    return false;
}

TEST(DerivedUri, SameTextGivesTheSameIdAndAWarning) {
    auto a = finalized(with_text("Quake hits coast", "<p>A quake hit.</p><p>Later text.</p>"));
    auto b = finalized(with_text("Quake  hits coast ", "<p>A quake   hit.</p><p>Other.</p>"));
    EXPECT_EQ(a.uri.rfind("urn:wiregate:ap:h:", 0), 0u) << a.uri;
    EXPECT_EQ(a.uri.size(), std::string("urn:wiregate:ap:h:").size() + 24);
    EXPECT_EQ(a.uri, b.uri) << "only the headline and first paragraph count, spaces collapsed";
    EXPECT_TRUE(has_code(a, "id_derived"));
}

TEST(DerivedUri, OtherHeadlineOrLeadGivesAnotherId) {
    auto a = finalized(with_text("Quake hits coast", "<p>A quake hit.</p>"));
    auto b = finalized(with_text("Quake hits coast", "<p>A quake hit again.</p>"));
    auto c = finalized(with_text("Quake hits north", "<p>A quake hit.</p>"));
    EXPECT_NE(a.uri, b.uri);
    EXPECT_NE(a.uri, c.uri);
}

TEST(DerivedUri, HeadlineOnlyOrBodyOnlyStillGetsAnId) {
    EXPECT_FALSE(finalized(with_text("Flash: quake", "")).uri.empty());
    EXPECT_FALSE(finalized(with_text("", "<p>Text without a headline.</p>")).uri.empty());
}

TEST(DerivedUri, NoIdNoHeadlineNoTextIsNoStory) {
    story s = with_text("", "<p> </p>");
    auto e = finalize_story(s);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code, story_errc::missing_required);
}

TEST(DerivedUri, AnIdFromTheDocumentIsKept) {
    story s = with_text("Quake", "<p>Text.</p>");
    s.uri = "urn:x:1";
    s = finalized(s);
    EXPECT_EQ(s.uri, "urn:x:1");
    EXPECT_FALSE(has_code(s, "id_derived"));
}

struct byline_case {
    const char* first_paragraph;
    const char* by;  // "" = stays in the body
};

class LeadingByline : public testing::TestWithParam<byline_case> {};

TEST_P(LeadingByline, MovesOnlyRealBylines) {
    const auto& c = GetParam();
    story s = with_text("Quake", std::string("<p>") + c.first_paragraph +
                                     "</p><p>A strong quake hit the coast on Monday.</p>");
    s.uri = "urn:x:1";
    s = finalized(s);
    EXPECT_EQ(s.by, c.by);
    ASSERT_EQ(s.bodies.size(), 2u);
    const bool moved = *c.by != '\0';
    EXPECT_EQ(s.bodies[1].value.find(c.first_paragraph) == std::string::npos, moved)
        << s.bodies[1].value;
    EXPECT_EQ(has_code(s, "byline_moved"), moved);
    if (moved) EXPECT_EQ(s.bodies[1].wordcount, 8);
}

INSTANTIATE_TEST_SUITE_P(
    Variants, LeadingByline,
    testing::Values(
        byline_case{"By JANE DOE", "JANE DOE"},
        byline_case{"BY JANE DOE, Associated Press Writer", "JANE DOE, Associated Press Writer"},
        byline_case{"By Jan van der Berg and Ana Lima", "Jan van der Berg and Ana Lima"},
        byline_case{"Von Anna Muster, dpa", "Anna Muster, dpa"},
        byline_case{"By The Associated Press", "The Associated Press"},
        byline_case{"By Monday, the ministry had counted 40 dead.", ""},
        byline_case{"By train and by bus they came", ""},
        byline_case{"Byron Smith scored twice", ""}, byline_case{"Jane Doe reports", ""}));

TEST(LeadingBylineEdge, AParagraphThatIsAllTheTextStays) {
    story s = with_text("Quake", "<p>By JANE DOE</p>");
    s.uri = "urn:x:1";
    s = finalized(s);
    EXPECT_EQ(s.by, "");
    EXPECT_FALSE(s.bodies.empty());
}

TEST(LeadingBylineEdge, AnExistingByIsNotReplaced) {
    story s = with_text("Quake", "<p>By JANE DOE</p><p>Text here.</p>");
    s.uri = "urn:x:1";
    s.by = "John Roe";
    s = finalized(s);
    EXPECT_EQ(s.by, "John Roe");
    EXPECT_NE(s.bodies[1].value.find("By JANE DOE"), std::string::npos);
}

}  // namespace

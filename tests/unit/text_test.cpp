#include <gtest/gtest.h>

#include "core/lifecycle.hpp"
#include "core/text.hpp"

using namespace wire::adapters;

namespace {

TEST(SanitizeHtml, KeepsStructureDropsScriptsAttributesAndUnsafeLinks) {
    EXPECT_EQ(
        sanitize_html("<p class=x onclick='y()'>Hi <b>there</b></p><script>alert(1)</script>"),
        "<p>Hi <b>there</b></p>");
    EXPECT_EQ(sanitize_html(
                  "<a href=\"javascript:x()\">a</a><a href='https://ap.org/x?a=1&amp;b=2'>b</a>"),
              "<a>a</a><a href=\"https://ap.org/x?a=1&amp;b=2\">b</a>");
    EXPECT_EQ(sanitize_html("<x:p>prefixed</x:p><hl2>sub</hl2><block><p>in block</p></block>"),
              "<p>prefixed</p><h2>sub</h2><p>in block</p>");
}

TEST(SanitizeHtml, ClosesUnclosedAndIgnoresStrayEndTags) {
    EXPECT_EQ(sanitize_html("<p><b>open"), "<p><b>open</b></p>");
    EXPECT_EQ(sanitize_html("</p>text</b>"), "text");
    EXPECT_EQ(sanitize_html("<p><b>x</p>"), "<p><b>x</b></p>");
    EXPECT_EQ(sanitize_html("1 < 2 & 3 > 2"), "1 &lt; 2 &amp; 3 &gt; 2");
}

TEST(SanitizeHtml, DeepNestingIsBounded) {
    std::string deep;
    for (int i = 0; i < 100000; ++i) deep += "<b>";
    auto out = sanitize_html(deep);
    EXPECT_LT(out.size(), 10000u);
}

TEST(HtmlToText, ParagraphsBecomeBlankLineSeparatedText) {
    EXPECT_EQ(html_to_text("<p>One &amp; two.</p><p>Three</p>"), "One & two.\n\nThree");
    EXPECT_EQ(text_to_html("Para one\nstill one.\n\nPara <two>"),
              "<p>Para one still one.</p><p>Para &lt;two&gt;</p>");
}

TEST(Text, CleanTextDropsControlCharacters) {
    EXPECT_EQ(clean_text("a\x01"
                         "b\x07\x07"
                         "c\r\nd\x7F"
                         "e\xC2\x85"
                         "f"),
              "abc\nde"
              "f");
    EXPECT_EQ(clean_line("  many   spaces\n\there "), "many spaces here");
    EXPECT_EQ(clean_text("a\r\r\nb\r\nc\rd"), "a\nb\nc\nd");
}

TEST(Text, WordAndCharCounts) {
    EXPECT_EQ(count_words("NATO chief calls on Russia — again."), 6);
    EXPECT_EQ(count_words("Генсек НАТО призвал Россию"), 4);
    EXPECT_EQ(count_words(""), 0);
    // Whitespace-separated tokens holding a letter or digit, as newsrooms count them.
    EXPECT_EQ(count_words("U.S.-led talks don't end; 10,000 dead."), 6);
    EXPECT_EQ(count_words("a\xC2\xA0"
                          "b\xE2\x80\x89"
                          "c\td\ne"),
              5);                                                    // NBSP, thin space
    EXPECT_EQ(count_words("x \xE2\x80\x94 \xE2\x80\xA2 ... y"), 2);  // lone dash, bullet
    EXPECT_EQ(count_words("\xE2\x80\x9CQuoted\xE2\x80\x9D word"), 2);
    EXPECT_EQ(count_chars("Жук"), 3);
}

TEST(Lifecycle, MarkersInEnglishGermanAndRussian) {
    EXPECT_EQ(signal_from_text("CORRECTED-NATO chief calls"), signal_kind::correction);
    EXPECT_EQ(signal_from_text("Eds: UPDATES with Kremlin reaction"), signal_kind::update);
    EXPECT_EQ(signal_from_text("BC-EU--NATO-Ukraine, 1stLd-Writethru"), signal_kind::update);
    EXPECT_EQ(signal_from_text("BC-EU--NATO-Ukraine, 3rdLd"), signal_kind::update);
    EXPECT_EQ(signal_from_text("Eds: CORRECTS spelling of name"), signal_kind::correction);
    EXPECT_FALSE(signal_from_text("a bold move"));
    EXPECT_EQ(signal_from_text("MANDATORY KILL"), signal_kind::kill);
    EXPECT_EQ(signal_from_text("(Berichtigung: Name korrigiert)"), signal_kind::correction);
    EXPECT_EQ(signal_from_text("(Wiederholung)"), signal_kind::repeat);
    EXPECT_EQ(signal_from_text("ИСПРАВЛЕНИЕ: уточняется имя"), signal_kind::correction);
    EXPECT_EQ(signal_from_text("ОТМЕНА сообщения"), signal_kind::kill);
    EXPECT_EQ(signal_from_text("REFILE-NATO chief"), signal_kind::repeat);
    EXPECT_FALSE(signal_from_text("Stoltenberg spoke in Kyiv"));
    EXPECT_FALSE(signal_from_text("Uncorrected figures"));
    // the strongest marker wins
    EXPECT_EQ(signal_from_text("UPDATE 2-KILL"), signal_kind::kill);
}

}  // namespace

namespace {
TEST(SanitizeHtml, LayoutWhitespaceCollapsesAndLeavesBlockEdges) {
    EXPECT_EQ(
        sanitize_html("\n  <p>\n   First   line.\n  </p>\n\n  <p> Second <b>bold</b> text </p>\n"),
        "<p>First line.</p><p>Second <b>bold</b> text</p>");
    EXPECT_EQ(sanitize_html("<pre>a\n  b</pre>"), "<pre>a\n  b</pre>");
    EXPECT_EQ(sanitize_html("a <i>b</i> c<br/> d"), "a <i>b</i> c<br/>d");
}
}  // namespace

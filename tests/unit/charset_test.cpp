#include <gtest/gtest.h>

#include "core/charset.hpp"

using namespace wire::adapters;

namespace {

decoded_text ok(std::string_view raw, std::string_view declared,
                std::string_view fallback = "utf-8") {
    auto r = decode_to_utf8(raw, declared, fallback);
    EXPECT_TRUE(std::holds_alternative<decoded_text>(r)) << std::get<adapter_error>(r).message;
    return std::holds_alternative<decoded_text>(r) ? std::get<decoded_text>(r) : decoded_text{};
}

TEST(Charset, LabelsAreNormalisedAndLatin1MeansWindows1252) {
    EXPECT_EQ(canonical_charset("UTF8"), "utf-8");
    EXPECT_EQ(canonical_charset("ISO-8859-1"), "windows-1252");
    EXPECT_EQ(canonical_charset("latin1"), "windows-1252");
    EXPECT_EQ(canonical_charset("CP1251"), "windows-1251");
    EXPECT_EQ(canonical_charset("KOI8-R"), "koi8-r");
    EXPECT_EQ(canonical_charset("ebcdic"), "");
}

TEST(Charset, Latin1DeclaredBytesAreDecodedAsWindows1252) {
    // 0xA3 is the pound sign in both; 0x92 is a right quote only in windows-1252.
    auto t =
        ok("\xA3"
           "5 \x92quoted\x92",
           "ISO-8859-1");
    EXPECT_EQ(t.utf8, "£5 ’quoted’");
    EXPECT_EQ(t.used, "windows-1252");
    EXPECT_EQ(t.declared, "ISO-8859-1");
    EXPECT_TRUE(t.warning.empty());
}

TEST(Charset, Utf8BytesDeclaredAsLatin1AreKeptAsUtf8WithAWarning) {
    auto t = ok("proc\xC3\xA8s", "iso-8859-1");
    EXPECT_EQ(t.utf8, "procès");
    EXPECT_EQ(t.used, "utf-8");
    EXPECT_FALSE(t.warning.empty());
}

TEST(Charset, CyrillicWindows1251AndKoi8r) {
    EXPECT_EQ(ok("\xCC\xEE\xF1\xEA\xE2\xE0", "", "windows-1251").utf8, "Москва");
    EXPECT_EQ(ok("\xED\xCF\xD3\xCB\xD7\xC1", "koi8-r").utf8, "Москва");
}

TEST(Charset, BomIsStripped) {
    auto t = ok("\xEF\xBB\xBF<a/>", "");
    EXPECT_EQ(t.utf8, "<a/>");
}

TEST(Charset, InvalidUtf8IsRefusedWithTheOffsetOfTheBadByte) {
    auto r = decode_to_utf8(
        "abc\xFF"
        "def",
        "utf-8", "utf-8");
    ASSERT_TRUE(std::holds_alternative<adapter_error>(r));
    const auto& e = std::get<adapter_error>(r);
    EXPECT_EQ(e.code, story_errc::bad_charset);
    ASSERT_TRUE(e.offset);
    EXPECT_EQ(*e.offset, 3u);
}

TEST(Charset, OverlongAndSurrogateSequencesAreNotUtf8) {
    EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));
    EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));
    EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));
    EXPECT_TRUE(is_valid_utf8("Ж€😀"));
}

TEST(Charset, UnsupportedDeclaredCharsetIsACodedRefusal) {
    auto r = decode_to_utf8("x", "ebcdic-cp-us", "utf-8");
    ASSERT_TRUE(std::holds_alternative<adapter_error>(r));
    EXPECT_EQ(std::get<adapter_error>(r).code, story_errc::bad_charset);
}

TEST(Charset, XmlDeclarationIsRead) {
    EXPECT_EQ(xml_declared_encoding("<?xml version='1.0' encoding='utf8'?><a/>"), "utf8");
    EXPECT_EQ(xml_declared_encoding("\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"),
              "ISO-8859-1");
    EXPECT_EQ(xml_declared_encoding("<a encoding='x'/>"), "");
}

}  // namespace

namespace {
TEST(Charset, BytesASingleByteCharsetLeavesUndefinedBecomeC1ControlsAsWhatwgSays) {
    auto r = decode_to_utf8(
        "a\x81"
        "b",
        "windows-1252", "utf-8");
    ASSERT_TRUE(std::holds_alternative<decoded_text>(r));
    EXPECT_EQ(std::get<decoded_text>(r).utf8,
              "a\xC2\x81"
              "b");
}
}  // namespace

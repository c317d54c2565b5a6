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

decoded_text decoded(std::variant<decoded_text, adapter_error> r) {
    if (const auto* e = std::get_if<adapter_error>(&r)) ADD_FAILURE() << e->message;
    auto* t = std::get_if<decoded_text>(&r);
    return t ? std::move(*t) : decoded_text{};
}

TEST(Charset, StrayByteInUtf8IsReadAsWindows1252AndReportedWithItsOffset) {
    const auto t =
        decoded(decode_to_utf8("\xEF\xBB\xBF"
                               "caf\xE9 and na\xC3\xAFve",
                               "utf-8", "utf-8"));
    EXPECT_EQ(t.utf8, "caf\xC3\xA9 and na\xC3\xAFve");
    EXPECT_EQ(t.used, "utf-8");
    EXPECT_NE(t.warning.find("1 byte was not valid UTF-8 (the first at byte 6)"), std::string::npos)
        << t.warning;
}

TEST(Charset, StrayBytesAreReadInTheProfilesSingleByteCharset) {
    // 0xC4 is U+0414 in windows-1251; the valid UTF-8 sequence (U+00E9) is kept as it is.
    const auto t = decoded(decode_to_utf8("\xC4 \xC3\xA9 \xC3\xA9", "", "windows-1251"));
    EXPECT_EQ(t.utf8, "\xD0\x94 \xC3\xA9 \xC3\xA9");
    EXPECT_NE(t.warning.find("read as windows-1251"), std::string::npos) << t.warning;
}

TEST(Charset, DeclaredSingleByteWithMostlyUtf8IsReadAsUtf8WithTheStraysRepaired) {
    const auto t = decoded(decode_to_utf8("\xC3\xA9t\xC3\xA9 \xE9t\xC3\xA9", "iso-8859-1", ""));
    EXPECT_EQ(t.utf8, "\xC3\xA9t\xC3\xA9 \xC3\xA9t\xC3\xA9");
    EXPECT_EQ(t.used, "utf-8");
}

TEST(Charset, EightBitBytesDeclaredAsciiAreDecodedAndReported) {
    const auto t = decoded(decode_to_utf8("caf\xE9", "us-ascii", "windows-1252"));
    EXPECT_EQ(t.utf8, "caf\xC3\xA9");
    EXPECT_NE(t.warning.find("8-bit"), std::string::npos) << t.warning;
}

TEST(Charset, UndeclaredLatin1InAUtf8FormatIsRepairedNotRefused) {
    const auto t = decoded(decode_to_utf8("caf\xE9", "", "utf-8"));
    EXPECT_EQ(t.utf8, "caf\xC3\xA9");
    EXPECT_FALSE(t.warning.empty());
}

TEST(Charset, OverlongAndSurrogateSequencesAreNotUtf8) {
    EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));
    EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));
    EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));
    EXPECT_TRUE(is_valid_utf8("Ж€😀"));
}

TEST(Charset, UnsupportedDeclaredCharsetIsIgnoredAndTheBytesDecide) {
    const auto t = decoded(decode_to_utf8("x\xC3\xA9", "ebcdic-cp-us", "utf-8"));
    EXPECT_EQ(t.utf8, "x\xC3\xA9");
    EXPECT_EQ(t.used, "utf-8");
    EXPECT_NE(t.warning.find("'ebcdic-cp-us' is not supported"), std::string::npos) << t.warning;
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

// json_writer: escaping, and valid JSON whatever bytes a string holds (fuzz_http found an answer
// that quoted a sender's undecodable charset name byte for byte).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

#include "core/json_writer.hpp"

namespace {

using wire::adapters::json_writer;

std::string json_string(std::string_view s) {
    json_writer w;
    w.value(s);
    return w.take();
}

bool valid_json(const std::string& text) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    return parser.parse(text).get(doc) == simdjson::SUCCESS;
}

TEST(JsonWriter, EscapesQuotesBackslashesAndControls) {
    EXPECT_EQ(json_string("a\"b\\c\nd\te\rf\x01g"), "\"a\\\"b\\\\c\\nd\\te\\rf\\u0001g\"");
}

TEST(JsonWriter, KeepsValidUtf8) {
    const std::string s =
        "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x93\xB0 \xD0\x9A\xD0\xB8\xD0\xB5\xD0\xB2";
    EXPECT_EQ(json_string(s), "\"" + s + "\"");
}

TEST(JsonWriter, ReplacesInvalidUtf8WithReplacementCharacter) {
    const std::string fffd = "\xEF\xBF\xBD";
    EXPECT_EQ(json_string("caf\xE9"), "\"caf" + fffd + "\"");                  // Latin-1 byte
    EXPECT_EQ(json_string("\xC3"), "\"" + fffd + "\"");                        // cut short
    EXPECT_EQ(json_string("\xC0\xAF"), "\"" + fffd + fffd + "\"");             // overlong '/'
    EXPECT_EQ(json_string("\xED\xA0\x80"), "\"" + fffd + fffd + fffd + "\"");  // a surrogate
    EXPECT_EQ(json_string("\xF4\x90\x80\x80x"),
              "\"" + fffd + fffd + fffd + fffd + "x\"");            // > U+10FFFF
    EXPECT_EQ(json_string("\x80\xBF"), "\"" + fffd + fffd + "\"");  // stray continuation bytes
}

TEST(JsonWriter, AnyBytesMakeValidJson) {
    // What fuzz_http sent: a charset name read up to the next quote, Latin-1 bytes and all.
    json_writer w;
    w.begin_object().key("message");
    w.value("declared charset '\xE9\xE9\xE9h: 318\r\nConnection: close' is not supported");
    w.end_object();
    EXPECT_TRUE(valid_json(w.take()));
    std::string all;
    for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
    EXPECT_TRUE(valid_json(json_string(all + all.substr(128) + "\xF0\x9F")));
}

}  // namespace

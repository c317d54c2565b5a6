// ap-json cases the fixture sweep cannot reach: sniffing by key position, the feed-page item
// cap, truncated and damaged copies of a fixture, and judgment calls (ednote "killed", dateline
// capitals).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/normalize.hpp"

using namespace wire::adapters;

namespace {

normalize_result run(const std::string& raw, const std::string& format = "ap-json") {
    normalize_options o;
    o.format = format;
    o.profile = "ap";
    o.received_at = "2026-01-01T00:00:00Z";
    return normalize(raw, o);
}

const story& only_story(const normalize_result& r) {
    EXPECT_EQ(r.items.size(), 1u);
    const story* s = std::get_if<story>(&r.items.at(0));
    if (!s) ADD_FAILURE() << error_json(std::get<adapter_error>(r.items.at(0)));
    static const story empty;
    return s ? *s : empty;
}

bool has_warning(const story& s, std::string_view text) {
    for (const auto& w : s.wire.warnings)
        if (w.message.find(text) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST(ApJson, SniffLooksAtKeyPositionsNotWords) {
    EXPECT_EQ(sniff_format(R"({"api_version": "2.1", "data": {}})"), "ap-json");
    EXPECT_EQ(sniff_format(R"({"data" : {"meta": {}, "items": [)"), "ap-json");
    EXPECT_EQ(sniff_format(R"({"uri": "https://x?qt=1", "altids": {"etag": "e", "itemid": "1"}})"),
              "ap-json");
    // ninjs 2.x altids are an array; "itemid" as a role value is not an AP item
    EXPECT_EQ(sniff_format(R"({"uri": "u", "altids": [{"role": "itemid", "value": "1"}]})"),
              "ninjs");
    // the words only inside strings or one level too deep
    EXPECT_EQ(sniff_format(R"({"uri": "u", "headline": "\"api_version\": 1"})"), "ninjs");
    EXPECT_EQ(sniff_format(R"({"uri": "u", "meta": {"altids": {"itemid": "1"}}})"), "ninjs");
    EXPECT_EQ(sniff_format(R"({"uri": "u", "data": {"meta": {"item": {}}}})"), "ninjs");
    EXPECT_EQ(sniff_format(R"([{"api_version": "2.1"}])"), "");
}

TEST(ApJson, FeedPageOverTheItemCapIsCutWithAnError) {
    std::string page = R"({"api_version": "2.1", "data": {"items": [)";
    for (int i = 0; i < 1001; ++i)
        page += std::string(i ? "," : "") + R"({"meta": {}, "item": {"altids": {"itemid": "id)" +
                std::to_string(i) + R"("}, "headline": "h"}})";
    page += "]}}";
    auto r = run(page);
    ASSERT_EQ(r.items.size(), 1001u);
    EXPECT_TRUE(std::holds_alternative<story>(r.items[999]));
    const auto* e = std::get_if<adapter_error>(&r.items[1000]);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->code, story_errc::too_large);
}

TEST(ApJson, DamagedFixturesAreRefusedOrReadWithoutCrashing) {
    std::ifstream in(std::filesystem::path(WIREGATE_SOURCE_DIR) /
                     "tests/fixtures/ap-json/good/005-feed-page-three-items.json");
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string full = ss.str();
    ASSERT_GT(full.size(), 1000u);
    for (size_t n = 1; n < full.size(); n += 3) {
        auto r = run(full.substr(0, n));
        ASSERT_FALSE(r.items.empty()) << n;
    }
    // and single-byte damage anywhere, sniffed and decoded
    for (size_t n = 0; n < full.size(); n += 5)
        for (char c : std::string("{\"]\\0,")) {
            std::string bent = full;
            bent[n] = c;
            (void)sniff_format(bent);
            ASSERT_FALSE(run(bent).items.empty()) << n;
        }
}

TEST(ApJson, SuperdeskEnvelopeBodyIsRead) {
    auto r = run(R"({"api_version": "1.1", "data": {"item": {"altids": {"itemid": "abc"},
        "type": "text", "headline": "H", "renditions": {"nitf": {"href": "https://x?qt=1"}}}},
        "nitf": {"body_html": "<block id=\"Main\"><p>MOSCOW (AP) — Text here.</p></block>"}})");
    const auto& s = only_story(r);
    ASSERT_EQ(s.bodies.size(), 2u);
    EXPECT_EQ(s.bodies[1].value, "MOSCOW (AP) — Text here.");
    EXPECT_EQ(s.wire.dateline, "MOSCOW (AP)");
    EXPECT_FALSE(has_warning(s, "renditions"));
}

TEST(ApJson, DatelineNeedsACapitalisedFirstWord) {
    auto r = run(R"({"altids": {"itemid": "abc"}, "headline": "H",
        "body_html": "<p>Stoltenberg (left) — and Poroshenko.</p>"})");
    EXPECT_EQ(only_story(r).wire.dateline, "");
}

TEST(ApJson, EdnoteWordsDoNotKillOrWithholdAStory) {
    auto r = run(R"({"altids": {"itemid": "abc"}, "version": 1, "headline": "H",
        "ednote": "Eds: UPDATES: with police saying two people were killed; withheld names.",
        "body_html": "<p>x</p>"})");
    const auto& s = only_story(r);
    EXPECT_EQ(s.wire.signal, signal_kind::update);
    EXPECT_EQ(s.pubstatus, "usable");
}

TEST(ApJson, StructuredKillWinsOverAUsablePubstatus) {
    auto r = run(R"({"altids": {"itemid": "abc"}, "version": 4, "pubstatus": "usable",
        "editorialtypes": ["Disregard"], "headline": "H", "body_html": "<p>x</p>"})");
    const auto& s = only_story(r);
    EXPECT_EQ(s.wire.signal, signal_kind::kill);
    EXPECT_EQ(s.pubstatus, "canceled");
}

TEST(ApJson, OddValuesAreWarnedNotRefused) {
    auto r = run(R"({"altids": {"itemid": "abc"}, "version": -2, "type": "complexdata",
        "urgency": 42, "headline": "H", "body_html": "<p>x</p>"})");
    const auto& s = only_story(r);
    EXPECT_EQ(s.version, "");
    EXPECT_EQ(s.type, "composite");
    EXPECT_FALSE(s.urgency.has_value());
    EXPECT_EQ(s.wire.priority, "42");
    EXPECT_TRUE(has_warning(s, "version '-2'"));
    EXPECT_TRUE(has_warning(s, "urgency '42'"));

    auto t = run(R"({"altids": {"itemid": "abc"}, "type": "podcast", "headline": "H"})");
    EXPECT_EQ(only_story(t).type, "text");
    EXPECT_TRUE(has_warning(only_story(t), "type 'podcast'"));
}

TEST(ApJson, UriIsTheItemIdNotTheTokenisedUrl) {
    auto a = run(R"({"uri": "https://api.ap.org/c/abc?qt=1&et=2", "altids": {"itemid": "abc"},
        "version": 0, "headline": "H"})");
    auto b = run(R"({"uri": "https://api.ap.org/c/abc?qt=9&et=7", "altids": {"itemid": "abc"},
        "version": 3, "headline": "H"})");
    EXPECT_EQ(only_story(a).uri, "urn:wiregate:ap:abc");
    EXPECT_EQ(only_story(b).uri, only_story(a).uri);
}

TEST(ApJson, NitfBodyContentIsCutWithItsEntities) {
    auto r =
        run(R"({"altids": {"itemid": "abc"}, "headline": "H", "body_nitf":)"
            R"("<!DOCTYPE nitf SYSTEM \"nitf.dtd\"><n:nitf><n:body><n:body.head><n:hl1>Not body)"
            R"(</n:hl1></n:body.head><n:body.content><n:p>KYIV, Ukraine (AP) &mdash; One.</n:p>)"
            R"(<n:p>Two.</n:p></n:body.content></n:body></n:nitf>"})");
    const auto& s = only_story(r);
    ASSERT_EQ(s.bodies.size(), 2u);
    EXPECT_EQ(s.bodies[1].value, "KYIV, Ukraine (AP) \u2014 One.\n\nTwo.");
    EXPECT_EQ(s.wire.dateline, "KYIV, Ukraine (AP)");

    // an empty body.content is no body (the headline of body.head must not become one)
    auto e = run(R"({"altids": {"itemid": "abc"}, "type": "text", "headline": "H",
        "body_nitf": "<nitf><body><hedline><hl1>H</hl1></hedline><body.content/></body></nitf>"})");
    EXPECT_TRUE(only_story(e).bodies.empty());
    EXPECT_TRUE(has_warning(only_story(e), "no body"));
}

TEST(ApJson, WithoutItemidTheIdComesFromUriEtagOrFriendlykey) {
    auto by_uri = run(R"({"uri": "https://api.ap.org/media/v/content/0a1b2c3d4e5f6789?qt=1",
        "altids": {"etag": "0a1b2c3d4e5f6789_9z"}, "headline": "H"})");
    EXPECT_EQ(only_story(by_uri).uri, "urn:wiregate:ap:0a1b2c3d4e5f6789");
    auto by_etag = run(R"({"altids": {"etag": "0a1b2c3d4e5f6789_9z"}, "headline": "H"})");
    EXPECT_EQ(only_story(by_etag).uri, "urn:wiregate:ap:0a1b2c3d4e5f6789");
    EXPECT_TRUE(has_warning(only_story(by_etag), "etag"));
    auto by_key = run(R"({"altids": {"friendlykey": 24123}, "headline": "H"})");
    EXPECT_EQ(only_story(by_key).uri, "urn:wiregate:ap:24123");
    // no identifier at all: core derives one from the text, the same for the same bytes
    const std::string bare = R"({"headline": "Storm hits coast", "body_text": "Rain fell."})";
    auto a = run(bare), b = run(bare);
    EXPECT_FALSE(only_story(a).uri.empty());
    EXPECT_EQ(only_story(a).uri, only_story(b).uri);
}

TEST(ApJson, ListsWhereOneWasExpectedAndOneWhereAListWas) {
    auto arr = run(R"([{"altids": {"itemid": "a1"}, "headline": "A"},
        {"meta": {}, "item": {"altids": {"itemid": "b2"}, "headline": "B"}}])");
    ASSERT_EQ(arr.items.size(), 2u);
    EXPECT_EQ(std::get<story>(arr.items[1]).uri, "urn:wiregate:ap:b2");
    auto item_list = run(R"({"data": {"item": [{"altids": {"itemid": "a1"}, "headline": "A"},
        {"altids": {"itemid": "b2"}, "headline": "B"}]}})");
    EXPECT_EQ(item_list.items.size(), 2u);
    auto one_entry = run(R"({"data": {"items": {"meta": {}, "item": {"altids": {"itemid": "c3"},
        "headline": "C"}}}})");
    EXPECT_EQ(only_story(one_entry).uri, "urn:wiregate:ap:c3");
}

TEST(ApJson, ValueTypesVaryWithoutRefusal) {
    auto r = run(R"({"altids": {"itemid": "abc"}, "version": "3", "urgency": "4",
        "editorialpriority": 5, "headline": {"value": "H"}, "bylines": {"by": "By A", "title": "AP"},
        "ednote": ["Eds: one", "two"], "subject": {"code": "x1", "name": "S"},
        "keywords": "one, two", "located": {"city": "Austin", "countryareaname": "Texas"},
        "signals": "newscontent", "editorialtypes": "Correction", "audiences": 7,
        "body": ["<p>AUSTIN, Texas (AP) — One.</p>", "<p>Two.</p>"]})");
    const auto& s = only_story(r);
    EXPECT_EQ(s.version, "3");
    EXPECT_EQ(s.urgency, 4);
    EXPECT_EQ(s.wire.priority, "5");
    ASSERT_FALSE(s.headlines.empty());
    EXPECT_EQ(s.headlines[0].value, "H");
    EXPECT_EQ(s.by, "By A, AP");
    EXPECT_EQ(s.ednote, "Eds: one\ntwo");
    ASSERT_EQ(s.subjects.size(), 1u);
    EXPECT_EQ(s.wire.keywords, (std::vector<std::string>{"one", "two"}));
    EXPECT_EQ(s.located, "Austin, Texas");
    EXPECT_EQ(s.wire.signal, signal_kind::correction);
    EXPECT_EQ(s.wire.dateline, "AUSTIN, Texas (AP)");
    EXPECT_TRUE(has_warning(s, "body read from 'body'"));
    EXPECT_TRUE(has_warning(s, "ednote is a JSON array"));
}

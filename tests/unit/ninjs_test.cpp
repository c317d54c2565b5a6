// ninjs cases the fixture sweep cannot reach: sniffing, ids that must not change between runs or
// between the two JSON formats, damaged copies of a fixture, and IPTC's published samples read
// in place (skipped when ../shared/samples is absent).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/normalize.hpp"

using namespace wire::adapters;
namespace fs = std::filesystem;

namespace {

normalize_result run(const std::string& raw, const std::string& format = "ninjs") {
    normalize_options o;
    o.format = format;
    o.profile = "ap";
    o.received_at = "2026-01-01T00:00:00Z";
    return normalize(raw, o);
}

// A copy: the result is usually a temporary.
story only_story(const normalize_result& r) {
    EXPECT_EQ(r.items.size(), 1u);
    const story* s = r.items.empty() ? nullptr : std::get_if<story>(&r.items.at(0));
    if (!s && !r.items.empty()) ADD_FAILURE() << error_json(std::get<adapter_error>(r.items[0]));
    return s ? *s : story{};
}

bool has_warning(const story& s, std::string_view code, std::string_view text = "") {
    for (const auto w : s.wire.warnings)
        if (w.code == code && w.message.find(text) != std::string::npos) return true;
    return false;
}

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string plain_body(const story& s) {
    for (const auto b : s.bodies)
        if (b.contenttype == "text/plain") return b.value;
    return "";
}

std::string main_headline(const story& s) {
    return s.headlines.empty() ? "" : s.headlines.front().value;
}

const fs::path k_samples = fs::path(WIREGATE_SOURCE_DIR) / ".." / "shared" / "samples" / "ninjs";

}  // namespace

TEST(Ninjs, SniffsDocumentsWithoutAUri) {
    EXPECT_EQ(sniff_format(R"({"guid": "tag:x,2024:1", "headline": "H"})"), "ninjs");
    EXPECT_EQ(sniff_format(R"({"versionCreated": "2025-01-01T00:00:00Z"})"), "ninjs");
    EXPECT_EQ(sniff_format(R"([{"headlines": [{"value": "H"}]}])"), "ninjs");
    EXPECT_EQ(sniff_format(R"({"altids": {"etag": "abc_1"}, "headline": "H"})"), "ap-json");
    EXPECT_EQ(sniff_format(R"({"status": "ok", "results": []})"), "");
}

TEST(Ninjs, SameBytesGiveTheSameIdAndGuidIsTheId) {
    const std::string doc = R"({"guid": "urn:x:1", "headline": "H", "body_text": "B."})";
    const auto a = only_story(run(doc));
    EXPECT_EQ(a.uri, "urn:x:1");
    EXPECT_TRUE(has_warning(a, "id_derived", "guid"));
    EXPECT_EQ(only_story(run(doc)).uri, a.uri);
    // a uri wins over the guid
    EXPECT_EQ(only_story(run(R"({"uri": "urn:x:2", "guid": "urn:x:1"})")).uri, "urn:x:2");
}

TEST(Ninjs, AnApMediaUrlGivesTheSameUriAsApJson) {
    const auto n = only_story(run(
        R"({"uri": "https://api.ap.org/media/v/content/0123456789abcdef?qt=a&et=b", "headline": "H"})"));
    const auto a = only_story(
        run(R"({"altids": {"itemid": "0123456789abcdef"}, "headline": "H"})", "ap-json"));
    EXPECT_EQ(n.uri, "urn:wiregate:ap:0123456789abcdef");
    EXPECT_EQ(n.uri, a.uri);
    EXPECT_TRUE(has_warning(n, "id_derived"));
}

TEST(Ninjs, WrongTypesAreReadWithWarnings) {
    const auto s = only_story(run(R"({"uri": "urn:x", "headline": 2024, "urgency": "2",
        "version": 3, "by": {"name": "Ann"}, "located": ["Oslo", "Norway"], "pubstatus": "KILLED",
        "subjects": "medtop:11000000", "body_html": ["<p>One.</p>", "<p>Two.</p>"],
        "language": "nb_NO", "type": "article"})"));
    EXPECT_EQ(main_headline(s), "2024");
    EXPECT_EQ(s.urgency, 2);
    EXPECT_EQ(s.version, "3");
    EXPECT_EQ(s.by, "Ann");
    EXPECT_EQ(s.located, "Oslo, Norway");
    EXPECT_EQ(s.pubstatus, "canceled");
    EXPECT_EQ(s.wire.signal, signal_kind::kill);
    ASSERT_EQ(s.subjects.size(), 1u);
    EXPECT_EQ(s.subjects[0].uri, "http://cv.iptc.org/newscodes/mediatopic/11000000");
    EXPECT_EQ(plain_body(s), "One.\n\nTwo.");
    EXPECT_EQ(s.language, "nb-NO");
    EXPECT_EQ(s.type, "text");
    EXPECT_TRUE(has_warning(s, "field_repaired", "headline"));
    EXPECT_TRUE(has_warning(s, "field_repaired", "pubstatus"));
    EXPECT_TRUE(has_warning(s, "unknown_value", "type 'article'"));
}

TEST(Ninjs, AnUnusableUrgencyIsKeptAsPriority) {
    const auto s = only_story(run(R"({"uri": "urn:x", "headline": "H", "urgency": "flash"})"));
    EXPECT_FALSE(s.urgency.has_value());
    EXPECT_EQ(s.wire.priority, "flash");
    EXPECT_TRUE(has_warning(s, "urgency_unmapped"));
}

TEST(Ninjs, JunkIsSkippedACutDocumentClosedAndABrokenOneRefused) {
    const auto s = only_story(run("data: {\"uri\": \"urn:x\", \"headline\": \"H\"}\n]]junk"));
    EXPECT_EQ(main_headline(s), "H");
    EXPECT_TRUE(has_warning(s, "junk_skipped", "before"));
    EXPECT_TRUE(has_warning(s, "junk_skipped", "after"));

    const auto cut = only_story(run(R"({"uri": "urn:x", "headline": "H", "body_text": "cut he)"));
    EXPECT_EQ(plain_body(cut), "cut he");
    EXPECT_TRUE(has_warning(cut, "unterminated"));
    // cut inside a key or a number: back to the last complete value
    const auto key = only_story(run(R"({"uri": "urn:x", "headline": "H", "urgency": 3, "bo)"));
    EXPECT_EQ(key.urgency, 3);
    const auto num = only_story(run(R"({"uri": "urn:x", "headline": "H", "urgency": 3)"));
    EXPECT_EQ(main_headline(num), "H");
    EXPECT_FALSE(num.urgency.has_value());

    auto broken = run(R"({"uri": "urn:x", "headline": "H", "body_text": })");
    ASSERT_EQ(broken.items.size(), 1u);
    ASSERT_TRUE(std::holds_alternative<adapter_error>(broken.items[0]));
    EXPECT_EQ(std::get<adapter_error>(broken.items[0]).code, story_errc::malformed);
}

TEST(Ninjs, DamagedFixturesNeverCrash) {
    const std::string full =
        read(fs::path(WIREGATE_SOURCE_DIR) / "tests/fixtures/ninjs/good/001-text-2x.json");
    ASSERT_GT(full.size(), 500u);
    for (size_t n = 1; n < full.size(); n += 3) ASSERT_FALSE(run(full.substr(0, n)).items.empty());
    for (size_t n = 0; n < full.size(); n += 5)
        for (char c : std::string("{\"]\\0,[}")) {
            std::string bent = full;
            bent[n] = c;
            (void)sniff_format(bent);
            ASSERT_FALSE(run(bent).items.empty()) << n;
        }
}

TEST(Ninjs, PublishedSamplesGiveTheirFields) {
    if (!fs::exists(k_samples)) GTEST_SKIP() << "no " << k_samples;
    {
        const auto s = only_story(run(read(k_samples / "iptc-1.4-ninjsExComplex1.json")));
        EXPECT_EQ(main_headline(s), "Captain of wrecked cruise ship on trial in Italy");
        EXPECT_EQ(s.by, "Paulo Santalucia and Frances d'Emilio");
        EXPECT_EQ(s.located, "Grossetto, Italy");
        EXPECT_TRUE(plain_body(s).starts_with("GROSSETO, Italy (AP) --"));
        EXPECT_NE(plain_body(s).find("\n\nThe sole defendant"), std::string::npos);  // xhtml
        EXPECT_EQ(s.people.size(), 1u);
        EXPECT_EQ(s.places.size(), 3u);
        EXPECT_EQ(s.organisations.size(), 1u);
        EXPECT_EQ(s.type, "composite");
    }
    {
        const auto s = only_story(run(read(k_samples / "iptc-2.1-dpa_text.json")));
        EXPECT_EQ(main_headline(s), "Faktencheck Derby-Elfmeter: Hat Schiedsrichter Zwayer recht?");
        EXPECT_EQ(s.by, "Von Christian Hollmann, dpa");
        EXPECT_TRUE(plain_body(s).starts_with("Für Lucien Favre war es"));
        EXPECT_EQ(s.urgency, 4);
        EXPECT_EQ(s.versioncreated, "2019-05-10T14:02:28Z");
    }
    {
        const auto s = only_story(run(read(k_samples / "iptc-2.1-ntb_text.json")));
        EXPECT_EQ(main_headline(s), "Google har kjøpt giganttomt i Skien");
        EXPECT_EQ(s.by, "NTB");
        EXPECT_EQ(s.subjects.size(), 4u);
        EXPECT_EQ(s.places.size(), 1u);
        EXPECT_EQ(s.urgency, 5);
        EXPECT_TRUE(plain_body(s).starts_with("IT-giganten Google"));  // the description
        EXPECT_TRUE(has_warning(s, "no_body"));
    }
    {
        const auto s = only_story(run(read(k_samples / "iptc-2.1-tt_text_image_2.json")));
        EXPECT_EQ(main_headline(s), "Militärövning i jätteformat hålls 2023");
        EXPECT_EQ(s.genres.size(), 1u);
        EXPECT_EQ(s.places.size(), 3u);
        EXPECT_EQ(s.urgency, 3);
        EXPECT_NE(plain_body(s).find("Pandemin satte stopp"), std::string::npos);
    }
    {
        const auto s = only_story(run(read(k_samples / "iptc-2.1-ap_image.json")));
        EXPECT_EQ(s.uri, "urn:wiregate:ap:b2b6c3f4642f46deac7509d4db315ca0");
        EXPECT_EQ(main_headline(s), "Turkey Islamic State");
        EXPECT_EQ(s.type, "picture");
        EXPECT_EQ(s.subjects.size(), 3u);
        EXPECT_EQ(s.urgency, 5);
    }
    for (const char* f : {"iptc-1.0-embargoed.json", "iptc-1.0-pubstatus_canceled.json"}) {
        const auto s = only_story(run(read(k_samples / f)));
        EXPECT_FALSE(s.uri.empty()) << f;
    }
}

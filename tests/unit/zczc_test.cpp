// ZCZC checks the fixture sweep cannot make: the size limit, NNNN that is not alone on its line,
// and truncation robustness.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/normalize.hpp"

namespace fs = std::filesystem;
using namespace wire::adapters;

namespace {

normalize_options zczc_options() {
    normalize_options opts;
    opts.format = "zczc";
    opts.received_at = "2026-01-01T00:00:00Z";
    return opts;
}

TEST(zczc, TooLargeInputIsRefusedWithTooLarge) {
    std::string rec = "ZCZC IFX1 3 POL\nHeadline\n\nMOSCOW, July 10 (Interfax) - Text.\nNNNN\n";
    auto opts = zczc_options();
    opts.max_bytes = rec.size() - 1;
    auto r = normalize(rec, opts);
    ASSERT_EQ(r.items.size(), 1u);
    ASSERT_TRUE(std::holds_alternative<adapter_error>(r.items[0]));
    EXPECT_EQ(std::get<adapter_error>(r.items[0]).code, story_errc::too_large);
    opts.max_bytes = rec.size();
    r = normalize(rec, opts);
    ASSERT_EQ(r.items.size(), 1u);
    EXPECT_TRUE(std::holds_alternative<story>(r.items[0]));
}

TEST(zczc, NnnnInsideALineDoesNotEndTheRecord) {
    std::string rec =
        "ZCZC IFX1 3 POL\nHeadline\n\nThe code NNNN is not alone here.\nNNNN is not either.\n"
        "Last line.\nNNNN\n";
    auto r = normalize(rec, zczc_options());
    ASSERT_EQ(r.items.size(), 1u);
    const auto& s = std::get<story>(r.items[0]);
    EXPECT_NE(s.bodies[1].value.find("Last line."), std::string::npos);
    for (const auto& w : s.wire.warnings)
        EXPECT_EQ(w.message.find("NNNN"), std::string::npos) << w.message;
}

TEST(zczc, TabularCopyKeepsItsLinesAndColumns) {
    std::string rec = "ZCZC AAP\n$S\n:Results\n*T\nRESULTS\nTeam A   2\nTeam B   1\nNNNN\n";
    auto r = normalize(rec, zczc_options());
    ASSERT_EQ(r.items.size(), 1u);
    const auto& s = std::get<story>(r.items[0]);
    EXPECT_EQ(s.headlines.at(0).value, "RESULTS");
    EXPECT_EQ(s.bodies.at(0).value, "<pre>Team A   2\nTeam B   1</pre>");
    EXPECT_EQ(s.bodies.at(1).value, "Team A   2\nTeam B   1");
    EXPECT_EQ(s.wire.category, "S");
    EXPECT_EQ(s.slugline, "Results");
}

// AAP sigil lines come in any order, with lines missing; the fields do not depend on it.
TEST(zczc, SigilLinesInEveryOrder) {
    std::vector<std::string> sigils = {
        "$F", ":NATO-Australia", "=2", "^Canberra backs NATO call", "+11000000", "#SYD"};
    std::sort(sigils.begin(), sigils.end());
    int runs = 0;
    do {
        std::string rec = "ZCZC AAP\n";
        for (const auto& l : sigils) rec += l + "\n";
        rec += "\nSYDNEY, July 10 AAP - Australia backed the call.\nNNNN\n";
        auto r = normalize(rec, zczc_options());
        ASSERT_EQ(r.items.size(), 1u);
        const auto& s = std::get<story>(r.items[0]);
        SCOPED_TRACE(rec);
        EXPECT_EQ(s.wire.category, "F");
        EXPECT_EQ(s.slugline, "NATO-Australia");
        EXPECT_EQ(s.wire.take_key, "2");
        EXPECT_EQ(s.headlines.at(0).value, "Canberra backs NATO call");
        ASSERT_EQ(s.subjects.size(), 1u);
        EXPECT_EQ(s.subjects[0].uri, "http://cv.iptc.org/newscodes/subjectcode/11000000");
        EXPECT_EQ(s.bodies.at(1).value, "SYDNEY, July 10 AAP - Australia backed the call.");
        EXPECT_EQ(s.uri, "urn:wiregate:generic:aap:nato-australia");
        ++runs;
    } while (std::next_permutation(sigils.begin(), sigils.end()) && runs < 120);
    EXPECT_EQ(runs, 120);
}

// A sigil line whose value cannot be its field is text ("$5 million …" is no category).
TEST(zczc, SigilValuesThatDoNotFitAreText) {
    std::string rec = "ZCZC AAP\n$F\n$5 million raised for the appeal\n\nMore text.\nNNNN\n";
    auto r = normalize(rec, zczc_options());
    const auto& s = std::get<story>(r.items.at(0));
    EXPECT_EQ(s.wire.category, "F");
    EXPECT_EQ(s.headlines.at(0).value, "$5 million raised for the appeal");
    EXPECT_EQ(s.bodies.at(1).value, "More text.");
}

// Deterministic byte mutations of good fixtures: every answer is a story or a coded refusal.
TEST(zczc, MutatedInputIsAnsweredWithoutCrashing) {
    auto good = fs::path(WIREGATE_SOURCE_DIR) / "tests/fixtures/zczc/good";
    static constexpr char k_bytes[] = {'\n', '\r', ' ', '#', '(', ')', '-', ':', 'N', 'Z', '\x01'};
    std::uint32_t seed = 1515;
    for (const auto& f : fs::directory_iterator(good)) {
        if (f.path().extension() != ".txt") continue;
        std::ifstream in(f.path(), std::ios::binary);
        std::ostringstream ss;
        ss << in.rdbuf();
        std::string raw = ss.str();
        for (int round = 0; round < 200; ++round) {
            std::string m = raw;
            for (int k = 0; k < 4; ++k) {
                seed = seed * 1664525u + 1013904223u;
                m[seed % m.size()] = k_bytes[(seed >> 16) % sizeof k_bytes];
            }
            auto opts = zczc_options();
            opts.charset = "windows-1251";
            EXPECT_FALSE(normalize(m, opts).items.empty());
        }
    }
}

TEST(zczc, EveryTruncationIsAnsweredWithoutCrashing) {
    auto good = fs::path(WIREGATE_SOURCE_DIR) / "tests/fixtures/zczc/good";
    for (const char* name : {"006-multi-record.txt", "007-missing-nnnn.txt"}) {
        std::ifstream in(good / name, std::ios::binary);
        std::ostringstream ss;
        ss << in.rdbuf();
        std::string raw = ss.str();
        ASSERT_FALSE(raw.empty()) << name;
        for (size_t n = 0; n <= raw.size(); ++n)
            EXPECT_FALSE(
                normalize(std::string_view(raw).substr(0, n), zczc_options()).items.empty())
                << name << " cut at " << n;
    }
}

// Whose sigils: a '^' line makes them AAP's (':' slug) in any order; without one, a '%MNET'
// routing line makes ':' the headline (Medianet), a first '#' line makes '#' the slug and ':'
// the headline (Pagemasters).
TEST(zczc, SigilSetsOfAapSenders) {
    auto one = [](const std::string& header) {
        auto r =
            normalize("ZCZC AAP\n" + header + "\nThe text of the item.\nNNNN\n", zczc_options());
        EXPECT_EQ(r.items.size(), 1u);
        return std::get<story>(r.items.at(0));
    };
    for (const char* h : {"%MNETALL MFI\n:Water Board\n*X", ":\n:Water Board\n%MNET MFI",
                          "$J\n%MNETALL\n:Water Board"}) {
        SCOPED_TRACE(h);
        auto s = one(h);
        EXPECT_EQ(s.headlines.at(0).value, "Water Board");
        EXPECT_EQ(s.slugline, "");
    }
    for (const char* h :
         {"%MNETALL\n:Water-Board\n^Dam levels rise", "^Dam levels rise\n#SYD\n:Water-Board"}) {
        SCOPED_TRACE(h);
        auto s = one(h);
        EXPECT_EQ(s.headlines.at(0).value, "Dam levels rise");
        EXPECT_EQ(s.slugline, "Water-Board");
    }
    for (const char* h :
         {"#Bendigo Trot\n:NSW TAB DIVS 5-8\n@Divs", "#Bendigo Trot\n@Divs\n:NSW TAB DIVS 5-8"}) {
        SCOPED_TRACE(h);
        auto s = one(h);
        EXPECT_EQ(s.headlines.at(0).value, "NSW TAB DIVS 5-8");
        EXPECT_EQ(s.slugline, "Bendigo Trot");
        EXPECT_EQ(s.wire.take_key, "Divs");
    }
}

}  // namespace

// IPTC 7901 checks the fixture sweep cannot make: the size limit, the public dpa samples (read in
// place from ../shared/samples, never copied; skipped when absent), the same samples with every
// control character stripped (dpa archive form), and truncation robustness.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/normalize.hpp"

namespace fs = std::filesystem;
using namespace wire::adapters;

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

fs::path samples_dir() {
    for (const char* rel : {"/../shared/samples/iptc7901", "/../../shared/samples/iptc7901"})
        if (fs::is_directory(std::string(WIREGATE_SOURCE_DIR) + rel))
            return std::string(WIREGATE_SOURCE_DIR) + rel;
    return {};
}

std::vector<story> stories_of(std::string_view raw, normalize_options opts = {}) {
    opts.format = opts.format == "auto" ? "iptc7901" : opts.format;
    opts.received_at = "2026-01-01T00:00:00Z";
    std::vector<story> out;
    for (auto& item : normalize(raw, opts).items) {
        if (auto* e = std::get_if<adapter_error>(&item)) {
            ADD_FAILURE() << error_json(*e);
            continue;
        }
        out.push_back(std::get<story>(item));
    }
    return out;
}

// dpa archive form: no SOH/STX/ETX/EOT/DEL/BEL, LF line ends.
std::string strip_controls(std::string_view raw) {
    std::string out;
    for (char c : raw)
        if (c == '\n' || c == '\t' || (static_cast<unsigned char>(c) >= 0x20 && c != 0x7F))
            out += c;
    return out;
}

const story* find_by_sequence(const std::vector<story>& v, std::string_view headline_start) {
    for (const auto& s : v)
        if (!s.headlines.empty() && s.headlines[0].value.rfind(headline_start, 0) == 0) return &s;
    return nullptr;
}

TEST(iptc7901, TooLargeInputIsRefusedWithTooLarge) {
    std::string msg =
        "\x01"
        "ifx0001 3 pol 1\r\n\x02"
        "Headline =\r\n\r\nText.\r\n\x03"
        "101405 GMT Jul 17\r\n\x04";
    normalize_options opts;
    opts.format = "iptc7901";
    opts.max_bytes = msg.size() - 1;
    auto r = normalize(msg, opts);
    ASSERT_EQ(r.items.size(), 1u);
    ASSERT_TRUE(std::holds_alternative<adapter_error>(r.items[0]));
    EXPECT_EQ(std::get<adapter_error>(r.items[0]).code, story_errc::too_large);
    opts.max_bytes = msg.size();
    EXPECT_EQ(stories_of(msg, opts).size(), 1u);
}

TEST(iptc7901, PublicDpaSamplesNormalise) {
    auto dir = samples_dir();
    if (dir.empty()) GTEST_SKIP() << "../shared/samples/iptc7901 is not here";
    std::string all;
    size_t files = 0;
    for (const auto& f : fs::directory_iterator(dir)) {
        auto raw = slurp(f.path());
        all += raw;
        ++files;
        SCOPED_TRACE(f.path().string());
        EXPECT_EQ(sniff_format(raw), "iptc7901");
        auto v = stories_of(raw);
        ASSERT_EQ(v.size(), 1u);
        const auto& s = v[0];
        EXPECT_FALSE(s.headlines.empty());
        EXPECT_FALSE(s.bodies.empty());
        // The uri is derived (7901 has no id): that is the only warning.
        ASSERT_EQ(s.wire.warnings.size(), 1u) << s.wire.warnings[1].message;
        EXPECT_EQ(s.wire.warnings[0].code, "id_derived");
        EXPECT_EQ(s.headlines[0].value.find('\a'), std::string::npos);
        // The same story with every control character stripped is the same story.
        auto stripped = stories_of(strip_controls(raw));
        ASSERT_EQ(stripped.size(), 1u);
        EXPECT_EQ(stripped[0].uri, s.uri);
        EXPECT_EQ(stripped[0].versioncreated, s.versioncreated);
        EXPECT_EQ(stripped[0].headlines[0].value, s.headlines[0].value);
        EXPECT_EQ(stripped[0].wire.signal, s.wire.signal);
        EXPECT_EQ(stripped[0].bodies[1].value, s.bodies[1].value);
        // Header fields, and no header or keyword line in the body.
        EXPECT_EQ(s.wire.priority.size(), 1u);
        EXPECT_FALSE(s.wire.category.empty());
        EXPECT_FALSE(s.wire.keywords.empty());
        EXPECT_EQ(s.bodies[1].value.find(s.wire.sequence), std::string::npos);
        EXPECT_EQ(s.bodies[1].value.find(s.wire.keywords[0] + "/"), std::string::npos);
        // Without the header line (headerless copy): the same headline, body and keywords.
        auto text = strip_controls(raw);
        auto headerless = stories_of(text.substr(text.find('\n') + 1));
        ASSERT_EQ(headerless.size(), 1u);
        EXPECT_EQ(headerless[0].headlines[0].value, s.headlines[0].value);
        EXPECT_EQ(headerless[0].bodies[1].value, s.bodies[1].value);
        EXPECT_EQ(headerless[0].wire.keywords, s.wire.keywords);
        EXPECT_EQ(headerless[0].versioncreated, s.versioncreated);
        EXPECT_EQ(headerless[0].wire.warnings.at(0).code, "layout_guessed");
    }
    // All samples in one stream: one story each, with or without control characters.
    auto v = stories_of(all);
    EXPECT_EQ(v.size(), files);
    EXPECT_EQ(stories_of(strip_controls(all)).size(), files);
    if (auto* eil = find_by_sequence(v, "Grünen-Spitze")) {  // dpa-eil.iptc: five BELs
        EXPECT_EQ(eil->urgency, 2);
        EXPECT_EQ(eil->located, "Berlin");
        EXPECT_EQ(eil->wire.signal, signal_kind::new_story);
        EXPECT_NE(eil->ednote.find("dpa abc yydd n1 sku"), std::string::npos);
    }
    if (auto* tvo = find_by_sequence(v, "dpa-Tagesvorschau")) {  // correction only in the text
        EXPECT_EQ(tvo->wire.signal, signal_kind::correction);
        EXPECT_EQ(tvo->pubstatus, "usable");
    }
    if (auto* tab = find_by_sequence(v, "Ergebnisse und Tabelle")) {
        EXPECT_NE(tab->bodies[0].value.find("<table><tr><td>Freitag, 04.10.2024:</td></tr>"),
                  std::string::npos);
        EXPECT_EQ(tab->versioncreated, "2024-10-06T21:30:00Z");  // "062130 Okt 24"
    }
    if (auto* dw = find_by_sequence(v, "«Mythos")) {
        EXPECT_EQ(dw->by, "Von Marco Krefting und Sunrita Sen, dpa");
        EXPECT_EQ(dw->located, "Waghäusel");
        EXPECT_EQ(dw->wire.signal, signal_kind::correction);
        // the notepad is not body text
        EXPECT_EQ(dw->bodies[1].value.find("Notizblock"), std::string::npos);
    }
}

TEST(iptc7901, TeleprinterLineEndsReadLikeCrLf) {
    std::string crlf =
        "\x01ifx0001 3 pol 9\r\n\r\nNATO/\r\n\x02URGENT: NATO chief in Kyiv =\r\n\r\n"
        "KYIV, July 10 (Interfax) - Jens Stoltenberg\r\narrived in Kyiv.\r\n\r\nSecond.\r\n"
        "\x03"
        "101405 MSK Jul 17\r\n\x04";
    std::string crcrlf, lf;
    for (char c : crlf) {
        if (c == '\n') crcrlf += '\r';
        crcrlf += c;
        if (c != '\r') lf += c;
    }
    for (const auto& raw : {crlf, crcrlf, lf}) {
        auto v = stories_of(raw);
        ASSERT_EQ(v.size(), 1u);
        EXPECT_EQ(v[0].headlines.at(0).value, "NATO chief in Kyiv");
        EXPECT_EQ(v[0].urgency, 2);  // "URGENT:" raises priority 3
        EXPECT_EQ(v[0].located, "KYIV");
        EXPECT_EQ(v[0].versioncreated, "2017-07-10T11:05:00Z");
        EXPECT_EQ(v[0].bodies.at(1).value,
                  "KYIV, July 10 (Interfax) - Jens Stoltenberg arrived in Kyiv.\n\nSecond.");
    }
}

TEST(iptc7901, SubjectCodesInTheKeywordLineBecomeSubjects) {
    std::string raw =
        "\x01ifx0002 3 pol 9\r\n\r\nNATO/11000000/Ukraine/\r\n\x02NATO chief in Kyiv =\r\n\r\n"
        "KYIV, July 10 (Interfax) - Jens Stoltenberg arrived in Kyiv.\r\n\x03"
        "101405 MSK Jul 17\r\n\x04";
    auto v = stories_of(raw);
    ASSERT_EQ(v.size(), 1u);
    ASSERT_EQ(v[0].subjects.size(), 1u);
    EXPECT_EQ(v[0].subjects[0].uri, "http://cv.iptc.org/newscodes/subjectcode/11000000");
    EXPECT_EQ(v[0].wire.keywords, (std::vector<std::string>{"NATO", "Ukraine"}));
}

TEST(iptc7901, HeaderlessCopyIsReadWithAWarning) {
    std::string raw =
        "Nato/Ukraine/\nNato-Chef in Kiew =\n\nKiew (dpa) - Stoltenberg hat "
        "Russland aufgefordert, Truppen abzuziehen.\n\n101405 Jul 17\n";
    auto v = stories_of(raw);
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].headlines.at(0).value, "Nato-Chef in Kiew");
    EXPECT_EQ(v[0].slugline, "Nato/Ukraine");
    EXPECT_EQ(v[0].versioncreated, "2017-07-10T14:05:00Z");
    EXPECT_EQ(v[0].bodies.at(1).value.find("Nato/"), std::string::npos);
    ASSERT_FALSE(v[0].wire.warnings.empty());
    EXPECT_EQ(v[0].wire.warnings[0].code, "layout_guessed");
}

// Deterministic byte mutations of good fixtures: every answer is a story or a coded refusal.
TEST(iptc7901, MutatedInputIsAnsweredWithoutCrashing) {
    auto good = fs::path(WIREGATE_SOURCE_DIR) / "tests/fixtures/iptc7901/good";
    static constexpr char k_bytes[] = {'\x01', '\x02', '\x03', '\x04', '\x07', '\n', '\r',
                                       ' ',    '=',    '(',    ')',    '/',    '-',  'Z'};
    std::uint32_t seed = 7901;
    for (const auto& f : fs::directory_iterator(good)) {
        if (f.path().extension() != ".iptc") continue;
        auto raw = slurp(f.path());
        for (int round = 0; round < 200; ++round) {
            std::string m = raw;
            for (int k = 0; k < 4; ++k) {
                seed = seed * 1664525u + 1013904223u;
                m[seed % m.size()] = k_bytes[(seed >> 16) % sizeof k_bytes];
            }
            normalize_options opts;
            opts.format = "iptc7901";
            opts.charset = "windows-1252";
            EXPECT_FALSE(normalize(m, opts).items.empty());
        }
    }
}

TEST(iptc7901, EveryTruncationIsAnsweredWithoutCrashing) {
    auto good = fs::path(WIREGATE_SOURCE_DIR) / "tests/fixtures/iptc7901/good";
    for (const char* name : {"008-interfax-two-messages.iptc", "011-dpa-refile-urgent-table.iptc",
                             "009-dpa-stripped-controls.iptc"}) {
        auto raw = slurp(good / name);
        ASSERT_FALSE(raw.empty()) << name;
        normalize_options opts;
        opts.format = "iptc7901";
        opts.charset = "windows-1251";
        for (size_t n = 0; n <= raw.size(); ++n) {
            auto r = normalize(std::string_view(raw).substr(0, n), opts);
            EXPECT_FALSE(r.items.empty()) << name << " cut at " << n;
        }
    }
}

}  // namespace

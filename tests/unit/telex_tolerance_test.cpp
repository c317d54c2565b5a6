// The teleprinter formats read damaged copy: every good ZCZC, IPTC 7901 and ANPA-1312 fixture
// with its line ends swapped (CR, LF, CR LF, LF CR, mixed), line noise inserted (NUL, DEL, SUB),
// a header line dropped or its tail cut off still gives at least one story whenever readable
// text is left, and every story has a body. Deterministic: a fixed seed.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>

#include "core/normalize.hpp"
#include "fixture_files.hpp"
#include "telex_common.hpp"

using namespace wire::adapters;
using namespace wire::adapters::testing_support;

namespace {

// `raw` with each line end replaced by one of `ends`; framing bytes stay.
std::string with_line_ends(std::string_view raw, const std::vector<std::string>& ends,
                           std::mt19937& rng) {
    std::string out;
    for (size_t i = 0; i < raw.size();) {
        if (size_t e = telex::line_end(raw, i)) {
            out += ends[rng() % ends.size()];
            i += e;
        } else {
            out += raw[i++];
        }
    }
    return out;
}

// The variants of `raw` to try, each with a name for the failure message.
std::vector<std::pair<std::string, std::string>> variants(const std::string& raw,
                                                          std::mt19937& rng) {
    std::vector<std::pair<std::string, std::string>> out;
    for (std::string end : {"\r", "\n", "\r\n", "\n\r", "\r\r\n"})
        out.push_back({"line ends", with_line_ends(raw, {end}, rng)});
    out.push_back({"mixed line ends", with_line_ends(raw, {"\r", "\n", "\r\n", "\n\r"}, rng)});
    for (int k = 0; k < 3; ++k) {
        std::string m = raw;
        for (int i = 0; i < 6; ++i) m.insert(rng() % (m.size() + 1), 1, "\0\x7F\x1A"[rng() % 3]);
        out.push_back({"line noise", m});
    }
    // Drop one of the first six lines (header lines, framing, headline).
    auto ls = telex::any_lines(raw);
    for (size_t k = 0; k < ls.size() && k < 6; ++k) {
        size_t from = ls[k].offset, to = k + 1 < ls.size() ? ls[k + 1].offset : raw.size();
        out.push_back(
            {"line " + std::to_string(k + 1) + " dropped", raw.substr(0, from) + raw.substr(to)});
    }
    for (int k = 0; k < 4; ++k) {
        size_t n = raw.size() / 2 + rng() % (raw.size() / 2 + 1);
        out.push_back({"cut at " + std::to_string(n), raw.substr(0, n)});
    }
    return out;
}

// Readable text in the copy that is not header or framing: a line with three words.
bool readable(const std::string& m) {
    auto lines = telex::line_texts(m);
    std::vector<std::string> text;
    for (const auto& l : lines)
        if (!l.empty() && l[0] != '\x01' && l.find('#') == std::string::npos) text.push_back(l);
    return telex::has_prose(text);
}

TEST(TelexTolerance, DamagedFixturesStillGiveStoriesWithBodies) {
    std::mt19937 rng(1312);
    for (std::string format : {"zczc", "iptc7901", "anpa1312"}) {
        for (const auto& f : fs::directory_iterator(k_fixtures / format / "good")) {
            if (!is_input(f.path())) continue;
            auto raw = read_file(f.path());
            auto opts = options_for(f.path(), format).opts;
            for (const auto& [name, m] : variants(raw, rng)) {
                SCOPED_TRACE(f.path().filename().string() + ": " + name);
                auto r = normalize(m, opts);
                ASSERT_FALSE(r.items.empty());
                size_t stories = 0;
                for (const auto& item : r.items) {
                    const auto* s = std::get_if<story>(&item);
                    if (!s) continue;
                    ++stories;
                    ASSERT_EQ(s->bodies.size(), 2u) << s->uri;
                    EXPECT_FALSE(s->bodies[1].value.empty()) << s->uri;
                    EXPECT_FALSE(s->headlines.empty()) << s->uri;
                }
                if (name.starts_with("line ends") || name.starts_with("mixed") ||
                    name == "line noise" || readable(m))
                    EXPECT_GT(stories, 0u) << "refused although text is left";
            }
        }
    }
}

}  // namespace

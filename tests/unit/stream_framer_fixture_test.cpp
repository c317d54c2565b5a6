// stream_framer against the adapters: every good anpa1312/iptc7901/zczc fixture, fed whole, byte
// by byte and in random chunks (fixed seed), comes out as frames that normalize() reads as one
// story each, as many stories in all as the whole file gives.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <memory>
#include <random>

#include "fixture_files.hpp"
#include "stream_framer_support.hpp"

namespace fs = std::filesystem;
using namespace framer_test;

namespace {

const fs::path k_fixtures = fs::path(WIREGATE_SOURCE_DIR) / "tests" / "fixtures";

std::vector<fs::path> good_inputs(const std::string& format) {
    std::vector<fs::path> out;
    for (const auto& f : fs::directory_iterator(k_fixtures / format / "good")) {
        auto name = f.path().filename().string();
        if (name.find(".expected.json") == std::string::npos &&
            name.find(".options.json") == std::string::npos)
            out.push_back(f.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

bool only_tail_padding(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) {
        return c == '\r' || c == '\n' || c == '\f' || c == '\x7F' || c == '\x04' || c == ' ';
    });
}

void check_fixtures(const std::string& format, const std::function<chunker()>& make_chunker) {
    framing f{};
    ASSERT_TRUE(parse_framing(format, f));
    auto inputs = good_inputs(format);
    ASSERT_FALSE(inputs.empty());
    for (const auto& input : inputs) {
        SCOPED_TRACE(input.string());
        auto raw = read_file(input);
        const auto options = wire::adapters::testing_support::options_for(input, format);
        if (!options.stream) continue;
        const auto& opts = options.opts;
        auto got = run(f, raw, make_chunker());
        if (f == framing::iptc7901 && raw.find('\x01') == std::string::npos) {
            // Control-stripped dpa copy has no SOH: nothing to frame on; documented.
            EXPECT_TRUE(got.frames.empty());
            EXPECT_GT(got.counters.garbage_bytes, 0u);
            continue;
        }
        ASSERT_FALSE(got.frames.empty());
        std::size_t total = 0;
        for (const auto& frame : got.frames) {
            std::string errors;
            auto items = wire::adapters::normalize(frame, opts).items;
            std::size_t n = stories(frame, opts, &errors);
            EXPECT_EQ(items.size(), 1u) << "one message per frame";
            EXPECT_EQ(n, items.size()) << errors;
            total += n;
        }
        EXPECT_EQ(total, stories(raw, opts, nullptr));
        EXPECT_EQ(got.counters.frames, got.frames.size());
        EXPECT_EQ(got.counters.partial_frames, 0u);
        EXPECT_EQ(got.counters.oversize_frames, 0u);
        // The cut only decides whether already-received padding and EOT go with a frame.
        auto ref = whole(f, raw);
        ASSERT_EQ(ref.frames.size(), got.frames.size());
        for (std::size_t k = 0; k < ref.frames.size(); ++k) {
            ASSERT_TRUE(ref.frames[k].starts_with(got.frames[k])) << "frame " << k;
            EXPECT_TRUE(
                only_tail_padding(std::string_view(ref.frames[k]).substr(got.frames[k].size())));
        }
    }
}

const std::vector<std::string> k_formats = {"anpa1312", "iptc7901", "zczc"};

TEST(StreamFramer, GoodFixturesInOnePiece) {
    for (const auto& fmt : k_formats)
        check_fixtures(fmt, [] { return [] { return std::size_t{1} << 30; }; });
}

TEST(StreamFramer, GoodFixturesByteByByte) {
    for (const auto& fmt : k_formats)
        check_fixtures(fmt, [] { return [] { return std::size_t{1}; }; });
}

TEST(StreamFramer, GoodFixturesInRandomChunks) {
    auto rng = std::make_shared<std::mt19937>(20240611u);
    for (const auto& fmt : k_formats)
        check_fixtures(fmt, [rng] {
            return [rng] { return std::uniform_int_distribution<std::size_t>(1, 97)(*rng); };
        });
}

}  // namespace

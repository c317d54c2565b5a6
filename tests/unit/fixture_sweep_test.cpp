// The adapter conformance sweep: every file under tests/fixtures/<format>/{good,bad}/ is run
// through normalize(). A new format or fixture needs no test code.
//
//   good/NNN-what.<ext>            input
//   good/NNN-what.expected.json    a JSON array, one partial envelope per story item: every key
//                                  given must match (objects recursively; arrays element-wise
//                                  and of equal length); keys left out are not checked
//   bad/NNN-<code>-what.<ext>      must be refused with story_errc <code> (e.g. missing_required)
//   NNN-what.options.json          optional: {"profile","charset","agency","feed","format"};
//                                  "stream": false keeps a telex input out of the stream framer
//                                  tests (cut off, or without the framing a stream is cut on)
//
// Inputs are read with --format <folder>; each is also sniffed and must come out as <folder>
// unless its options say "sniff": false.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/normalize.hpp"
#include "core/registry.hpp"
#include "fixture_files.hpp"

namespace fs = std::filesystem;
using namespace wire::adapters;
using namespace wire::adapters::testing_support;

namespace {

// Every key of `want` must be in `got` with an equal value; returns the path of the first mismatch.
std::string subset_mismatch(simdjson::dom::element want, simdjson::dom::element got,
                            const std::string& path) {
    using simdjson::dom::element_type;
    if (want.type() != got.type()) {
        // integers may come back as another integer type
        bool numbers = (want.is_int64() || want.is_uint64()) && (got.is_int64() || got.is_uint64());
        if (!numbers) return path + " (type differs: got " + simdjson::to_string(got) + ")";
    }
    switch (want.type()) {
        case element_type::OBJECT: {
            simdjson::dom::object obj;
            if (want.get(obj) != simdjson::SUCCESS) return path + " (bad object)";
            for (auto [k, v] : obj) {
                simdjson::dom::element g;
                if (got[k].get(g) != simdjson::SUCCESS)
                    return path + "/" + std::string(k) + " (missing)";
                auto m = subset_mismatch(v, g, path + "/" + std::string(k));
                if (!m.empty()) return m;
            }
            return "";
        }
        case element_type::ARRAY: {
            simdjson::dom::array wa, ga;
            if (want.get(wa) != simdjson::SUCCESS || got.get(ga) != simdjson::SUCCESS)
                return path + " (bad array)";
            if (wa.size() != ga.size())
                return path + " (length " + std::to_string(ga.size()) + ", expected " +
                       std::to_string(wa.size()) + ")";
            for (size_t i = 0; i < wa.size(); ++i) {
                simdjson::dom::element we, ge;
                if (wa.at(i).get(we) != simdjson::SUCCESS || ga.at(i).get(ge) != simdjson::SUCCESS)
                    return path + " (bad element)";
                auto m = subset_mismatch(we, ge, path + "/" + std::to_string(i));
                if (!m.empty()) return m;
            }
            return "";
        }
        default:
            if (simdjson::to_string(want) != simdjson::to_string(got))
                return path + " (got " + simdjson::to_string(got) + ", expected " +
                       simdjson::to_string(want) + ")";
            return "";
    }
}

struct fixture {
    std::string format;
    fs::path input;
    bool good;
};

std::vector<fixture> all_fixtures() {
    std::vector<fixture> out;
    if (!fs::exists(k_fixtures)) return out;
    for (const auto& dir : fs::directory_iterator(k_fixtures)) {
        if (!dir.is_directory()) continue;
        for (const char* kind : {"good", "bad"}) {
            auto sub = dir.path() / kind;
            if (!fs::exists(sub)) continue;
            for (const auto& f : fs::directory_iterator(sub))
                if (is_input(f.path()))
                    out.push_back({dir.path().filename().string(), f.path(), kind[0] == 'g'});
        }
    }
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.input < b.input; });
    return out;
}

// gtest prints the parameter of a failing test: the path says it all.
void PrintTo(const fixture& f, std::ostream* os) { *os << f.input.string(); }

class FixtureSweep : public ::testing::TestWithParam<fixture> {};

TEST_P(FixtureSweep, NormalisesAsExpected) {
    const auto& fx = GetParam();
    const auto raw = read_file(fx.input);
    const auto fo = options_for(fx.input, fx.format);
    if (fo.sniff) {
        EXPECT_EQ(sniff_format(raw), fx.format) << "auto-sniffing picked another format";
    }
    const auto result = normalize(raw, fo.opts);

    if (!fx.good) {
        auto stem = fx.input.filename().string();
        auto dash = stem.find('-');
        ASSERT_NE(dash, std::string::npos) << "bad fixture name must be NNN-<code>-what";
        auto code = stem.substr(dash + 1, stem.find_first_of("-.", dash + 1) - dash - 1);
        bool refused = false;
        for (const auto& item : result.items)
            if (const auto* e = std::get_if<adapter_error>(&item)) {
                refused = true;
                EXPECT_EQ(to_string(e->code), code) << e->message;
                EXPECT_FALSE(e->message.empty());
            }
        EXPECT_TRUE(refused) << "a bad fixture was accepted";
        return;
    }

    std::string actual = "[";
    for (const auto& item : result.items) {
        if (const auto* e = std::get_if<adapter_error>(&item)) {
            FAIL() << "refused: " << error_json(*e);
        }
        if (actual.size() > 1) actual += ',';
        actual += envelope_json(std::get<story>(item));
    }
    actual += "]";
    simdjson::dom::parser p1, p2;
    simdjson::dom::element got, want;
    ASSERT_EQ(p1.parse(actual).get(got), simdjson::SUCCESS) << "envelope is not valid JSON";
    auto expected_path = sibling(fx.input, ".expected.json");
    ASSERT_TRUE(fs::exists(expected_path)) << "missing " << expected_path << "; actual:\n"
                                           << actual;
    auto expected = read_file(expected_path);
    ASSERT_EQ(p2.parse(expected).get(want), simdjson::SUCCESS) << expected_path;
    auto mismatch = subset_mismatch(want, got, "");
    EXPECT_EQ(mismatch, "") << "actual:\n" << actual;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FixtureSweep, ::testing::ValuesIn(all_fixtures()),
                         [](const ::testing::TestParamInfo<fixture>& p) {
                             std::string name = p.param.format + "_" +
                                                (p.param.good ? "good_" : "bad_") +
                                                p.param.input.stem().string();
                             for (auto& c : name)
                                 if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                             return name;
                         });

// Guard for one-file registration: every adapter has fixtures, every fixture folder an adapter.
TEST(FixtureSweep, EveryRegisteredFormatHasFixturesAndViceVersa) {
    std::set<std::string> registered, folders;
    for (const auto& a : registered_adapters()) registered.insert(a.id);
    for (const auto& d : fs::directory_iterator(k_fixtures))
        if (d.is_directory()) folders.insert(d.path().filename().string());
    EXPECT_EQ(registered, folders);
}

}  // namespace

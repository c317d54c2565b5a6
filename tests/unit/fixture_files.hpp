#pragma once
// Reading tests/fixtures: which files are inputs, their options, their siblings.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/normalize.hpp"

namespace wire::adapters::testing_support {

namespace fs = std::filesystem;

inline const fs::path k_fixtures = fs::path(WIREGATE_SOURCE_DIR) / "tests" / "fixtures";

inline std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline bool is_input(const fs::path& p) {
    auto name = p.filename().string();
    return fs::is_regular_file(p) && name.find(".expected.json") == std::string::npos &&
           name.find(".options.json") == std::string::npos && name != "README.md" && name[0] != '.';
}

inline fs::path sibling(const fs::path& input, const std::string& suffix) {
    auto stem = input.filename().string();
    stem = stem.substr(0, stem.find('.'));
    return input.parent_path() / (stem + suffix);
}

struct fixture_options {
    normalize_options opts;
    bool sniff = true;
    bool stream = true;  // false: cut or unframed copy a stream framer cannot carry
};

inline fixture_options options_for(const fs::path& input, const std::string& format) {
    fixture_options f;
    f.opts.format = format;
    f.opts.received_at = "2026-01-01T00:00:00Z";
    f.opts.gateway_instance = "test";
    f.opts.gateway_version = "test";
    auto path = sibling(input, ".options.json");
    if (!fs::exists(path)) return f;
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    auto text = read_file(path);
    EXPECT_EQ(parser.parse(text).get(doc), simdjson::SUCCESS) << path;
    std::string_view v;
    if (doc["profile"].get(v) == simdjson::SUCCESS) f.opts.profile = v;
    if (doc["charset"].get(v) == simdjson::SUCCESS) f.opts.charset = v;
    if (doc["agency"].get(v) == simdjson::SUCCESS) f.opts.agency = v;
    if (doc["feed"].get(v) == simdjson::SUCCESS) f.opts.feed = v;
    if (doc["format"].get(v) == simdjson::SUCCESS) f.opts.format = v;
    bool b;
    if (doc["sniff"].get(b) == simdjson::SUCCESS) f.sniff = b;
    if (doc["stream"].get(b) == simdjson::SUCCESS) f.stream = b;
    return f;
}

}  // namespace wire::adapters::testing_support

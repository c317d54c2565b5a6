#pragma once
// Helpers for the ConfigLoader tests: a valid config built from replaceable sections, a
// scratch directory, and problem lookups with readable failure output.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace config_test {

namespace fs = std::filesystem;
using wire::config::config_problem;
using wire::config::load_result;

/// A small valid config. Tests replace one section to make one mistake.
struct sections {
    std::string gateway;
    std::string listeners = "listeners:\n  http: [{name: ingest, port: 8080}]\n";
    std::string feeds =
        "feeds:\n"
        "  - id: ap\n"
        "    agency: ap\n"
        "    format: ap-json\n"
        "    profile: ap\n"
        "    auth: {api_keys: [{value: k1}]}\n";
    std::string routing =
        "routing:\n"
        "  topics: [desk.world, desk.general, wire.rejected]\n"
        "  default_topics: [desk.general]\n";
    std::string kafka = "kafka:\n  brokers: 127.0.0.1:19092\n";
    std::string extra;

    std::string text() const { return gateway + listeners + feeds + routing + kafka + extra; }
};

/// A directory of its own under the system temp dir, removed at the end of the test.
class scratch_dir {
  public:
    scratch_dir() {
        std::string tmpl = (fs::temp_directory_path() / "wiregate-config-XXXXXX").string();
        if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
    }
    ~scratch_dir() {
        std::error_code ec;
        if (!path_.empty()) fs::remove_all(path_, ec);
    }
    const fs::path& path() const { return path_; }
    fs::path write(const std::string& name, const std::string& content) const {
        auto p = path_ / name;
        fs::create_directories(p.parent_path());
        std::ofstream(p, std::ios::binary) << content;
        return p;
    }

  private:
    fs::path path_;
};

inline std::string describe(const std::vector<config_problem>& problems) {
    std::string out;
    for (const auto& p : problems) out += "\n  " + p.path + ": " + p.message;
    return out.empty() ? "\n  (no problems)" : out;
}

inline load_result load(const std::string& yaml, const std::string& base_dir = ".") {
    return wire::config::load_config_text(yaml, base_dir);
}

/// True when a problem sits at `path` and its message contains `text`.
inline bool has(const load_result& r, const std::string& path, const std::string& text = "") {
    for (const auto& p : r.problems)
        if (p.path == path && p.message.find(text) != std::string::npos) return true;
    return false;
}

}  // namespace config_test

/// Asserts a problem at PATH whose message contains TEXT, printing every problem otherwise.
#define EXPECT_PROBLEM(result, path, text)                                   \
    EXPECT_TRUE(config_test::has((result), (path), (text)))                  \
        << "expected a problem at '" << (path) << "' containing '" << (text) \
        << "'; got:" << config_test::describe((result).problems)

#define EXPECT_LOADS(result) \
    ASSERT_TRUE((result).config.has_value()) << config_test::describe((result).problems)

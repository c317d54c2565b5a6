#pragma once
// What every fault scenario shares: its scratch folder and the final count against Kafka.
// Declaration order in a test is teardown order in reverse: load, then gateway, then cluster,
// then the folder (and a tmpfs mounted in it), whether the test passed or an ASSERT ended it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <string>

#include "fault_tally.hpp"
#include "gateway_process.hpp"
#include "kafka_cluster.hpp"
#include "story_load.hpp"

namespace wire::faults {

/// /tmp/wiregate-faults-<scenario>-<pid>: the gateway's config, log and spool. Removed after a
/// passing test; kept (and named on stdout) after a failing one, for its gateway.log.
class scratch_dir {
  public:
    explicit scratch_dir(const std::string& scenario)
        : path_(std::filesystem::temp_directory_path() /
                ("wiregate-faults-" + scenario + "-" + std::to_string(getpid()))) {
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~scratch_dir() {
        std::error_code ec;
        if (::testing::Test::HasFailure())
            std::cout << "fault scenario files kept in " << path_.string() << std::endl;
        else
            std::filesystem::remove_all(path_, ec);
    }
    scratch_dir(const scratch_dir&) = delete;
    scratch_dir& operator=(const scratch_dir&) = delete;
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

/// The assertions every scenario ends with: nothing accepted is missing, nothing is doubled.
inline void expect_exactly_once(const kafka_tally& t) {
    EXPECT_EQ(t.missing, 0u) << "accepted stories missing from Kafka; " << t.describe();
    EXPECT_EQ(t.duplicates, 0u) << "stories in Kafka more than once; " << t.describe();
}

}  // namespace wire::faults

// The broker is down, so accepted stories pile up in the spool until its disk (a 4 MiB tmpfs)
// is full; from then on the gateway must refuse with 503 + Retry-After rather than accept what
// it cannot keep. After the broker returns, every story accepted along the way is in Kafka once.
#include <sys/mount.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>

#include "fault_scenario.hpp"

namespace wire::faults {
namespace {
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;
namespace fs = std::filesystem;

constexpr std::uint64_t k_tmpfs_bytes = 4u << 20;

/// A tmpfs mounted for the test and unmounted by the destructor, also after a failed ASSERT.
class tmpfs_mount {
  public:
    explicit tmpfs_mount(const fs::path& dir) : dir_(dir) {
        fs::create_directories(dir_);
        const std::string opts = "size=" + std::to_string(k_tmpfs_bytes) + ",mode=0700";
        if (::mount("tmpfs", dir_.c_str(), "tmpfs", 0, opts.c_str()) == 0)
            mounted_ = true;
        else
            error_ =
                "mount -t tmpfs -o " + opts + " " + dir_.string() + ": " + std::strerror(errno);
    }
    ~tmpfs_mount() {
        // Lazy: a process still holding a file there (a gateway that would not die) cannot
        // keep the mount alive past the test.
        if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
    }
    tmpfs_mount(const tmpfs_mount&) = delete;
    tmpfs_mount& operator=(const tmpfs_mount&) = delete;
    bool mounted() const { return mounted_; }
    const std::string& error() const { return error_; }
    std::uint64_t used_bytes() const {
        struct statvfs s {};
        if (::statvfs(dir_.c_str(), &s) != 0) return 0;
        return static_cast<std::uint64_t>(s.f_blocks - s.f_bfree) * s.f_frsize;
    }

  private:
    fs::path dir_;
    bool mounted_ = false;
    std::string error_;
};

std::vector<std::string> joined(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

TEST(Faults, SpoolDiskFillsUp) {
    const std::string scenario = "SpoolDiskFillsUp";
    const std::string topic = "faults.spool-full";
    scratch_dir dir(scenario);
    tmpfs_mount spool(dir.path() / "spool");
    if (!spool.mounted()) GTEST_SKIP() << "needs a tmpfs (root): " << spool.error();
    kafka_cluster kafka(1, k_single_node_port_base);
    ASSERT_EQ(kafka_admin(kafka.bootstrap()).create_topic(topic, 3, 1, 1), "");
    gateway_process gw(dir.path(), {scenario, kafka.bootstrap(), topic, 1, dir.path() / "spool"});
    ASSERT_NO_THROW(gw.start());

    // Before the fault the pipeline works end to end.
    story_load before({scenario, gw.ingest_port(), 0, 20, 4});
    before.start();
    before.wait();
    ASSERT_EQ(before.accepted(), before.total()) << before.summary();

    kafka.kill_node(1);
    // ~32 KiB stories, one attempt each; a sender stops at its first 503. The count only caps
    // a gateway that would accept forever (5000 x 32 KiB is far beyond the 4 MiB disk).
    load_options fill_opts{scenario, gw.ingest_port(), 20, 5000, 8};
    fill_opts.retry = false;
    fill_opts.pad_bytes = 32u << 10;
    fill_opts.deadline = 240s;
    story_load fill(fill_opts);
    fill.start();
    fill.wait();
    const std::uint64_t used = spool.used_bytes();
    EXPECT_GT(fill.answers(503), 0u) << "answers never turned 503: " << fill.summary();
    EXPECT_EQ(fill.throttles_without_retry_after(), 0u) << "a 503/429 without Retry-After";
    EXPECT_TRUE(fill.accepted() > 0 && used >= k_tmpfs_bytes / 2)
        << "with the broker down, " << fill.accepted() << " stories were accepted and the spool "
        << "disk holds " << used << " of " << k_tmpfs_bytes << " bytes when answers turned 503"
        << (spool_enabled() ? "" : " (this gateway runs without a spool: spool_section() is off)")
        << "; " << fill.summary();

    const auto restarted = steady::now();
    kafka.start_node(1);
    // After the broker is back, pushing works again (retried until accepted).
    load_options after_opts{scenario, gw.ingest_port(), 20 + 5000, 20, 4};
    after_opts.deadline = 120s;  // the spool must drain and make room within it
    story_load after(after_opts);
    after.start();
    after.wait();
    EXPECT_EQ(after.accepted(), after.total()) << "no recovery: " << after.summary();

    const auto sent = joined(joined(before.sent_uris(), fill.sent_uris()), after.sent_uris());
    const auto accepted =
        joined(joined(before.accepted_uris(), fill.accepted_uris()), after.accepted_uris());
    auto t = count_in_kafka(kafka.bootstrap(), topic, sent, accepted);
    // recovery_ms: from `start-node` of the broker to the first "published" answer after it.
    fault_report(scenario, t, ms_between(restarted, after.first_published_after(restarted)),
                 "spool_used_bytes=" + std::to_string(used) + " while_down=[" + fill.summary() +
                     "] after_restart=[" + after.summary() + "]");
    expect_exactly_once(t);
}

}  // namespace
}  // namespace wire::faults

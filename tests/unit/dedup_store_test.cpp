// The dedup window: claims and releases, the window and the count bound, newest versions, what
// survives a reopen (including damaged logs), compaction, keys, and concurrent claims. Clocks are
// passed explicitly; file tests work in their own directory under the system temp dir.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "dedup/dedup_store.hpp"

namespace {

namespace fs = std::filesystem;
using namespace wire::dedup;

constexpr std::int64_t k_t0 = 1'700'000'000'000;  // a fixed "now", unix ms
constexpr std::int64_t k_hour = 3600 * 1000;

key key_of(int i) {
    return make_key("agency\x1furi-" + std::to_string(i) +
                    "\x1f"
                    "1");
}

class DedupStoreFile : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::temp_directory_path() /
               ("wiregate_dedup_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        path_ = (dir_ / "dedup.log").string();
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::unique_ptr<dedup_store> open_store(std::size_t max_entries = 1000,
                                            std::int64_t now = k_t0) {
        dedup_options o;
        o.path = path_;
        o.max_entries = max_entries;
        o.window_ms = 72 * k_hour;
        o.now_ms = now;
        std::string error;
        auto s = dedup_store::open(o, error);
        EXPECT_TRUE(s) << error;
        return s;
    }
    void append_bytes(const std::string& bytes) {
        std::ofstream(path_, std::ios::binary | std::ios::app) << bytes;
    }

    fs::path dir_;
    std::string path_;
};

std::unique_ptr<dedup_store> memory_store(std::size_t max_entries = 1000,
                                          std::int64_t window_ms = 72 * k_hour) {
    dedup_options o;
    o.max_entries = max_entries;
    o.window_ms = window_ms;
    std::string error;
    auto s = dedup_store::open(o, error);
    EXPECT_TRUE(s) << error;
    return s;
}

TEST(DedupStore, SecondClaimIsNotFirstAndReturnsTheFirstAux) {
    auto s = memory_store();
    auto first = s->claim(key_of(1), "body-hash-a", k_t0);
    EXPECT_TRUE(first.first);
    EXPECT_EQ(first.aux, "");
    auto second = s->claim(key_of(1), "body-hash-b", k_t0 + 1);
    EXPECT_FALSE(second.first);
    EXPECT_EQ(second.aux, "body-hash-a");
    EXPECT_TRUE(s->claim(key_of(2), "", k_t0).first);
    EXPECT_EQ(s->size(), 2u);
}

TEST(DedupStore, AuxIsCutTo64Bytes) {
    auto s = memory_store();
    s->claim(key_of(1), std::string(100, 'x'), k_t0);
    EXPECT_EQ(s->claim(key_of(1), "", k_t0).aux, std::string(64, 'x'));
}

TEST(DedupStore, ReleaseMakesTheKeyClaimableAgain) {
    auto s = memory_store();
    ASSERT_TRUE(s->claim(key_of(1), "a", k_t0).first);
    s->release(key_of(1));
    EXPECT_FALSE(s->contains(key_of(1), k_t0));
    EXPECT_TRUE(s->claim(key_of(1), "b", k_t0).first);
    EXPECT_EQ(s->claim(key_of(1), "", k_t0).aux, "b");
    s->release(key_of(99));  // never claimed: ignored
    EXPECT_EQ(s->size(), 1u);
}

TEST(DedupStore, ClaimsOlderThanTheWindowAreForgotten) {
    auto s = memory_store(1000, 10'000);
    ASSERT_TRUE(s->claim(key_of(1), "a", k_t0).first);
    ASSERT_TRUE(s->claim(key_of(2), "b", k_t0 + 5'000).first);
    EXPECT_TRUE(s->contains(key_of(1), k_t0 + 9'999));
    EXPECT_FALSE(s->contains(key_of(1), k_t0 + 10'000));
    EXPECT_TRUE(s->claim(key_of(1), "c", k_t0 + 10'000).first);
    EXPECT_FALSE(s->claim(key_of(2), "", k_t0 + 10'000).first);  // still inside
    EXPECT_EQ(s->size(), 2u);
    s->claim(key_of(3), "", k_t0 + 30'000);  // everything before is out of the window now
    EXPECT_EQ(s->size(), 1u);
}

TEST(DedupStore, MaxEntriesEvictsTheOldestClaim) {
    auto s = memory_store(3);
    for (int i = 1; i <= 4; ++i) ASSERT_TRUE(s->claim(key_of(i), "", k_t0 + i).first);
    EXPECT_EQ(s->size(), 3u);
    EXPECT_FALSE(s->contains(key_of(1), k_t0 + 5));
    for (int i = 2; i <= 4; ++i) EXPECT_TRUE(s->contains(key_of(i), k_t0 + 5));
}

TEST(DedupStore, ReclaimAfterReleaseCountsAsNewestForEviction) {
    auto s = memory_store(2);
    s->claim(key_of(1), "", k_t0);
    s->claim(key_of(2), "", k_t0 + 1);
    s->release(key_of(1));
    s->claim(key_of(1), "", k_t0 + 2);  // now newer than 2
    s->claim(key_of(3), "", k_t0 + 3);  // evicts 2, the oldest live claim
    EXPECT_TRUE(s->contains(key_of(1), k_t0 + 3));
    EXPECT_FALSE(s->contains(key_of(2), k_t0 + 3));
    EXPECT_TRUE(s->contains(key_of(3), k_t0 + 3));
}

TEST(DedupStore, NoteVersionReturnsThePreviousNewestAndKeepsTheMax) {
    auto s = memory_store();
    const auto story = make_key("agency\x1furi");
    EXPECT_EQ(s->note_version(story, 5, k_t0), std::nullopt);
    EXPECT_EQ(s->note_version(story, 3, k_t0 + 1), 5);  // older than the newest: flagged
    EXPECT_EQ(s->note_version(story, 7, k_t0 + 2), 5);
    EXPECT_EQ(s->note_version(story, 6, k_t0 + 3), 7);
    EXPECT_EQ(s->note_version(make_key("other"), 1, k_t0), std::nullopt);
    EXPECT_EQ(s->stats().versions, 2u);
}

TEST(DedupStore, VersionsAreBoundedByMaxEntriesAndTheWindow) {
    auto s = memory_store(2, 10'000);
    for (int i = 1; i <= 3; ++i) s->note_version(key_of(i), 1, k_t0 + i);
    EXPECT_EQ(s->stats().versions, 2u);
    EXPECT_EQ(s->note_version(key_of(1), 2, k_t0 + 4), std::nullopt);  // 1 was evicted
    EXPECT_EQ(s->note_version(key_of(3), 2, k_t0 + 5), 1);
    EXPECT_EQ(s->note_version(key_of(3), 3, k_t0 + 20'000), std::nullopt);  // window passed
}

TEST(DedupStore, OpenRefusesInvalidOptions) {
    std::string error;
    dedup_options o;
    o.max_entries = 0;
    EXPECT_FALSE(dedup_store::open(o, error));
    EXPECT_FALSE(error.empty());
    o.max_entries = 10;
    o.window_ms = 0;
    error.clear();
    EXPECT_FALSE(dedup_store::open(o, error));
    EXPECT_FALSE(error.empty());
}

TEST_F(DedupStoreFile, OpenFailsWhenTheDirectoryIsMissing) {
    dedup_options o;
    o.path = (dir_ / "missing" / "dedup.log").string();
    std::string error;
    EXPECT_FALSE(dedup_store::open(o, error));
    EXPECT_NE(error.find("missing"), std::string::npos) << error;
}

TEST_F(DedupStoreFile, ClaimsSurviveReopen) {
    {
        auto s = open_store();
        ASSERT_TRUE(s->claim(key_of(1), "hash-1", k_t0).first);
        ASSERT_TRUE(s->claim(key_of(2), "", k_t0 + 1).first);
        EXPECT_EQ(s->stats().log_records, 2u);
    }
    auto s = open_store();
    EXPECT_EQ(s->loaded(), 2u);
    EXPECT_EQ(s->stats().dropped_tail_bytes, 0u);
    auto again = s->claim(key_of(1), "other", k_t0 + 2);
    EXPECT_FALSE(again.first);
    EXPECT_EQ(again.aux, "hash-1");
    EXPECT_FALSE(s->claim(key_of(2), "", k_t0 + 2).first);
    EXPECT_TRUE(s->claim(key_of(3), "", k_t0 + 2).first);
}

// No destructor, no sync(): what write(2) handed to the kernel is all there is.
TEST_F(DedupStoreFile, ClaimsSurviveKillOfTheProcess) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        auto s = open_store();
        s->claim(key_of(1), "kept", k_t0);
        ::kill(::getpid(), SIGKILL);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    auto s = open_store();
    EXPECT_EQ(s->claim(key_of(1), "", k_t0 + 1).aux, "kept");
}

TEST_F(DedupStoreFile, ReleaseSurvivesReopen) {
    {
        auto s = open_store();
        s->claim(key_of(1), "", k_t0);
        s->claim(key_of(2), "", k_t0);
        s->release(key_of(1));
    }
    auto s = open_store();
    EXPECT_EQ(s->loaded(), 1u);
    EXPECT_TRUE(s->claim(key_of(1), "", k_t0 + 1).first);
    EXPECT_FALSE(s->claim(key_of(2), "", k_t0 + 1).first);
}

TEST_F(DedupStoreFile, ClaimsOlderThanTheWindowAreForgottenAfterReopen) {
    {
        auto s = open_store();
        s->claim(key_of(1), "", k_t0);
        s->claim(key_of(2), "", k_t0 + 10 * k_hour);
    }
    auto s = open_store(1000, k_t0 + 72 * k_hour);  // key 1 is exactly one window old
    EXPECT_EQ(s->loaded(), 1u);
    EXPECT_FALSE(s->contains(key_of(1), k_t0 + 72 * k_hour));
    EXPECT_TRUE(s->contains(key_of(2), k_t0 + 72 * k_hour));
}

TEST_F(DedupStoreFile, NewestVersionSurvivesReopen) {
    const auto story = make_key("agency\x1furi");
    {
        auto s = open_store();
        s->note_version(story, 4, k_t0);
        s->note_version(story, 2, k_t0 + 1);
    }
    auto s = open_store();
    EXPECT_EQ(s->stats().versions, 1u);
    EXPECT_EQ(s->note_version(story, 3, k_t0 + 2), 4);
}

TEST_F(DedupStoreFile, TornTailIsCutAndWhatWasValidKept) {
    {
        auto s = open_store();
        for (int i = 1; i <= 3; ++i) s->claim(key_of(i), "aux", k_t0);
    }
    const auto valid = fs::file_size(path_);
    append_bytes(std::string("\x01\x02\x03\x04\x05", 5));  // a claim cut short by a crash
    {
        auto s = open_store();
        EXPECT_EQ(s->loaded(), 3u);
        EXPECT_EQ(s->stats().dropped_tail_bytes, 5u);
        EXPECT_EQ(fs::file_size(path_), valid);
        EXPECT_TRUE(s->claim(key_of(4), "", k_t0).first);  // lands after the valid records
    }
    auto s = open_store();
    EXPECT_EQ(s->loaded(), 4u);
    EXPECT_EQ(s->stats().dropped_tail_bytes, 0u);
}

TEST_F(DedupStoreFile, CorruptRecordStopsReplayThere) {
    {
        auto s = open_store();
        for (int i = 1; i <= 3; ++i) s->claim(key_of(i), "", k_t0);
    }
    const auto record = fs::file_size(path_) / 3;
    {
        std::fstream f(path_, std::ios::binary | std::ios::in | std::ios::out);
        f.seekp(static_cast<std::streamoff>(record + 5));  // inside the second record's key
        f.put('\xff');
    }
    auto s = open_store();
    EXPECT_EQ(s->loaded(), 1u);
    EXPECT_EQ(s->stats().dropped_tail_bytes, 2 * record);
    EXPECT_TRUE(s->contains(key_of(1), k_t0));
    EXPECT_FALSE(s->contains(key_of(3), k_t0));
}

TEST_F(DedupStoreFile, GarbageFileOpensEmpty) {
    append_bytes("this is not a dedup log\n");
    {
        auto s = open_store();
        EXPECT_EQ(s->loaded(), 0u);
        EXPECT_TRUE(s->claim(key_of(1), "", k_t0).first);
    }
    auto s = open_store();
    EXPECT_EQ(s->loaded(), 1u);
}

TEST_F(DedupStoreFile, EveryPrefixOfALogOpensWithItsWholeRecords) {
    {
        auto s = open_store();
        for (int i = 0; i < 4; ++i) s->claim(key_of(i), std::string(std::size_t(i) * 7, 'a'), k_t0);
    }
    std::ifstream in(path_, std::ios::binary);
    const std::string log(std::istreambuf_iterator<char>(in), {});
    std::vector<std::size_t> ends;  // where each record ends: 30 + aux bytes apiece
    for (std::size_t i = 0, end = 0; i < 4; ++i) ends.push_back(end += 30 + i * 7);
    ASSERT_EQ(log.size(), ends.back());
    for (std::size_t n = 0; n <= log.size(); ++n) {
        std::ofstream(path_, std::ios::binary | std::ios::trunc) << log.substr(0, n);
        auto s = open_store();
        ASSERT_TRUE(s);
        const auto whole =
            std::size_t(std::upper_bound(ends.begin(), ends.end(), n) - ends.begin());
        EXPECT_EQ(s->loaded(), whole) << n;
        EXPECT_EQ(fs::file_size(path_), whole == 0 ? 0 : ends[whole - 1]) << n;
    }
}

TEST_F(DedupStoreFile, OversizedAuxLengthIsTreatedAsCorrupt) {
    std::string rec(1, '\x01');
    rec += std::string(24, '\0');
    rec += '\xff';  // aux length 255 > 64
    rec += std::string(300, 'a');
    append_bytes(rec);
    auto s = open_store();
    EXPECT_EQ(s->loaded(), 0u);
    EXPECT_EQ(fs::file_size(path_), 0u);
}

TEST_F(DedupStoreFile, CompactionKeepsLiveEntriesAndShrinksTheFile) {
    const auto story = make_key("agency\x1furi");
    {
        auto s = open_store(10);
        for (int i = 0; i < 100; ++i) s->claim(key_of(i), "aux-" + std::to_string(i), k_t0 + i);
        s->note_version(story, 9, k_t0 + 100);
        EXPECT_LE(s->stats().log_records, 2u * 10 + 1);  // never much over 2 x max_entries
        EXPECT_EQ(s->stats().write_errors, 0u);
    }
    EXPECT_LT(fs::file_size(path_), 30u * 30);  // 100 claims of 37 bytes without compaction
    EXPECT_FALSE(fs::exists(path_ + ".tmp"));
    auto s = open_store(10);
    EXPECT_EQ(s->loaded(), 10u);
    for (int i = 90; i < 100; ++i) {
        auto r = s->claim(key_of(i), "", k_t0 + 300);
        EXPECT_FALSE(r.first) << i;
        EXPECT_EQ(r.aux, "aux-" + std::to_string(i));
    }
    EXPECT_FALSE(s->contains(key_of(89), k_t0 + 300));
    EXPECT_EQ(s->note_version(story, 1, k_t0 + 300), 9);
}

TEST_F(DedupStoreFile, OpenCompactsAMostlyDeadLog) {
    {
        auto s = open_store();
        for (int i = 0; i < 50; ++i) s->claim(key_of(i), "", k_t0);
        for (int i = 0; i < 45; ++i) s->release(key_of(i));
    }
    const auto before = fs::file_size(path_);
    append_bytes("x");  // a stale compaction file is removed too
    std::ofstream(path_ + ".tmp") << "half-written";
    auto s = open_store();
    EXPECT_EQ(s->loaded(), 5u);
    EXPECT_EQ(s->stats().log_records, 5u);
    EXPECT_LT(fs::file_size(path_), before / 5);
    EXPECT_FALSE(fs::exists(path_ + ".tmp"));
    for (int i = 45; i < 50; ++i) EXPECT_TRUE(s->contains(key_of(i), k_t0));
}

TEST(DedupStore, MakeKeyIsSha256PrefixAndHexRoundTrips) {
    const auto k = make_key("abc");
    EXPECT_EQ(to_hex(k), "ba7816bf8f01cfea414140de5dae2223");
    EXPECT_EQ(from_hex(to_hex(k)), k);
    EXPECT_EQ(from_hex("BA7816BF8F01CFEA414140DE5DAE2223"), k);
    EXPECT_NE(make_key("agency\x1furi\x1f"
                       "1"),
              make_key("agency\x1furi\x1f"
                       "2"));
}

TEST(DedupStore, FromHexRejectsBadInput) {
    EXPECT_EQ(from_hex(""), std::nullopt);
    EXPECT_EQ(from_hex("ba7816bf8f01cfea414140de5dae222"), std::nullopt);    // 31
    EXPECT_EQ(from_hex("ba7816bf8f01cfea414140de5dae22233"), std::nullopt);  // 33
    EXPECT_EQ(from_hex("ba7816bf8f01cfea414140de5dae222g"), std::nullopt);
    EXPECT_EQ(from_hex("ba7816bf8f01cfea414140de5dae222 "), std::nullopt);
    EXPECT_EQ(from_hex("0x7816bf8f01cfea414140de5dae2223"), std::nullopt);
}

TEST_F(DedupStoreFile, ConcurrentClaimsOfOneKeyHaveExactlyOneFirst) {
    constexpr int k_threads = 4, k_keys = 200;
    auto s = open_store(100000);
    std::vector<std::atomic<int>> firsts(k_keys);
    std::atomic<int> ready{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < k_threads; ++t)
        threads.emplace_back([&] {
            ++ready;
            while (ready.load() < k_threads) std::this_thread::yield();
            for (int i = 0; i < k_keys; ++i)
                if (s->claim(key_of(i), "", k_t0).first) ++firsts[i];
        });
    for (auto& t : threads) t.join();
    for (int i = 0; i < k_keys; ++i) EXPECT_EQ(firsts[i].load(), 1) << i;
    EXPECT_EQ(s->size(), std::size_t(k_keys));
    EXPECT_EQ(s->stats().log_records, std::uint64_t(k_keys));
}

}  // namespace

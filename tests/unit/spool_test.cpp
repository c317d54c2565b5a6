// The durable spool: what comes back after a restart (pending, acks, seqs, times), the size cap,
// reclaiming segments, recovery from torn and corrupt files, fsync policies, concurrency and
// write errors. Every test works in its own directory under the system temp dir.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "spool/segment.hpp"
#include "spool/spool.hpp"

namespace {

namespace fs = std::filesystem;
using namespace wire::spool;

struct appended {
    append_status status = append_status::io_error;
    std::uint64_t seq = 0;
    std::string error;
};

appended append_wait(spool& s, std::string payload, std::int64_t not_before_ms = 0) {
    std::promise<appended> p;
    auto f = p.get_future();
    s.append(std::move(payload), not_before_ms,
             [&p](append_status st, std::uint64_t seq, const std::string& e) {
                 p.set_value({st, seq, e});
             });
    return f.get();
}

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void write_file(const fs::path& p, const std::string& bytes) {
    std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class spool_dir : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto* t = ::testing::UnitTest::GetInstance()->current_test_info();
        std::string name = std::string(t->test_suite_name()) + "-" + t->name();
        for (auto& c : name)
            if (c == '/') c = '_';  // parameterised names
        dir_ = fs::temp_directory_path() /
               ("wiregate-spool-" + std::to_string(::getpid()) + "-" + name);
        fs::remove_all(dir_);
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    spool_options options() const {
        spool_options o;
        o.dir = dir_.string();
        o.fsync = fsync_policy::never;  // durability is not what most tests look at
        return o;
    }
    std::unique_ptr<spool> open(recovery_report& r, const spool_options& o) {
        std::string error;
        auto s = spool::open(o, r, error);
        EXPECT_TRUE(s) << error;
        return s;
    }
    std::unique_ptr<spool> open(const spool_options& o) {
        recovery_report r;
        return open(r, o);
    }
    std::vector<std::string> segment_files() const {
        std::vector<std::string> out;
        for (const auto& e : fs::directory_iterator(dir_))
            if (e.path().extension() == ".wgs") out.push_back(e.path().filename().string());
        std::sort(out.begin(), out.end());
        return out;
    }
    std::uint64_t segment_bytes_on_disk() const {
        std::uint64_t n = 0;
        for (const auto& f : segment_files()) n += fs::file_size(dir_ / f);
        return n;
    }

    fs::path dir_;
};

class SpoolReopen : public spool_dir {};
class SpoolLimits : public spool_dir {};
class SpoolReclaim : public spool_dir {};
class SpoolRecovery : public spool_dir {};
class SpoolConcurrency : public spool_dir {};
class SpoolIoError : public spool_dir {};

TEST_F(SpoolReopen, PendingRecordsComeBackInOrderWithPayloads) {
    const std::vector<std::string> payloads = {"first", "", std::string("bin\0ary\xff", 8),
                                               std::string(5000, 'x'), "last"};
    {
        auto s = open(options());
        for (const auto& p : payloads) EXPECT_EQ(append_wait(*s, p).status, append_status::ok);
    }
    write_file(dir_ / "dedup.log", "not a segment");  // other files in the dir are left alone
    recovery_report r;
    auto s = open(r, options());
    const auto pending = s->pending();
    ASSERT_EQ(pending.size(), payloads.size());
    for (std::size_t i = 0; i < payloads.size(); ++i) {
        EXPECT_EQ(pending[i].payload, payloads[i]);
        if (i > 0) {
            EXPECT_GT(pending[i].seq, pending[i - 1].seq);
        }
    }
    EXPECT_EQ(r.records, 5u);
    EXPECT_EQ(r.pending, 5u);
    EXPECT_EQ(r.corrupt_regions, 0u);
    EXPECT_TRUE(r.problems.empty());
    EXPECT_EQ(s->depth(), 5u);
    EXPECT_EQ(read_file(dir_ / "dedup.log"), "not a segment");
}

TEST_F(SpoolReopen, AckedRecordsAreNotPendingAfterReopen) {
    std::vector<std::uint64_t> seqs;
    {
        auto s = open(options());
        for (int i = 0; i < 5; ++i) seqs.push_back(append_wait(*s, "r" + std::to_string(i)).seq);
        s->ack(seqs[1]);
        s->ack(seqs[3]);
        s->ack(seqs[3]);            // twice: ignored
        s->ack(123456789);          // unknown: ignored
        EXPECT_EQ(s->depth(), 3u);  // at once, before the marker is written
    }
    recovery_report r;
    auto s = open(r, options());
    const auto pending = s->pending();
    ASSERT_EQ(pending.size(), 3u);
    EXPECT_EQ(pending[0].seq, seqs[0]);
    EXPECT_EQ(pending[1].seq, seqs[2]);
    EXPECT_EQ(pending[2].seq, seqs[4]);
    EXPECT_EQ(pending[1].payload, "r2");
    EXPECT_EQ(r.acked, 2u);
    EXPECT_EQ(r.pending, 3u);
}

TEST_F(SpoolReopen, SeqKeepsIncreasingAfterReopenEvenWhenEverythingWasReclaimed) {
    std::uint64_t last = 0;
    {
        auto s = open(options());
        for (int i = 0; i < 3; ++i) last = append_wait(*s, "x").seq;
    }
    {
        auto s = open(options());
        const auto a = append_wait(*s, "y");
        EXPECT_GT(a.seq, last);
        last = a.seq;
        for (const auto& r : s->pending()) s->ack(r.seq);
    }
    for (int restart = 0; restart < 2; ++restart) {  // the old segments go; the name stays
        auto s = open(options());
        s->flush();
        EXPECT_EQ(s->depth(), 0u);
    }
    auto s = open(options());
    EXPECT_GT(append_wait(*s, "z").seq, last);
}

TEST_F(SpoolReopen, NotBeforeAndSpooledAtSurviveReopen) {
    const std::int64_t embargo = 1893456000000;  // 2030-01-01
    const auto before = now_ms();
    {
        auto s = open(options());
        append_wait(*s, "held", embargo);
        append_wait(*s, "now", 0);
    }
    const auto after = now_ms();
    auto s = open(options());
    const auto pending = s->pending();
    ASSERT_EQ(pending.size(), 2u);
    EXPECT_EQ(pending[0].not_before_ms, embargo);
    EXPECT_EQ(pending[1].not_before_ms, 0);
    for (const auto& r : pending) {
        EXPECT_GE(r.spooled_at_ms, before);
        EXPECT_LE(r.spooled_at_ms, after);
    }
    EXPECT_EQ(s->oldest_pending_ms(), pending[0].spooled_at_ms);
}

TEST_F(SpoolLimits, FullAnswersFullWritesNothingAndKeepsOlderRecords) {
    auto o = options();
    o.max_bytes = 3 * 137 + 30;  // three 100-byte stories (37 bytes of framing each)
    {
        auto s = open(o);
        for (char c : {'a', 'b', 'c'})
            EXPECT_EQ(append_wait(*s, std::string(100, c)).status, append_status::ok);
        EXPECT_EQ(s->bytes(), 3u * 137);
        const auto refused = append_wait(*s, std::string(100, 'd'));
        EXPECT_EQ(refused.status, append_status::full);
        EXPECT_EQ(refused.seq, 0u);
        EXPECT_FALSE(refused.error.empty());
        s->flush();
        EXPECT_EQ(s->bytes(), 3u * 137);
        EXPECT_EQ(segment_bytes_on_disk(), 3u * 137);
        EXPECT_TRUE(s->full());
    }
    auto s = open(o);
    const auto pending = s->pending();
    ASSERT_EQ(pending.size(), 3u);
    EXPECT_EQ(pending[0].payload, std::string(100, 'a'));
    EXPECT_EQ(pending[2].payload, std::string(100, 'c'));
}

TEST_F(SpoolLimits, FullClearsOnceAnAckedSegmentIsReclaimed) {
    auto o = options();
    o.max_bytes = 3 * 137 + 30;
    o.segment_bytes = 150;  // one story per segment
    auto s = open(o);
    const auto first = append_wait(*s, std::string(100, 'a')).seq;
    append_wait(*s, std::string(100, 'b'));
    append_wait(*s, std::string(100, 'c'));
    EXPECT_EQ(append_wait(*s, std::string(100, 'd')).status, append_status::full);
    EXPECT_TRUE(s->full());
    s->ack(first);
    s->flush();
    EXPECT_FALSE(s->full());
    EXPECT_EQ(s->bytes(), segment_bytes_on_disk());
    EXPECT_EQ(append_wait(*s, std::string(100, 'e')).status, append_status::ok);
}

TEST_F(SpoolReclaim, FullyAckedSegmentIsDeletedAfterRoll) {
    auto o = options();
    o.segment_bytes = 256;  // one 137-byte story per segment, plus acks
    {
        auto s = open(o);
        std::vector<std::uint64_t> seqs;
        for (int i = 0; i < 4; ++i) seqs.push_back(append_wait(*s, std::string(100, 'x')).seq);
        EXPECT_EQ(segment_files().size(), 4u);
        for (auto seq : seqs) s->ack(seq);
        s->flush();
        // The active segment holds the four ack markers; the others are gone.
        EXPECT_EQ(segment_files(), std::vector<std::string>{segment::file_name(seqs[3])});
        EXPECT_EQ(s->bytes(), 137u + 4 * 21);
        EXPECT_EQ(s->bytes(), segment_bytes_on_disk());
        EXPECT_EQ(s->depth(), 0u);
    }
    auto s = open(o);
    s->flush();
    EXPECT_EQ(segment_files().size(), 1u);  // the previous active one went too
    EXPECT_EQ(s->bytes(), 0u);
}

TEST_F(SpoolReclaim, AckKeptForAStoryInAPinnedSegmentWhenItsSegmentIsReclaimed) {
    auto o = options();
    o.segment_bytes = 300;  // two 137-byte stories per segment
    std::uint64_t held = 0, fifth = 0;
    {
        auto s = open(o);
        held = append_wait(*s, std::string(100, '1')).seq;  // never acked: pins segment 1
        const auto second = append_wait(*s, std::string(100, '2')).seq;
        const auto third = append_wait(*s, std::string(100, '3')).seq;  // segment 3
        s->ack(second);  // its marker lands in segment 3
        s->flush();
        const auto fourth = append_wait(*s, std::string(100, '4')).seq;
        fifth = append_wait(*s, std::string(100, '5')).seq;  // segment 5
        s->ack(third);
        s->ack(fourth);
        s->flush();
        // Segment 3 is all acked; the marker for story 2 was written again into segment 5.
        EXPECT_EQ(segment_files(),
                  (std::vector<std::string>{segment::file_name(held), segment::file_name(fifth)}));
    }
    auto s = open(o);
    const auto pending = s->pending();
    ASSERT_EQ(pending.size(), 2u);
    EXPECT_EQ(pending[0].seq, held);
    EXPECT_EQ(pending[1].seq, fifth);
}

TEST_F(SpoolRecovery, TornTailIsCutEarlierRecordsKeptLaterAppendsWork) {
    std::uint64_t last = 0;
    {
        auto s = open(options());
        for (char c : {'a', 'b', 'c'}) last = append_wait(*s, std::string(50, c)).seq;
    }
    const auto file = dir_ / segment::file_name(1);
    ASSERT_EQ(fs::file_size(file), 3u * 87);
    fs::resize_file(file, 3 * 87 - 10);  // a crash in the middle of the last write
    recovery_report r;
    {
        auto s = open(r, options());
        const auto pending = s->pending();
        ASSERT_EQ(pending.size(), 2u);
        EXPECT_EQ(pending[1].payload, std::string(50, 'b'));
        EXPECT_EQ(r.corrupt_regions, 1u);
        EXPECT_EQ(r.corrupt_bytes, 87u - 10);
        ASSERT_EQ(r.problems.size(), 1u);
        EXPECT_NE(r.problems[0].find(segment::file_name(1) + " offset 174"), std::string::npos)
            << r.problems[0];
        EXPECT_NE(r.problems[0].find("torn tail"), std::string::npos) << r.problems[0];
        EXPECT_EQ(fs::file_size(file), 2u * 87);  // cut back to the last whole record
        const auto a = append_wait(*s, "after");
        EXPECT_EQ(a.status, append_status::ok);
        EXPECT_GT(a.seq, last);  // the torn story's seq may have been given out: not reused
    }
    auto s = open(r, options());
    EXPECT_TRUE(r.problems.empty());
    ASSERT_EQ(s->pending().size(), 3u);
    EXPECT_EQ(s->pending()[2].payload, "after");
}

TEST_F(SpoolRecovery, FlippedByteLosesOnlyThatRecord) {
    std::vector<std::uint64_t> seqs;
    {
        auto s = open(options());
        for (char c : {'a', 'b', 'c', 'd', 'e'})
            seqs.push_back(append_wait(*s, std::string(50, c)).seq);
    }
    const auto file = dir_ / segment::file_name(1);
    auto bytes = read_file(file);
    ASSERT_EQ(bytes.size(), 5u * 87);
    bytes[2 * 87 + 40] ^= 0x10;  // inside the third story's payload
    write_file(file, bytes);
    recovery_report r;
    auto s = open(r, options());
    const auto pending = s->pending();
    ASSERT_EQ(pending.size(), 4u);
    EXPECT_EQ(pending[1].seq, seqs[1]);
    EXPECT_EQ(pending[2].seq, seqs[3]);
    EXPECT_EQ(pending[3].payload, std::string(50, 'e'));
    EXPECT_EQ(r.corrupt_regions, 1u);
    EXPECT_EQ(r.corrupt_bytes, 87u);
    ASSERT_EQ(r.problems.size(), 1u);
    EXPECT_NE(r.problems[0].find(segment::file_name(1) + " offset 174: crc mismatch"),
              std::string::npos)
        << r.problems[0];
}

TEST_F(SpoolRecovery, AckForUnknownSeqIsIgnored) {
    std::string bytes;
    segment::encode_story(bytes, 7, 0, 1, "kept");
    segment::encode_ack(bytes, 999);
    fs::create_directories(dir_);
    write_file(dir_ / segment::file_name(7), bytes);
    recovery_report r;
    auto s = open(r, options());
    ASSERT_EQ(s->pending().size(), 1u);
    EXPECT_EQ(s->pending()[0].payload, "kept");
    EXPECT_EQ(r.acked, 0u);
    EXPECT_TRUE(r.problems.empty());
    EXPECT_GT(append_wait(*s, "next").seq, 999u);  // an ack still proves the seq was used
}

TEST_F(SpoolRecovery, GarbageAndBitFlippedFilesDoNotCrash) {
    std::mt19937 rng(20240611);
    std::size_t corrupt = 0, recovered = 0;  // the rounds must exercise both
    auto rnd = [&rng](std::size_t n) {
        return std::uniform_int_distribution<std::size_t>(0, n)(rng);
    };
    for (int round = 0; round < 150; ++round) {
        const auto d = dir_ / std::to_string(round);
        fs::create_directories(d);
        for (std::size_t f = 0, files = 1 + rnd(2); f < files; ++f) {
            std::string bytes;
            const auto first = 1 + f * 100;
            for (std::size_t i = 0, n = rnd(8); i < n; ++i) {
                if (rnd(3) == 0) segment::encode_ack(bytes, first + rnd(i + 1));
                segment::encode_story(bytes, first + i, 0, 1, std::string(rnd(200), 'p'));
            }
            switch (rnd(3)) {
                case 0:  // random bytes, many 'W's, maybe a magic with a huge length
                    for (std::size_t i = 0, n = rnd(3000); i < n; ++i)
                        bytes += rnd(50) ? static_cast<char>(rnd(255)) : 'W';
                    if (rnd(1)) bytes.insert(rnd(bytes.size()), "WGS1\x01\xff\xff\xff\x7f");
                    break;
                case 1:  // bit flips
                    for (std::size_t i = 0, n = 1 + rnd(5); i < n && !bytes.empty(); ++i)
                        bytes[rnd(bytes.size() - 1)] ^= static_cast<char>(1 << rnd(7));
                    break;
                case 2:  // torn anywhere
                    bytes.resize(rnd(bytes.size()));
                    break;
                default:
                    break;
            }
            write_file(d / segment::file_name(first), bytes);
        }
        auto o = options();
        o.dir = d.string();
        recovery_report r;
        auto s = open(r, o);
        ASSERT_TRUE(s);
        EXPECT_EQ(s->pending().size(), s->depth());
        EXPECT_EQ(r.problems.size(), r.corrupt_regions);
        corrupt += r.corrupt_regions;
        recovered += r.pending;
        EXPECT_EQ(append_wait(*s, "still works").status, append_status::ok);
        s.reset();
        s = open(o);  // the new record comes back last: its seq is above all the old ones
        ASSERT_TRUE(s);
        ASSERT_FALSE(s->pending().empty());
        EXPECT_EQ(s->pending().back().payload, "still works");
    }
    EXPECT_GT(corrupt, 50u);
    EXPECT_GT(recovered, 100u);
}

class SpoolFsync : public spool_dir, public ::testing::WithParamInterface<fsync_policy> {};

TEST_P(SpoolFsync, EveryPolicyDeliversCallbacksAndKeepsRecords) {
    auto o = options();
    o.fsync = GetParam();
    o.fsync_interval_ms = 5;
    {
        auto s = open(o);
        std::atomic<int> ok{0};
        for (int i = 0; i < 50; ++i)
            s->append("p" + std::to_string(i), 0,
                      [&ok](append_status st, std::uint64_t, const std::string&) {
                          if (st == append_status::ok) ++ok;
                      });
        s->flush();
        EXPECT_EQ(ok.load(), 50);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // an interval sync or two
        EXPECT_EQ(append_wait(*s, "last").status, append_status::ok);
    }
    auto s = open(o);
    EXPECT_EQ(s->depth(), 51u);
}

INSTANTIATE_TEST_SUITE_P(AllPolicies, SpoolFsync,
                         ::testing::Values(fsync_policy::always, fsync_policy::interval,
                                           fsync_policy::never));

TEST_F(SpoolConcurrency, ConcurrentAppendsGetDistinctIncreasingSeqs) {
    auto o = options();
    o.fsync = fsync_policy::always;  // group commit under contention
    o.segment_bytes = 4096;          // and rolls while threads append
    auto s = open(o);
    constexpr int k_threads = 4, k_each = 250;
    std::vector<std::vector<std::uint64_t>> seqs(k_threads, std::vector<std::uint64_t>(k_each));
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < k_threads; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < k_each; ++i)
                s->append(std::to_string(t) + ":" + std::to_string(i), 0,
                          [&, t, i](append_status st, std::uint64_t seq, const std::string&) {
                              if (st == append_status::ok) ++ok;
                              seqs[t][i] = seq;
                          });
        });
    for (auto& th : threads) th.join();
    s->flush();
    EXPECT_EQ(ok.load(), k_threads * k_each);
    std::set<std::uint64_t> all;
    for (int t = 0; t < k_threads; ++t)
        for (int i = 0; i < k_each; ++i) {
            all.insert(seqs[t][i]);
            if (i > 0) {
                EXPECT_GT(seqs[t][i], seqs[t][i - 1]);  // in each thread's call order
            }
        }
    EXPECT_EQ(all.size(), std::size_t(k_threads * k_each));
    EXPECT_EQ(all.count(0), 0u);
    const auto pending = s->pending();
    ASSERT_EQ(pending.size(), all.size());
    EXPECT_EQ(pending[0].payload.find(':') != std::string::npos, true);
    const auto& p = pending[10];
    const auto t = std::stoi(p.payload.substr(0, p.payload.find(':')));
    const auto i = std::stoi(p.payload.substr(p.payload.find(':') + 1));
    EXPECT_EQ(seqs[t][i], p.seq);
}

// RLIMIT_FSIZE makes a write past the limit fail (EFBIG) after writing part of it: the same
// path as ENOSPC or EIO, without needing a full disk.
TEST_F(SpoolIoError, FailedWriteAnswersIoErrorLeavesNoPartialRecordAndLaterAppendsWork) {
    auto s = open(options());
    ASSERT_EQ(append_wait(*s, "before").status, append_status::ok);
    const auto before = s->bytes();
    rlimit saved{};
    ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
    auto* old_handler = ::signal(SIGXFSZ, SIG_IGN);
    rlimit small = saved;
    small.rlim_cur = 4096;
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
    const auto failed = append_wait(*s, std::string(8000, 'x'));
    ::setrlimit(RLIMIT_FSIZE, &saved);
    ::signal(SIGXFSZ, old_handler);
    EXPECT_EQ(failed.status, append_status::io_error);
    EXPECT_EQ(failed.seq, 0u);
    EXPECT_FALSE(failed.error.empty());
    EXPECT_EQ(s->bytes(), before);
    EXPECT_EQ(segment_bytes_on_disk(), before);  // truncated back: no partial record

    const auto later = append_wait(*s, "after");
    EXPECT_EQ(later.status, append_status::ok);
    s.reset();
    recovery_report r;
    s = open(r, options());
    EXPECT_EQ(r.corrupt_regions, 0u);
    ASSERT_EQ(s->pending().size(), 2u);
    EXPECT_EQ(s->pending()[1].payload, "after");
    EXPECT_EQ(s->pending()[1].seq, later.seq);
}

}  // namespace

#pragma once
// The dedup window: which story versions (and Idempotency-Keys) the gateway has accepted lately,
// so a repeat is answered "duplicate" instead of being published twice; plus, per story, the
// newest numeric version accepted, so a version arriving after a newer one can be flagged.
//
// Keys are the first 16 bytes of a SHA-256 (make_key) of a text such as
// "agency\x1furi\x1fversion" or "idem\x1ffeed\x1fIdempotency-Key". 128 bits: a collision (one
// story wrongly taken for another) needs ~2^64 keys; the window holds ~2^20.
//
// Bounded: at most max_entries claims and max_entries story versions, the oldest evicted first;
// anything not touched for window_ms is forgotten. Memory per entry (libstdc++, glibc, 64-bit):
//   claim:   hash node 72 B (80 B with malloc's header) + bucket 8 B + FIFO slot 24 B ≈ 112 B,
//            plus 48 B of heap when the aux is longer than 15 bytes (a 32-char body hash);
//   version: hash node 48 B (64 B with malloc's) + bucket 8 B + FIFO slot 24 B ≈ 96 B.
// So the default 1,000,000 of each is ~210 MB, ~260 MB if every claim has an aux (measured: 176
// MB for 1M claims + 625k versions). The FIFOs may also hold up to as many superseded slots as
// live ones (24 B each) between clean-ups. Buckets for up to 4M entries are allocated at open().
//
// On disk (when `path` is set): an append-only log replayed by open(). Little-endian records:
//
//   type u8 | key 16 B | time i64 (unix ms) | body | crc32 u32
//   type 1 claim:   body = aux length u8 + aux      (30 + aux bytes)
//   type 2 release: body empty, time = the claim's  (29 bytes)
//   type 3 version: body = newest version i64       (37 bytes)
//
// The CRC-32 (boost::crc_32_type) covers everything before it. Replay skips records older than
// the window and stops at the first torn or corrupt record, cutting the file there: everything
// after a damaged record is lost (those stories could be published once more, never lost).
//
// Durability: each change is one write(2) without fsync. The page cache keeps it across a crash
// or kill -9 of the process; a machine crash or power loss can lose the claims since the last
// sync() (called on drain). That is safe in the direction that matters: the spool replays its
// records' claims at start (pipeline/delivery.hpp), so a lost claim only risks a duplicate.
//
// Compaction: when the log holds more than 2 × max_entries records and is more than half dead,
// or at open() when it is more than half dead, the live entries are written to `path`.tmp,
// fsynced and renamed over `path`. That runs under the store's lock, in the caller's thread: a
// pause of ~0.5 s per million live entries (measured, 30 MB + fsync), at most once per
// ~max_entries changes. Replaying the log at open() takes about a second per million records.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace wire::dedup {

using key = std::array<std::uint8_t, 16>;

key make_key(std::string_view text);            // SHA-256, first 16 bytes
std::string to_hex(const key& k);               // 32 lowercase hex chars
std::optional<key> from_hex(std::string_view);  // inverse (either case); nullopt on bad input

struct dedup_options {
    std::string path;                             // the log file; "" = memory only (tests)
    std::size_t max_entries = 1000000;            // claims kept; oldest evicted first (FIFO)
    std::int64_t window_ms = 72LL * 3600 * 1000;  // claims older than this are forgotten
    std::int64_t now_ms = 0;  // open()'s clock for replaying the window; 0 = the system clock
};

struct claim_result {
    bool first = false;  // true: newly claimed (caller goes on to publish)
    std::string aux;     // when !first: the aux stored by the first claim (e.g. a body hash)
};

struct dedup_stats {
    std::size_t claims = 0;
    std::size_t versions = 0;              // stories whose newest version is held
    std::uint64_t log_records = 0;         // records in the log file now (0 without a file)
    std::uint64_t write_errors = 0;        // failed log writes: memory stays right, disk behind
    std::uint64_t dropped_tail_bytes = 0;  // torn/corrupt bytes open() cut from the log
};

class dedup_store {
  public:
    static constexpr std::size_t k_max_aux = 64;

    /// Opens (replaying the log) or creates `options.path`. nullptr + error when the options
    /// are invalid or the file cannot be opened, read or cut; never on what the file contains.
    static std::unique_ptr<dedup_store> open(const dedup_options& options, std::string& error);
    ~dedup_store();
    dedup_store(const dedup_store&) = delete;
    dedup_store& operator=(const dedup_store&) = delete;

    std::size_t loaded() const;  // live claims recovered by open()

    /// Atomic test-and-set. aux (cut to k_max_aux bytes) is kept with the claim. A claim older
    /// than the window no longer counts. Appends to the log. O(1) amortised.
    claim_result claim(const key& k, std::string_view aux, std::int64_t now_ms);
    /// Undoes a claim (the story could not be accepted after all, e.g. the spool was full), so a
    /// retry is not a duplicate. Logged too. Unknown keys are ignored.
    void release(const key& k);
    bool contains(const key& k, std::int64_t now_ms) const;
    /// Returns the previous newest version of `story` (nullopt if none in the window) and
    /// records max(previous, version). Bounded and windowed like claims, by last update.
    std::optional<std::int64_t> note_version(const key& story, std::int64_t version,
                                             std::int64_t now_ms);

    /// Claims held: those older than the window go at the next call that passes a clock.
    std::size_t size() const;
    dedup_stats stats() const;  // for metrics and logs
    /// fdatasync the log (called on drain): bounds what a machine crash can lose.
    void sync();

  private:
    struct state;
    explicit dedup_store(std::unique_ptr<state> s);
    std::unique_ptr<state> s_;
};

}  // namespace wire::dedup

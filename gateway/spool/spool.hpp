#pragma once
// The durable spool (docs/delivery.md): every story the gateway accepts is appended here before
// it is produced to Kafka, acked once Kafka acknowledged it, and replayed after a restart while
// unacked. Records are opaque bytes; the caller serialises (pipeline/spool_codec.hpp).
//
// On disk: append-only segment files in `dir` (format in spool/segment.hpp). One writer thread
// owns the files; callers only queue, so append() and ack() never wait for the disk.
//
// Memory: the payloads of unacked records stay in memory (pending() must hand them back without
// reading the disk). That is bounded by max_bytes, as is the queue of appends not yet written:
// an append counts against max_bytes from the moment it is queued.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace wire::spool {

enum class fsync_policy { always, interval, never };

struct spool_options {
    std::string dir;                            // created if missing
    std::uint64_t max_bytes = 1ull << 30;       // cap on the total size of segment files
    std::uint64_t segment_bytes = 64ull << 20;  // roll to a new segment file after this
    fsync_policy fsync = fsync_policy::always;
    std::uint32_t fsync_interval_ms = 100;
};

enum class append_status { ok, full, io_error };

struct record {
    std::uint64_t seq = 0;           // assigned by append, strictly increasing across restarts
    std::int64_t not_before_ms = 0;  // unix ms; 0 = deliver now (embargo holds use it)
    std::int64_t spooled_at_ms = 0;  // unix ms when appended
    std::string payload;
};

struct recovery_report {
    std::size_t segments = 0, records = 0, acked = 0, pending = 0;
    std::size_t corrupt_regions = 0;  // bad CRC / torn length found and skipped
    std::uint64_t corrupt_bytes = 0;
    std::vector<std::string> problems;  // "segment 000000000003.wgs offset 4096: crc mismatch…"
};

using append_callback =
    std::function<void(append_status, std::uint64_t seq, const std::string& error)>;

class spool {
  public:
    /// Opens (recovering what is there) or creates. On failure returns nullptr and sets error.
    /// Never throws on file contents: unreadable records are skipped and reported.
    static std::unique_ptr<spool> open(const spool_options& options, recovery_report& report,
                                       std::string& error);
    /// Writes what is queued (callbacks run normally), fsyncs unless the policy is `never`,
    /// joins the writer thread. Must not be called from a callback.
    ~spool();
    spool(const spool&) = delete;
    spool& operator=(const spool&) = delete;

    /// Queues a record; `done` runs on the writer thread once the record is written (and
    /// fsynced when the policy is `always`), or with `full` when it would take the spool over
    /// max_bytes (nothing written), or `io_error` with the errno text (ENOSPC etc.; nothing of
    /// it stays on disk). seq is 0 unless ok. Never blocks on disk I/O.
    void append(std::string payload, std::int64_t not_before_ms, append_callback done);
    /// Kafka acknowledged record `seq`: it leaves pending() now and a durable ack marker is
    /// queued (batched like appends). Unknown or already acked seqs are ignored. A segment
    /// whose records are all acked and which is not the active one is deleted.
    void ack(std::uint64_t seq);
    /// Waits until everything queued before the call is written (and reclaimed segments are
    /// deleted). For tests and orderly shutdown; must not be called from a callback.
    void flush();

    /// Unacked records in seq order (after open: what a restart must replay). Copies.
    std::vector<record> pending() const;
    std::size_t depth() const;    // unacked records
    std::uint64_t bytes() const;  // total segment bytes on disk
    /// bytes() >= 90% of max_bytes, or the last append was refused as full or hit ENOSPC
    /// (cleared by the next successful write or when a segment is reclaimed).
    bool full() const;
    std::int64_t oldest_pending_ms() const;  // spooled_at_ms of the oldest unacked; 0 if none

  private:
    struct impl;
    explicit spool(std::unique_ptr<impl> p);
    std::unique_ptr<impl> impl_;
};

}  // namespace wire::spool

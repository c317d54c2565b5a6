#pragma once
// Segment files of the spool: the record format, scanning with resync after corruption, the
// ledger that decides when a segment may be deleted, and the few POSIX calls the writer needs.
//
// A segment is `NNNNNNNNNNNN.wgs` (the zero-padded seq of its first story) holding records back
// to back, every field little-endian and fixed width:
//
//   magic u32 "WGS1" | kind u8 | length u32 | seq u64 | [not_before i64 | spooled_at i64 |
//   payload (length bytes)] | crc32 u32
//
// kind 1 is a story (the bracketed part present, length = the payload's bytes), kind 2 an ack
// marker for story `seq` (length 0, nothing bracketed). The CRC-32 (boost::crc_32_type) covers
// everything after the magic up to the CRC. So a story takes 37 + length bytes and an ack 21.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "spool/spool.hpp"

namespace wire::spool::segment {

inline constexpr std::uint32_t k_magic = 0x31534757;  // "WGS1" as bytes on disk
inline constexpr std::uint8_t k_story = 1;
inline constexpr std::uint8_t k_ack = 2;
inline constexpr std::uint64_t k_story_overhead = 37;
inline constexpr std::uint64_t k_ack_bytes = 21;
inline constexpr std::uint64_t k_max_payload = 0xffffffffull - k_story_overhead;

void encode_story(std::string& out, std::uint64_t seq, std::int64_t not_before_ms,
                  std::int64_t spooled_at_ms, std::string_view payload);
void encode_ack(std::string& out, std::uint64_t seq);

struct decoded {
    std::uint8_t kind = 0;
    std::uint64_t seq = 0;
    std::int64_t not_before_ms = 0, spooled_at_ms = 0;
    std::string payload;
};

struct corrupt_region {
    std::uint64_t offset = 0, length = 0;
    std::string reason;  // why the record at `offset` was refused
};

struct scan_result {
    std::vector<decoded> records;  // file order
    std::vector<corrupt_region> corrupt;
    bool corrupt_tail = false;  // the last region runs to the end: no valid record after it
};

/// Reads every valid record of a segment's bytes. A refused record starts a corrupt region
/// that ends at the next offset holding a valid record (magic, kind, length, CRC all good).
/// Never reads outside `bytes`.
scan_result scan(std::string_view bytes);

std::string file_name(std::uint64_t first_seq);
/// The seq of `NNN….wgs`; nullopt for any other name (the spool dir holds other files too).
std::optional<std::uint64_t> parse_file_name(std::string_view name);

/// The bookkeeping behind reclaiming. A segment may go once none of its stories is pending and
/// none of the ack markers it holds is still needed — one is needed while the story it acks is
/// in a segment still on disk, since deleting it would bring that story back as pending at the
/// next restart. Markers only point backwards, so an all-acked prefix of segments always goes;
/// a segment behind a long-lived story (an embargo hold) would pin every later one, so the
/// markers it needs are written again into the active segment (to_carry) and then it goes.
/// No I/O, no locking: the spool guards it with its mutex.
class ledger {
  public:
    struct segment_info {
        std::string name;
        std::uint64_t bytes = 0;
        std::size_t live = 0;     // stories not acked on disk
        std::size_t foreign = 0;  // its markers for stories of other segments still on disk
    };
    struct story {
        std::uint64_t segment = 0;
        std::int64_t not_before_ms = 0, spooled_at_ms = 0;
        std::string payload;
    };

    void add_segment(std::uint64_t first_seq, std::string name, std::uint64_t bytes);
    void wrote(std::uint64_t segment, std::uint64_t bytes);
    /// A story on disk: pending until acked. False when the seq is known already.
    bool add_story(std::uint64_t seq, story s);
    /// ack(): out of pending at once; the segment's live count waits for the marker. The
    /// story's segment, or nullopt when `seq` is not pending.
    std::optional<std::uint64_t> take(std::uint64_t seq);
    /// The marker for `seq` (a story of `story_segment`, taken) is on disk in `marker_segment`.
    void marker_written(std::uint64_t seq, std::uint64_t story_segment,
                        std::uint64_t marker_segment);
    /// A marker found by recovery: true when it acked a pending story. A later copy of a
    /// carried marker moves it; a marker for an unknown story is ignored.
    bool recovered_marker(std::uint64_t seq, std::uint64_t marker_segment);
    /// Markers to write again into `active`, as (seq, the segment holding it now).
    std::vector<std::pair<std::uint64_t, std::uint64_t>> to_carry(std::uint64_t active) const;
    /// A carried marker is on disk in `to` (moot if the story's segment went meanwhile).
    void carried(std::uint64_t seq, std::uint64_t from, std::uint64_t to);
    /// Removes and returns (name, bytes) of every segment that may go now, cascading.
    std::vector<std::pair<std::string, std::uint64_t>> reap(std::uint64_t active);

    const std::map<std::uint64_t, story>& pending() const { return pending_; }
    const std::map<std::uint64_t, segment_info>& segments() const { return segments_; }
    std::uint64_t bytes() const { return bytes_; }
    bool maintenance_due = true;  // a count fell to 0 or the active segment changed

  private:
    struct marker_home {
        std::uint64_t story_segment = 0, marker_segment = 0;
    };
    void move_marker(std::uint64_t seq, std::uint64_t story_segment, std::uint64_t to);

    std::map<std::uint64_t, segment_info> segments_;  // by first seq
    std::map<std::uint64_t, story> pending_;
    std::map<std::uint64_t, marker_home> acked_elsewhere_;  // by seq; marker not with its story
    std::uint64_t bytes_ = 0;
};

/// Reads every segment of `dir` (created if missing) into the ledger, in order, reporting what
/// was refused; the unreadable tail of the last segment is a write torn by a crash and is
/// truncated away. Returns the first seq that is safe to give out, or nullopt + error when the
/// directory or a segment cannot be read at all.
std::optional<std::uint64_t> recover(const std::string& dir, ledger& into, recovery_report& report,
                                     std::string& error);

// POSIX helpers; they return 0 or an errno value.
std::string errno_text(int err);
int write_at(int fd, std::string_view data, std::uint64_t offset);  // loops over short writes
int sync_dir(const std::string& dir);
int create(const std::string& path, int& fd);  // O_EXCL: a segment is never reused by mistake
int open_for_append(const std::string& path, int& fd);

}  // namespace wire::spool::segment

#include "spool/segment.hpp"

#include "spool/record_bytes.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace wire::spool::segment {
namespace {

namespace fs = std::filesystem;

using bytes::crc_of;
using bytes::get_le;
using bytes::put_le;

void finish(std::string& out, std::size_t start) {
    put_le(out, crc_of(std::string_view(out).substr(start + 4)), 4);
}

// The record at `pos`: its size, or 0 with `reason` set.
std::uint64_t parse(std::string_view in, std::size_t pos, decoded* out, const char** reason) {
    const std::uint64_t left = in.size() - pos;
    if (left < k_ack_bytes) return *reason = "truncated record", 0;
    if (get_le(in, pos, 4) != k_magic) return *reason = "bad magic", 0;
    const auto kind = static_cast<std::uint8_t>(in[pos + 4]);
    if (kind != k_story && kind != k_ack) return *reason = "unknown record kind", 0;
    const std::uint64_t length = get_le(in, pos + 5, 4);
    if (kind == k_ack && length != 0) return *reason = "ack with a length", 0;
    const std::uint64_t size = kind == k_story ? k_story_overhead + length : k_ack_bytes;
    if (size > left) return *reason = "length beyond end of file", 0;
    const auto stored = get_le(in, pos + size - 4, 4);
    if (crc_of(in.substr(pos + 4, size - 8)) != stored) return *reason = "crc mismatch", 0;
    if (out) {
        out->kind = kind;
        out->seq = get_le(in, pos + 9, 8);
        if (kind == k_story) {
            // Two's complement round trip: well defined since C++20.
            out->not_before_ms = static_cast<std::int64_t>(get_le(in, pos + 17, 8));
            out->spooled_at_ms = static_cast<std::int64_t>(get_le(in, pos + 25, 8));
            out->payload.assign(in.substr(pos + 33, length));
        }
    }
    return size;
}

}  // namespace

void encode_story(std::string& out, std::uint64_t seq, std::int64_t not_before_ms,
                  std::int64_t spooled_at_ms, std::string_view payload) {
    const auto start = out.size();
    put_le(out, k_magic, 4);
    put_le(out, k_story, 1);
    put_le(out, payload.size(), 4);
    put_le(out, seq, 8);
    put_le(out, static_cast<std::uint64_t>(not_before_ms), 8);
    put_le(out, static_cast<std::uint64_t>(spooled_at_ms), 8);
    out.append(payload);
    finish(out, start);
}

void encode_ack(std::string& out, std::uint64_t seq) {
    const auto start = out.size();
    put_le(out, k_magic, 4);
    put_le(out, k_ack, 1);
    put_le(out, 0, 4);
    put_le(out, seq, 8);
    finish(out, start);
}

scan_result scan(std::string_view bytes) {
    scan_result r;
    std::size_t pos = 0;
    constexpr std::string_view magic = "WGS1";  // k_magic as bytes
    while (pos < bytes.size()) {
        decoded d;
        const char* reason = "";
        if (auto size = parse(bytes, pos, &d, &reason)) {
            r.records.push_back(std::move(d));
            pos += size;
            continue;
        }
        // Resync: the next magic that starts a record with a valid CRC. A record split by the
        // corruption fails its CRC, so only whole records are taken back.
        corrupt_region region{pos, 0, reason};
        std::size_t next = bytes.find(magic, pos + 1);
        const char* ignored = "";
        while (next != std::string_view::npos && parse(bytes, next, nullptr, &ignored) == 0)
            next = bytes.find(magic, next + 1);
        if (next == std::string_view::npos) next = bytes.size();
        region.length = next - pos;
        r.corrupt.push_back(std::move(region));
        r.corrupt_tail = next == bytes.size();
        pos = next;
    }
    return r;
}

std::string file_name(std::uint64_t first_seq) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%012llu.wgs", static_cast<unsigned long long>(first_seq));
    return buf;
}

std::optional<std::uint64_t> parse_file_name(std::string_view name) {
    constexpr std::string_view ext = ".wgs";
    if (name.size() <= ext.size() || !name.ends_with(ext)) return std::nullopt;
    const auto digits = name.substr(0, name.size() - ext.size());
    if (digits.size() > 19) return std::nullopt;  // keeps the value inside u64
    std::uint64_t v = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return v;
}

namespace {

using file_list = std::vector<std::pair<std::uint64_t, std::string>>;  // (first seq, name)

bool list(const std::string& dir, file_list& out, std::string& error) {
    std::error_code ec;
    fs::directory_iterator it(dir, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
        const auto name = it->path().filename().string();
        std::error_code type_ec;  // an entry that vanished meanwhile is not a segment
        auto seq = parse_file_name(name);
        if (seq && it->is_regular_file(type_ec)) out.emplace_back(*seq, name);
    }
    if (ec) {
        error = "cannot list spool directory " + dir + ": " + ec.message();
        return false;
    }
    std::sort(out.begin(), out.end());
    for (std::size_t i = 1; i < out.size(); ++i) {
        if (out[i].first != out[i - 1].first) continue;
        // Only a hand-made file can do this; guessing which one is meant could lose stories.
        error = "two segment files for seq " + std::to_string(out[i].first) + " in " + dir + ": " +
                out[i - 1].second + ", " + out[i].second;
        return false;
    }
    return true;
}

bool read_all(const std::string& path, std::string& bytes, std::string& error) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    int err = fd < 0 ? errno : 0;
    char buf[1 << 16];
    while (fd >= 0 && err == 0) {
        const auto n = ::read(fd, buf, sizeof buf);
        if (n == 0) break;
        if (n < 0 && errno != EINTR) err = errno;
        if (n > 0) bytes.append(buf, static_cast<std::size_t>(n));
    }
    if (fd >= 0) ::close(fd);
    if (err) error = "cannot read " + path + ": " + errno_text(err);
    return err == 0;
}

}  // namespace

std::optional<std::uint64_t> recover(const std::string& dir, ledger& into, recovery_report& report,
                                     std::string& error) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    file_list files;
    if (ec) error = "cannot create spool directory " + dir + ": " + ec.message();
    if (ec || !list(dir, files, error)) return std::nullopt;
    std::uint64_t next = 1;  // the first seq no segment can have given out
    for (std::size_t i = 0; i < files.size(); ++i) {
        const auto& [first, name] = files[i];
        const std::string path = dir + "/" + name;
        std::string bytes;
        if (!read_all(path, bytes, error)) return std::nullopt;
        auto scanned = scan(bytes);
        std::uint64_t size = bytes.size(), corrupt = 0, stories = 0;
        for (std::size_t c = 0; c < scanned.corrupt.size(); ++c) {
            const auto& region = scanned.corrupt[c];
            ++report.corrupt_regions;
            report.corrupt_bytes += region.length;
            corrupt += region.length;
            std::string text = "segment " + name + " offset " + std::to_string(region.offset) +
                               ": " + region.reason + ", " + std::to_string(region.length) +
                               " bytes skipped";
            if (i + 1 == files.size() && scanned.corrupt_tail && c + 1 == scanned.corrupt.size()) {
                // A torn tail: cut it so that the next restart does not report it again.
                fs::resize_file(path, region.offset, ec);
                text += ec ? " (torn tail, not truncated: " + ec.message() + ")"
                           : std::string(" (torn tail, truncated)");
                if (!ec) size = region.offset;
            }
            report.problems.push_back(std::move(text));
        }
        ++report.segments;
        into.add_segment(first, name, size);
        for (auto& r : scanned.records) {
            next = std::max(next, r.seq == UINT64_MAX ? r.seq : r.seq + 1);
            if (r.kind == k_ack) {
                if (into.recovered_marker(r.seq, first)) ++report.acked;
                continue;
            }
            ++stories;
            ++report.records;
            // A duplicate seq (only a hand-made file has one): the first copy stands.
            into.add_story(r.seq, {first, r.not_before_ms, r.spooled_at_ms, std::move(r.payload)});
        }
        // Within a segment seqs run densely from its name (a failed write is cut back and its
        // seqs reused), so a corrupt region hid at most bytes / 37 stories. Their seqs are not
        // given out again: one of them may be in Kafka under its record id.
        next = std::max(next, first + stories + corrupt / k_story_overhead);
    }
    report.pending = into.pending().size();
    return next;
}

void ledger::add_segment(std::uint64_t first_seq, std::string name, std::uint64_t bytes) {
    auto& s = segments_[first_seq];
    s.name = std::move(name);
    s.bytes = bytes;
    bytes_ += bytes;
    maintenance_due = true;
}

void ledger::wrote(std::uint64_t segment, std::uint64_t bytes) {
    segments_[segment].bytes += bytes;
    bytes_ += bytes;
}

bool ledger::add_story(std::uint64_t seq, story s) {
    const auto segment = s.segment;
    if (!pending_.try_emplace(seq, std::move(s)).second) return false;
    ++segments_[segment].live;
    return true;
}

std::optional<std::uint64_t> ledger::take(std::uint64_t seq) {
    auto it = pending_.find(seq);
    if (it == pending_.end()) return std::nullopt;
    const auto segment = it->second.segment;
    pending_.erase(it);
    return segment;
}

void ledger::marker_written(std::uint64_t seq, std::uint64_t story_segment,
                            std::uint64_t marker_segment) {
    if (auto s = segments_.find(story_segment); s != segments_.end() && s->second.live)
        if (--s->second.live == 0) maintenance_due = true;
    move_marker(seq, story_segment, marker_segment);
}

bool ledger::recovered_marker(std::uint64_t seq, std::uint64_t marker_segment) {
    if (auto segment = take(seq)) {
        marker_written(seq, *segment, marker_segment);
        return true;
    }
    // A marker carried forward whose old segment a crash kept: the later copy counts.
    if (auto h = acked_elsewhere_.find(seq); h != acked_elsewhere_.end())
        move_marker(seq, h->second.story_segment, marker_segment);
    return false;
}

std::vector<std::pair<std::uint64_t, std::uint64_t>> ledger::to_carry(std::uint64_t active) const {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
    auto needs = [&](std::uint64_t first) {
        auto s = segments_.find(first);
        return first != active && s != segments_.end() && s->second.live == 0;
    };
    for (const auto& [seq, h] : acked_elsewhere_)
        if (needs(h.marker_segment)) out.emplace_back(seq, h.marker_segment);
    return out;
}

void ledger::carried(std::uint64_t seq, std::uint64_t from, std::uint64_t to) {
    if (auto h = acked_elsewhere_.find(seq);
        h != acked_elsewhere_.end() && h->second.marker_segment == from)
        move_marker(seq, h->second.story_segment, to);
}

std::vector<std::pair<std::string, std::uint64_t>> ledger::reap(std::uint64_t active) {
    std::vector<std::pair<std::string, std::uint64_t>> doomed;
    for (bool again = true; again;) {
        again = false;
        for (auto it = segments_.begin(); it != segments_.end(); ++it) {
            const auto first = it->first;
            if (first == active || it->second.live || it->second.foreign) continue;
            // Markers elsewhere for its stories are moot now: that may free their segments.
            for (auto h = acked_elsewhere_.begin(); h != acked_elsewhere_.end();) {
                if (h->second.story_segment != first) {
                    ++h;
                    continue;
                }
                auto m = segments_.find(h->second.marker_segment);
                if (m != segments_.end() && m->second.foreign) --m->second.foreign;
                h = acked_elsewhere_.erase(h);
            }
            doomed.emplace_back(it->second.name, it->second.bytes);
            bytes_ -= std::min(bytes_, it->second.bytes);
            segments_.erase(it);
            again = true;
            break;
        }
    }
    return doomed;
}

// Only markers outside their story's segment are tracked: the others go with the story.
void ledger::move_marker(std::uint64_t seq, std::uint64_t story_segment, std::uint64_t to) {
    if (auto h = acked_elsewhere_.find(seq); h != acked_elsewhere_.end()) {
        auto m = segments_.find(h->second.marker_segment);
        if (m != segments_.end() && m->second.foreign && --m->second.foreign == 0)
            maintenance_due = true;
        acked_elsewhere_.erase(h);
    }
    if (story_segment == to) return;
    acked_elsewhere_[seq] = marker_home{story_segment, to};
    ++segments_[to].foreign;
}

std::string errno_text(int err) { return std::error_code(err, std::generic_category()).message(); }

int write_at(int fd, std::string_view data, std::uint64_t offset) {
    while (!data.empty()) {
        const auto n = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno;
        if (n == 0) return EIO;
        data.remove_prefix(static_cast<std::size_t>(n));
        offset += static_cast<std::uint64_t>(n);
    }
    return 0;
}

int sync_dir(const std::string& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errno;
    const int rc = ::fsync(fd) == 0 ? 0 : errno;
    ::close(fd);
    return rc;
}

int create(const std::string& path, int& fd) {
    fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    return fd < 0 ? errno : 0;
}

int open_for_append(const std::string& path, int& fd) {
    fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    return fd < 0 ? errno : 0;
}

}  // namespace wire::spool::segment

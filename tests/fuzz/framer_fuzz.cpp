// libFuzzer target: one executable per stream framing (WIREGATE_FUZZ_FRAMING = anpa1312,
// iptc7901 or zczc). The input is a small header choosing the limit and the read sizes, then
// the stream:
//   byte 0      max_frame_bytes, one of k_max_frames[]
//   byte 1      n = byte % 16: how many read sizes follow (0 = byte by byte)
//   n bytes     read sizes, 1…256 each, used in turn
//   the rest    the stream
// Invariants (any break is __builtin_trap(), a finding):
// - no crash, leak or UB (ASan+UBSan);
// - every frame is non-empty and at most max_frame_bytes, and the framer never holds more than
//   max_frame_bytes plus a marker's bytes between reads (its memory bound);
// - the frames are pieces of the stream, in order, not overlapping; the garbage count never
//   exceeds the non-padding bytes outside them, and equals it when no frame was dropped
//   (no oversize or partial frame): every byte is a frame's, padding, or counted garbage;
// - the same frames and counters whatever the chunking (one piece vs the reads chosen above),
//   but for the padding after an anpa1312/iptc7901 trailer, kept only when it came with it;
// - after finish_frames() the framer starts afresh: the same stream again gives the same frames.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "listeners/stream_framer.hpp"

namespace {

using namespace wire::listeners;

constexpr std::size_t k_max_frames[] = {16, 64, 200, 512, 1024, 4096, 65536, 1u << 20};
// Bytes a marker being matched may add to the open frame: 8 SYNs + SOH + letter + 4 digits for
// anpa1312, "NNNN" + 64 blanks for zczc.
constexpr std::size_t k_marker_slack = 72;

// A broken invariant: say which, then trap (libFuzzer saves the input).
#define check(ok)                                                                            \
    do {                                                                                     \
        if (!(ok)) {                                                                         \
            std::fprintf(stderr, "invariant broken: %s (%s:%d)\n", #ok, __FILE__, __LINE__); \
            __builtin_trap();                                                                \
        }                                                                                    \
    } while (0)

bool padding(char c) {  // as stream_framer.cpp counts garbage
    return c == '\r' || c == '\n' || c == '\f' || c == '\x04' || c == '\x16' || c == '\x7F' ||
           c == '\t' || c == ' ' || c == '\0';
}

struct framed {
    std::vector<std::string> frames;
    framer_counters counters;
};

// anpa1312/iptc7901: the padding and EOT after a frame's trailer line go with it only when they
// had arrived with it (stream_framer.hpp: a frame is never held back waiting for them), so they
// are left out when frames read in different pieces are compared.
std::string_view comparable(std::string_view frame, framing f) {
    if (f == framing::zczc) return frame;
    while (!frame.empty() && padding(frame.back()) && frame.back() != '\x16')
        frame.remove_suffix(1);
    return frame;
}

bool same(const framed& a, const framed& b, framing f) {
    const auto &x = a.counters, &y = b.counters;
    if (a.frames.size() != b.frames.size()) return false;
    for (std::size_t i = 0; i < a.frames.size(); ++i)
        if (comparable(a.frames[i], f) != comparable(b.frames[i], f)) return false;
    return x.frames == y.frames && x.garbage_bytes == y.garbage_bytes &&
           x.oversize_frames == y.oversize_frames && x.partial_frames == y.partial_frames;
}

// Feeds `stream` in reads of the given sizes (cycling; empty = one piece), then finishes it.
framed run(stream_framer& fr, std::string_view stream, const std::vector<std::size_t>& reads,
           std::size_t max) {
    framed r;
    const auto before = fr.counters();
    auto take = [&](std::vector<std::string> frames) {
        for (auto& f : frames) {
            check(!f.empty() && f.size() <= max);
            r.frames.push_back(std::move(f));
        }
    };
    std::size_t k = 0;
    for (std::size_t p = 0; p < stream.size();) {
        std::size_t n = reads.empty() ? stream.size() : reads[k++ % reads.size()];
        n = std::min(n, stream.size() - p);
        take(fr.feed(stream.substr(p, n)));
        check(fr.buffered() <= max + k_marker_slack);
        p += n;
    }
    take(fr.finish_frames());
    check(fr.buffered() == 0);
    const auto& now = fr.counters();
    r.counters.frames = now.frames - before.frames;
    r.counters.garbage_bytes = now.garbage_bytes - before.garbage_bytes;
    r.counters.oversize_frames = now.oversize_frames - before.oversize_frames;
    r.counters.partial_frames = now.partial_frames - before.partial_frames;
    return r;
}

// Frames are pieces of the stream in order; every byte outside them is padding or garbage.
void check_accounting(std::string_view stream, const framed& r) {
    check(r.counters.frames == r.frames.size());
    std::size_t pos = 0, outside = 0;
    auto count_outside = [&](std::size_t from, std::size_t to) {
        for (std::size_t i = from; i < to; ++i) outside += padding(stream[i]) ? 0 : 1;
    };
    for (const auto& f : r.frames) {
        const auto at = stream.find(f, pos);
        check(at != std::string_view::npos);
        count_outside(pos, at);
        pos = at + f.size();
    }
    count_outside(pos, stream.size());
    check(r.counters.garbage_bytes <= outside);
    if (r.counters.oversize_frames == 0 && r.counters.partial_frames == 0)
        check(r.counters.garbage_bytes == outside);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    framing f{};
    check(parse_framing(WIREGATE_FUZZ_FRAMING, f));
    const std::size_t max = k_max_frames[data[0] % std::size(k_max_frames)];
    std::size_t n = data[1] % 16, p = 2;
    std::vector<std::size_t> reads;
    for (; p < size && reads.size() < n; ++p) reads.push_back(std::size_t{data[p]} + 1);
    if (n == 0) reads.push_back(1);
    const std::string_view stream(reinterpret_cast<const char*>(data) + p, size - p);

    stream_framer whole_fr(f, max), chunked_fr(f, max);
    const framed whole = run(whole_fr, stream, {}, max);
    const framed chunked = run(chunked_fr, stream, reads, max);
    check_accounting(stream, whole);
    check_accounting(stream, chunked);
    check(same(whole, chunked, f));
    // A framer is reused for the next connection: finish_frames() must leave nothing behind.
    check(same(whole, run(whole_fr, stream, {}, max), framing::zczc));  // exactly
    return 0;
}

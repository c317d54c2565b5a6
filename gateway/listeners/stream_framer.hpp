#pragma once
// stream_framer: cuts a TCP telex byte stream into frames, one story each. Pure (no I/O):
// the stream listener feeds it whatever recv() returned and takes complete frames out.
//   anpa1312: SYN* SOH … ETX   (frame = SOH … ETX, leading SYNs kept if adjacent)
//   iptc7901: SOH … ETX [EOT]   (EOT after ETX is kept with the frame when already received)
//   zczc:     "ZCZC" … "NNNN"
// Bytes outside frames are garbage: counted, skipped, never fatal. A frame that grows past
// max_frame_bytes is dropped up to its end marker (counted as oversize); a frame still open when
// the connection ends is partial. Memory is bounded by max_frame_bytes plus one read.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace wire::listeners {

enum class framing { anpa1312, iptc7901, zczc };
bool parse_framing(std::string_view name, framing& out);

struct framer_counters {
    std::size_t frames = 0;
    std::size_t garbage_bytes = 0;   // bytes between frames that belong to none
    std::size_t oversize_frames = 0;
    std::size_t partial_frames = 0;  // open at finish()
};

class stream_framer {
  public:
    stream_framer(framing f, std::size_t max_frame_bytes);
    /// Appends bytes; returns the frames completed by them, in order (the raw bytes of each
    /// frame, markers included, ready for normalize()).
    std::vector<std::string> feed(std::string_view bytes);
    /// The connection ended: an open frame is counted partial and discarded.
    void finish();
    const framer_counters& counters() const { return counters_; }

  private:
    framing framing_;
    std::size_t max_frame_bytes_;
    std::string buf_;
    bool in_frame_ = false;
    bool skipping_oversize_ = false;
    framer_counters counters_;
};

}  // namespace wire::listeners

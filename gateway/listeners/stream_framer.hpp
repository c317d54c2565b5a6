#pragma once
// stream_framer: cuts a TCP telex byte stream into frames, one story each. Pure (no I/O):
// the stream listener feeds it whatever recv() returned and takes complete frames out.
//   anpa1312: SYN* SOH … ETX   (frame = SOH … ETX, leading SYNs kept if adjacent)
//   iptc7901: SOH … ETX [EOT]   (EOT after ETX is kept with the frame when already received)
//   zczc:     "ZCZC" … "NNNN"
// In detail (stream_framer.cpp says why): an anpa1312 start is SOH + letter + 4 digits, as the
// adapter reads it; after ETX the frame keeps the rest of that line (ANPA trailer, 7901
// date-time group: the adapters need it) and ends at its line end. ZCZC and NNNN count only at
// the start of a line, NNNN only alone on it. A start inside an open frame ends it: a zczc
// record is emitted (its adapter takes it without NNNN), an anpa1312/iptc7901 one is partial.
// Link padding (CR LF FF EOT SYN DEL NUL TAB space) between frames is not garbage.
// Control-stripped 7901 copy (no SOH) cannot be framed: it is all garbage here.
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
    std::size_t garbage_bytes = 0;  // bytes between frames that belong to none
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
    /// Like finish(), but returns the frame the end of the stream completes instead of counting
    /// it partial: an anpa1312/iptc7901 frame already past ETX, or a zczc record past NNNN,
    /// whose last line the end cut short. Without `cut`, an open zczc record comes out too (the
    /// zczc adapter takes records without NNNN: offline files). With `cut`, a frame the end cut
    /// short is counted partial and its bytes are put there, so that a listener can dead-letter
    /// what a dropped connection left half-sent. Both reset the framer for a new stream;
    /// counters are kept.
    std::vector<std::string> finish_frames(std::string* cut = nullptr);
    const framer_counters& counters() const { return counters_; }
    /// Bytes held now: the open frame, or the few bytes of a marker still being matched.
    std::size_t buffered() const { return buf_.size(); }
    /// The memory those take (the buffer's capacity; 0 when nothing is held).
    std::size_t held_bytes() const { return buf_.empty() ? 0 : buf_.capacity(); }
    /// Whether a frame has begun and not ended (one being dropped as oversize does not count).
    bool frame_open() const { return in_frame_ && !skipping_oversize_; }

  private:
    // Added with the implementation: scanning state carried from one feed() to the next.
    enum class marker : unsigned char { none, anpa_start, zczc_start, nnnn_end };
    enum class match : unsigned char { more, done, broken };
    std::size_t step(std::size_t i, std::vector<std::string>& out);
    match extend(char c);
    void begin_frame(std::size_t at, std::vector<std::string>& out);
    void end_frame(std::size_t end, std::vector<std::string>& out);
    void garbage(std::size_t from, std::size_t to);
    std::vector<std::string> end_stream(bool emit, std::string* cut);

    framing framing_;
    std::size_t max_frame_bytes_;
    std::string buf_;
    bool in_frame_ = false;
    bool skipping_oversize_ = false;
    framer_counters counters_;
    std::size_t start_ = 0;  // the open frame's first byte in buf_
    marker cand_ = marker::none;
    std::size_t cand_at_ = 0;    // where the marker being matched begins in buf_
    std::size_t cand_len_ = 0;   // how many of its bytes matched so far
    std::size_t cand_syns_ = 0;  // anpa1312: SYNs leading it
    bool seen_stx_ = false;      // anpa1312/iptc7901: only an ETX after STX ends the text
    bool in_tail_ = false;       // past that ETX, in the trailer / date-time group line
    std::size_t tail_len_ = 0;
    bool line_start_ = true;  // zczc: nothing but blanks since the last LF
};

}  // namespace wire::listeners

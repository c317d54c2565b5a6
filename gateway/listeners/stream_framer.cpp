// stream_framer: one pass over the bytes, each looked at once (twice when a marker being matched
// breaks on it), so feeding byte by byte costs what feeding in one piece does.
//
// A frame is what the format's adapter reads as one message (adapters/anpa1312.cpp,
// iptc7901.cpp, zczc.cpp):
// - anpa1312 and iptc7901 keep the bytes after ETX up to the end of that line: the ANPA trailer
//   ("AP-WF-07-10-17 1131GMT<", "KWS-21:05-10-07-17") is the story's only full date-time and the
//   7901 date-time group is required. The line ends at CR, LF, FF, EOT, SYN or SOH, or after 80
//   bytes (the ANPA adapter's own limit). Padding and an EOT after it that have already arrived
//   are kept too (7901 warns about a message without EOT); the frame is never held back waiting
//   for them, since a sender may send no EOT and then nothing for minutes.
// - anpa1312 starts at SOH + letter + 4 digits (the adapter's message start; a lone SOH in text
//   is text). The SYNs before it are optional (Kyodo sends none) and kept, at most 8.
// - zczc records may lack NNNN (AAP): a ZCZC line inside an open record ends it and it is
//   emitted, as the adapter reads such a record (with a warning). In anpa1312/iptc7901 a start
//   inside an open frame makes the open one partial: without ETX the adapters refuse it.
// Bytes between frames are garbage, except link padding (CR LF FF EOT SYN DEL NUL TAB space).
#include "listeners/stream_framer.hpp"

#include <algorithm>

namespace wire::listeners {
namespace {

constexpr char k_soh = '\x01', k_stx = '\x02', k_etx = '\x03', k_eot = '\x04', k_syn = '\x16';
constexpr std::size_t k_max_syns = 8;              // SYNs kept before an ANPA SOH
constexpr std::size_t k_max_trailer = 80;          // bytes after ETX
constexpr std::size_t k_max_nnnn_pad = 64;         // blanks after NNNN on its line
constexpr std::size_t k_shrink_slack = 64u << 10;  // spare capacity a buffer may keep

bool padding(char c) {
    return c == '\r' || c == '\n' || c == '\f' || c == k_eot || c == k_syn || c == '\x7F' ||
           c == '\t' || c == ' ' || c == '\0';
}
// Padding that may sit between a trailer line and its EOT (SYN would open the next message).
bool tail_padding(char c) { return c != k_syn && c != k_eot && padding(c); }
// Blanks inside a line, as the zczc adapter's trim() skips them.
bool blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f'; }
bool letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool digit(char c) { return c >= '0' && c <= '9'; }
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
bool ends_trailer(char c) {
    return c == '\r' || c == '\n' || c == '\f' || c == k_eot || c == k_syn || c == k_soh;
}

}  // namespace

bool parse_framing(std::string_view name, framing& out) {
    if (name == "anpa1312")
        out = framing::anpa1312;
    else if (name == "iptc7901")
        out = framing::iptc7901;
    else if (name == "zczc")
        out = framing::zczc;
    else
        return false;
    return true;
}

stream_framer::stream_framer(framing f, std::size_t max_frame_bytes)
    : framing_(f), max_frame_bytes_(max_frame_bytes) {}

std::vector<std::string> stream_framer::feed(std::string_view bytes) {
    std::vector<std::string> out;
    std::size_t i = buf_.size();  // everything before was scanned by earlier calls
    buf_.append(bytes);
    while (i < buf_.size()) {
        i = step(i, out);
        if (in_frame_ && !skipping_oversize_ && i - start_ > max_frame_bytes_) {
            ++counters_.oversize_frames;  // dropped from here to its end (or the next start)
            skipping_oversize_ = true;
        }
    }
    // Keep only the open frame, or the marker being matched: bounded by max_frame_bytes.
    std::size_t keep = buf_.size();
    if (in_frame_ && !skipping_oversize_) keep = start_;
    if (cand_ != marker::none) keep = std::min(keep, cand_at_);
    buf_.erase(0, keep);
    // A frame once large leaves its capacity behind: give it back, or an idle connection would
    // keep the memory of the largest frame it ever carried.
    if (buf_.capacity() > 2 * buf_.size() + k_shrink_slack) buf_.shrink_to_fit();
    start_ = start_ >= keep ? start_ - keep : 0;
    cand_at_ = cand_at_ >= keep ? cand_at_ - keep : 0;
    return out;
}

// Looks at buf_[i]; returns the next byte to look at (i itself when it must be seen again).
std::size_t stream_framer::step(std::size_t i, std::vector<std::string>& out) {
    const char c = buf_[i];
    if (cand_ != marker::none) {
        switch (extend(c)) {
            case match::more:
                ++cand_len_;
                return i + 1;
            case match::done:
                if (cand_ == marker::nnnn_end) {
                    end_frame(i + 1, out);
                    line_start_ = true;
                } else {
                    begin_frame(cand_at_, out);
                    line_start_ = c == '\n' || c == '\r';
                }
                cand_ = marker::none;
                return i + 1;
            case match::broken:
                // Not a marker. A match cannot restart inside the bytes taken so far (none
                // of them could begin one), so only c needs a second look.
                if (!in_frame_) garbage(cand_at_, cand_at_ + cand_len_);
                cand_ = marker::none;
                line_start_ = false;
                return i;
        }
    }
    auto candidate = [&](marker m) {
        cand_ = m;
        cand_at_ = i;
        cand_len_ = cand_syns_ = 0;
        return i;
    };
    const bool at_line = line_start_;
    // Lines end at LF, CR LF or a lone CR (old systems), so a CR starts a line too.
    if (framing_ == framing::zczc)
        line_start_ = c == '\n' || c == '\r' || (line_start_ && blank(c));
    if (!in_frame_) {
        if (framing_ == framing::anpa1312 && (c == k_syn || c == k_soh))
            return candidate(marker::anpa_start);
        if (framing_ == framing::zczc && at_line && lower(c) == 'z')
            return candidate(marker::zczc_start);
        if (framing_ == framing::iptc7901 && c == k_soh) {
            begin_frame(i, out);
        } else {
            garbage(i, i + 1);
        }
        return i + 1;
    }
    if (in_tail_) {
        if (!ends_trailer(c) && tail_len_ < k_max_trailer) {
            ++tail_len_;
            return i + 1;
        }
        // Padding and an EOT that have already arrived go with the frame.
        std::size_t j = i;
        while (j < buf_.size() && tail_padding(buf_[j])) ++j;
        std::size_t end = j < buf_.size() && buf_[j] == k_eot ? j + 1 : i;
        if (!skipping_oversize_ && end - start_ > max_frame_bytes_) end = i;
        end_frame(end, out);
        return end;  // c again, between frames, when it was not taken: SOH or SYN may start one
    }
    switch (framing_) {
        case framing::anpa1312:
            if (c == k_syn || c == k_soh) return candidate(marker::anpa_start);
            break;
        case framing::iptc7901:
            if (c == k_soh) begin_frame(i, out);
            break;
        case framing::zczc:
            if (at_line && lower(c) == 'z') return candidate(marker::zczc_start);
            if (at_line && lower(c) == 'n') return candidate(marker::nnnn_end);
            return i + 1;
    }
    if (c == k_stx) seen_stx_ = true;
    if (c == k_etx && seen_stx_) {
        in_tail_ = true;
        tail_len_ = 0;
    }
    return i + 1;
}

// Whether c continues the marker being matched; cand_len_ bytes of it matched so far.
stream_framer::match stream_framer::extend(char c) {
    const std::size_t k = cand_len_;
    switch (cand_) {
        case marker::anpa_start: {
            std::size_t r = k - cand_syns_;  // bytes from SOH on
            if (r == 0 && c == k_syn) {
                if (cand_syns_ == k_max_syns) {
                    ++cand_at_;  // the oldest SYN is plain padding
                    --cand_len_;
                } else {
                    ++cand_syns_;
                }
                return match::more;
            }
            if (r == 0) return c == k_soh ? match::more : match::broken;
            if (r == 1) return letter(c) ? match::more : match::broken;
            if (!digit(c)) return match::broken;
            return r == 5 ? match::done : match::more;
        }
        case marker::zczc_start:
            if (k < 4) return lower(c) == "zczc"[k] ? match::more : match::broken;
            return c == ' ' || c == '\t' || c == '\r' || c == '\n' ? match::done : match::broken;
        case marker::nnnn_end:
            if (k < 4) return lower(c) == 'n' ? match::more : match::broken;
            // The line ends at LF or CR: a sender ending lines with a lone CR gets its record
            // at once (an LF after the CR is padding between frames).
            if (c == '\n' || c == '\r') return match::done;
            return blank(c) && k < 4 + k_max_nnnn_pad ? match::more : match::broken;
        case marker::none:
            break;
    }
    return match::broken;
}

// A frame starts at `at`. One still open ends here: a zczc record is emitted (NNNN is optional
// for its adapter), an anpa1312/iptc7901 frame without its ETX is partial.
void stream_framer::begin_frame(std::size_t at, std::vector<std::string>& out) {
    if (in_frame_ && !skipping_oversize_) {
        if (framing_ == framing::zczc)
            end_frame(at, out);
        else
            ++counters_.partial_frames;
    }
    in_frame_ = true;
    skipping_oversize_ = false;
    start_ = at;
    seen_stx_ = in_tail_ = false;
}

void stream_framer::end_frame(std::size_t end, std::vector<std::string>& out) {
    if (!skipping_oversize_) {
        if (end - start_ > max_frame_bytes_) {
            ++counters_.oversize_frames;
        } else {
            out.emplace_back(buf_, start_, end - start_);
            ++counters_.frames;
        }
    }
    in_frame_ = skipping_oversize_ = in_tail_ = seen_stx_ = false;
}

void stream_framer::garbage(std::size_t from, std::size_t to) {
    counters_.garbage_bytes += static_cast<std::size_t>(std::count_if(
        buf_.begin() + static_cast<std::ptrdiff_t>(from),
        buf_.begin() + static_cast<std::ptrdiff_t>(to), [](char c) { return !padding(c); }));
}

std::vector<std::string> stream_framer::end_stream(bool emit, std::string* cut) {
    std::vector<std::string> out;
    if (in_frame_ && !skipping_oversize_) {
        // A ZCZC line still being matched at the very end is not part of the record: its bytes
        // are garbage (found by tests/fuzz/framer_fuzz.cpp; they used to vanish uncounted).
        std::size_t end = cand_ == marker::zczc_start ? cand_at_ : buf_.size();
        // Whole although the end came before its line end: past ETX, or NNNN in.
        const bool ended = in_tail_ || (cand_ == marker::nnnn_end && cand_len_ >= 4);
        if (emit && (ended || (framing_ == framing::zczc && cut == nullptr))) {
            end_frame(end, out);
        } else {
            ++counters_.partial_frames;
            if (emit && cut != nullptr) cut->assign(buf_, start_, end - start_);
        }
        if (emit) garbage(end, buf_.size());
    } else if (!in_frame_ && cand_ != marker::none) {
        garbage(cand_at_, cand_at_ + cand_len_);
    }
    buf_.clear();
    buf_.shrink_to_fit();
    in_frame_ = skipping_oversize_ = seen_stx_ = in_tail_ = false;
    cand_ = marker::none;
    start_ = cand_at_ = cand_len_ = cand_syns_ = tail_len_ = 0;
    line_start_ = true;
    return out;
}

void stream_framer::finish() { end_stream(false, nullptr); }

std::vector<std::string> stream_framer::finish_frames(std::string* cut) {
    return end_stream(true, cut);
}

}  // namespace wire::listeners

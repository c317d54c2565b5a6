// stream_framer on made-up streams: garbage, truncated, nested, oversize and split-marker input,
// bounded memory. (stream_framer_fixture_test.cpp runs the adapters' fixtures through it.)
#include <gtest/gtest.h>

#include <random>

#include "stream_framer_support.hpp"

using namespace framer_test;

namespace {

TEST(StreamFramer, ParseFraming) {
    framing f = framing::zczc;
    EXPECT_TRUE(parse_framing("anpa1312", f));
    EXPECT_EQ(f, framing::anpa1312);
    EXPECT_TRUE(parse_framing("iptc7901", f));
    EXPECT_EQ(f, framing::iptc7901);
    EXPECT_TRUE(parse_framing("zczc", f));
    EXPECT_EQ(f, framing::zczc);
    EXPECT_FALSE(parse_framing("ZCZC", f));
    EXPECT_FALSE(parse_framing("", f));
    EXPECT_EQ(f, framing::zczc);
}

// Synthetic messages, one per framing, each a good story for its adapter.
const std::string k_anpa = std::string("\x16\x16\x01") + "a0919\x1F" + "glbsm\r\n" +
                           "r i\x13\x11 BC-EU--Framer-Test   07-10 0009\r\n" +
                           "\x02^Framer test headline<\r\n" +
                           "\t   KYIV, Ukraine (AP) _ Nine words of body copy are in here.\r\n" +
                           "\x03" + "AP-WF-07-10-17 1131GMT<\r\n\f\r\n\x04\r\n";
const std::string k_iptc = std::string("\x7F\r\n\x01") + "ifx0124 1 pol 9\r\n\r\n" +
                           "NATO/Ukraine/\r\n\x02" + "Framer test headline =\r\n\r\n" +
                           "MOSCOW, July 10 (Interfax) - Nine words of body copy here.\r\n" +
                           "\x03" + "101402 MSK Jul 17\r\n\x7F\n\x04\r\n";
const std::string k_zczc =
    "ZCZC IFX1236 4 POL\r\nFramer test headline\r\n\r\n"
    "MOSCOW, July 10 (Interfax) - Nine words of body copy here.\r\n\r\n"
    "101430 MSK JUL 17\r\nNNNN\r\n";

struct sample {
    framing f;
    std::string msg;    // as sent
    std::string frame;  // the frame it makes when it arrives in one piece
    std::string profile;
};
std::vector<sample> samples() {
    return {{framing::anpa1312, k_anpa, k_anpa.substr(0, k_anpa.rfind('\x04') + 1), "ap"},
            {framing::iptc7901, k_iptc, k_iptc.substr(3, k_iptc.rfind('\x04') + 1 - 3), "interfax"},
            {framing::zczc, k_zczc, k_zczc.substr(0, k_zczc.size() - 1), "interfax"}};
}
const char* name(framing f) {
    return f == framing::anpa1312 ? "anpa1312" : f == framing::iptc7901 ? "iptc7901" : "zczc";
}
std::size_t story_count(const sample& s, std::string_view frame) {
    normalize_options o;
    o.format = name(s.f);
    o.profile = s.profile;
    o.received_at = "2026-01-01T00:00:00Z";
    std::string errors;
    std::size_t n = stories(frame, o, &errors);
    EXPECT_TRUE(errors.empty()) << errors;
    return n;
}
std::size_t non_padding(std::string_view s) {
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
        return std::string_view("\r\n\f\x04\x16\x7F\t ", 8).find(c) == std::string_view::npos &&
               c != '\0';
    }));
}

TEST(StreamFramer, OneMessageIsOneFrame) {
    for (const auto& s : samples()) {
        SCOPED_TRACE(name(s.f));
        auto r = whole(s.f, s.msg);
        ASSERT_EQ(r.frames.size(), 1u);
        EXPECT_EQ(r.frames[0], s.frame);
        EXPECT_EQ(story_count(s, r.frames[0]), 1u);
        EXPECT_EQ(r.counters.garbage_bytes, 0u);  // padding around a frame is not garbage
    }
}

TEST(StreamFramer, GarbageOnly) {
    const std::string junk = "hello, world ~~~ 12345\r\n\x02 text \x03 more\n\x01zz NNNN\n";
    for (const auto& s : samples()) {
        SCOPED_TRACE(name(s.f));
        auto r = whole(s.f, junk);
        EXPECT_TRUE(r.frames.empty());
        // In 7901 any SOH opens a frame: what follows it is that (partial) frame, not garbage.
        bool soh = s.f == framing::iptc7901;
        EXPECT_EQ(r.counters.garbage_bytes, non_padding(std::string_view(junk).substr(
                                                0, soh ? junk.find('\x01') : junk.npos)));
        EXPECT_EQ(r.counters.partial_frames, soh ? 1u : 0u);
    }
}

TEST(StreamFramer, GarbageBetweenFrames) {
    for (const auto& s : samples()) {
        SCOPED_TRACE(name(s.f));
        auto r = whole(s.f, "junk1\n" + s.msg + "+++ x y +++\n" + s.msg + "tail");
        ASSERT_EQ(r.frames.size(), 2u);
        EXPECT_EQ(r.frames[0], s.frame);
        EXPECT_EQ(r.frames[1], s.frame);
        EXPECT_EQ(r.counters.garbage_bytes, 5u + 8u + 4u);
        EXPECT_EQ(r.counters.partial_frames, 0u);
    }
}

TEST(StreamFramer, TruncatedFrameThenFinish) {
    for (const auto& s : samples()) {
        SCOPED_TRACE(name(s.f));
        std::string cut = s.msg.substr(0, s.msg.size() / 2);
        stream_framer fr(s.f, k_max);
        EXPECT_TRUE(fr.feed(cut).empty());
        fr.finish();  // always discards
        EXPECT_EQ(fr.counters().partial_frames, 1u);
        EXPECT_EQ(fr.counters().frames, 0u);
        EXPECT_EQ(fr.buffered(), 0u);
        // finish_frames(): an anpa/7901 frame without ETX is partial; a zczc record without
        // NNNN is what the zczc adapter reads (with a warning), so it comes out.
        EXPECT_TRUE(fr.feed(cut).empty());
        auto out = fr.finish_frames();
        EXPECT_EQ(out.size(), s.f == framing::zczc ? 1u : 0u);
        EXPECT_EQ(fr.counters().partial_frames, s.f == framing::zczc ? 1u : 2u);
        for (const auto& f : out) EXPECT_EQ(story_count(s, f), 1u);
    }
}

TEST(StreamFramer, FrameCutByTheEndOfTheStreamIsHandedBackAsCut) {
    for (const auto& s : samples()) {
        SCOPED_TRACE(name(s.f));
        std::string cut = s.msg.substr(0, s.msg.size() / 2);
        stream_framer fr(s.f, k_max);
        EXPECT_TRUE(fr.feed(cut).empty());
        EXPECT_TRUE(fr.frame_open());
        std::string rest;
        EXPECT_TRUE(fr.finish_frames(&rest).empty());  // a zczc record too: no NNNN came
        EXPECT_EQ(rest, s.frame.substr(0, rest.size()));
        EXPECT_FALSE(rest.empty());
        EXPECT_EQ(fr.counters().partial_frames, 1u);
        EXPECT_FALSE(fr.frame_open());
        // A whole frame is never cut, even without its last line end.
        std::string whole_frame = s.f == framing::zczc
                                      ? s.msg.substr(0, s.msg.size() - 2)
                                      : s.msg.substr(0, s.msg.find('\r', s.msg.find('\x03')));
        EXPECT_TRUE(fr.feed(whole_frame).empty());
        rest.clear();
        EXPECT_EQ(fr.finish_frames(&rest).size(), 1u);
        EXPECT_TRUE(rest.empty());
    }
}

TEST(StreamFramer, EndOfStreamCompletesAnUnterminatedTrailerLine) {
    for (const auto& s : samples()) {
        SCOPED_TRACE(name(s.f));
        // The sender closes right after "…GMT<", "…Jul 17" or "NNNN": no line end follows.
        std::string msg = s.f == framing::zczc
                              ? s.msg.substr(0, s.msg.size() - 2)
                              : s.msg.substr(0, s.msg.find('\r', s.msg.find('\x03')));
        stream_framer fr(s.f, k_max);
        EXPECT_TRUE(fr.feed(msg).empty());
        auto out = fr.finish_frames();
        ASSERT_EQ(out.size(), 1u);
        EXPECT_EQ(story_count(s, out[0]), 1u);
        EXPECT_EQ(fr.counters().partial_frames, 0u);
    }
}

TEST(StreamFramer, NestedStartEndsTheOpenFrame) {
    for (const auto& s : samples()) {
        SCOPED_TRACE(name(s.f));
        // A line glitch cuts a story short; the next one must still come out whole.
        std::string cut = s.msg.substr(0, s.msg.find("Nine"));
        if (s.f == framing::zczc) cut += "\n";  // ZCZC starts a line
        auto r = whole(s.f, cut + s.msg);
        if (s.f == framing::zczc) {
            ASSERT_EQ(r.frames.size(), 2u);  // the cut record: what its adapter reads
            EXPECT_EQ(story_count(s, r.frames[0]), 1u);
            EXPECT_EQ(r.counters.partial_frames, 0u);
        } else {
            ASSERT_EQ(r.frames.size(), 1u);
            EXPECT_EQ(r.counters.partial_frames, 1u);
        }
        EXPECT_EQ(r.frames.back(), s.frame);
    }
}

TEST(StreamFramer, MarkerLookalikesDoNotCut) {
    // A lone SOH in ANPA text, NNNN not alone on its line, ZCZC inside a line: all text.
    std::string anpa = k_anpa;
    anpa.insert(anpa.find("Nine"), "\x01x12 ");
    auto r = whole(framing::anpa1312, anpa);
    ASSERT_EQ(r.frames.size(), 1u);
    EXPECT_EQ(r.counters.partial_frames, 0u);
    std::string zczc = k_zczc;
    zczc.insert(zczc.find("MOSCOW"), "NNNN is not alone here, nor is ZCZC\r\n  NNNNews\r\n");
    r = whole(framing::zczc, zczc);
    ASSERT_EQ(r.frames.size(), 1u);
    EXPECT_EQ(r.frames[0], zczc.substr(0, zczc.size() - 1));  // the record ends at NNNN's CR
    // ETX before STX is not the end of the text (the adapters look for ETX after STX).
    std::string iptc = k_iptc;
    iptc.insert(iptc.find("NATO/"), "\x03");
    r = whole(framing::iptc7901, iptc);
    ASSERT_EQ(r.frames.size(), 1u);
    EXPECT_EQ(r.frames[0].find("101402"), r.frames[0].find('\x03', r.frames[0].find('\x02')) + 1);
}

TEST(StreamFramer, LeadingSynsKeptAtMostEight) {
    auto r = whole(framing::anpa1312, std::string(20, '\x16') + k_anpa);
    ASSERT_EQ(r.frames.size(), 1u);
    EXPECT_EQ(r.frames[0], std::string(6, '\x16') + k_anpa.substr(0, k_anpa.rfind('\x04') + 1));
    r = whole(framing::anpa1312, k_anpa.substr(2));  // Kyodo: no SYN
    ASSERT_EQ(r.frames.size(), 1u);
    EXPECT_EQ(r.frames[0][0], '\x01');
}

TEST(StreamFramer, EndMarkerSplitAcrossFeeds) {
    for (const auto& s : samples()) {
        SCOPED_TRACE(name(s.f));
        std::size_t marker = s.f == framing::zczc ? s.msg.rfind("NNNN") : s.msg.find('\x03');
        for (std::size_t cut = marker - 1; cut < s.msg.size(); ++cut) {
            SCOPED_TRACE(cut);
            stream_framer fr(s.f, k_max);
            auto first = fr.feed(std::string_view(s.msg).substr(0, cut));
            auto second = fr.feed(std::string_view(s.msg).substr(cut));
            fr.finish();
            ASSERT_EQ(first.size() + second.size(), 1u);
            const auto& f = first.empty() ? second[0] : first[0];
            EXPECT_TRUE(s.frame.starts_with(f));
            EXPECT_EQ(story_count(s, f), 1u);
            EXPECT_EQ(fr.counters().partial_frames, 0u);
        }
    }
    // "NN" | "NN\n": the record only ends once the whole NNNN line is in.
    stream_framer fr(framing::zczc, k_max);
    EXPECT_TRUE(fr.feed(k_zczc.substr(0, k_zczc.size() - 4)).empty());
    EXPECT_EQ(fr.feed("NN\r\n").size(), 1u);
}

TEST(StreamFramer, OversizeFrameDroppedThenGoodOneComesOut) {
    for (const auto& s : samples()) {
        SCOPED_TRACE(name(s.f));
        std::string big = s.msg;
        big.insert(big.find("Nine"), std::string(5000, 'w') + "\r\n");
        std::size_t max = s.frame.size() + 16;
        for (bool with_end : {true, false}) {
            std::string first = with_end ? big : big.substr(0, big.find("Nine"));
            if (!with_end && s.f == framing::zczc) first += "\n";
            std::string stream = first + s.msg;
            auto bytewise = run(
                s.f, stream, [] { return 1; }, max);
            auto piece = whole(s.f, stream, max);
            for (const auto* r : {&bytewise, &piece}) {
                ASSERT_EQ(r->frames.size(), 1u);
                EXPECT_EQ(r->frames[0].size() <= s.frame.size(), true);
                EXPECT_TRUE(s.frame.starts_with(r->frames[0]));
                EXPECT_EQ(r->counters.oversize_frames, 1u);
                EXPECT_EQ(r->counters.partial_frames, 0u);
                EXPECT_EQ(r->counters.garbage_bytes, 0u);  // the dropped text is not garbage
            }
            EXPECT_LE(bytewise.max_buffered, max);
        }
    }
}

TEST(StreamFramer, ManyMessagesInOneStream) {
    // The adapter stops at 1000 messages per input; over a stream each message is its own frame.
    std::string stream;
    for (int i = 0; i < 1001; ++i) stream += k_anpa;
    auto r = whole(framing::anpa1312, stream);
    ASSERT_EQ(r.frames.size(), 1001u);
    const auto s = samples()[0];
    for (std::size_t i = 0; i < r.frames.size(); i += 100)
        EXPECT_EQ(story_count(s, r.frames[i]), 1u);
    EXPECT_TRUE(std::all_of(r.frames.begin(), r.frames.end(),
                            [&](const std::string& f) { return f == s.frame; }));
}

TEST(StreamFramer, TenMegabytesOfGarbageInBoundedMemory) {
    // Printable bytes and high bytes, none of them padding or a marker's first byte.
    std::string alphabet;
    for (int c = 0x21; c < 0x100; ++c)
        if (c != 'Z' && c != 'z' && c != 'N' && c != 'n' && c != 0x7F)
            alphabet += static_cast<char>(c);
    std::mt19937 rng(7u);
    std::string chunk(64 * 1024, ' ');
    for (const auto& s : samples()) {
        SCOPED_TRACE(name(s.f));
        stream_framer fr(s.f, k_max);
        std::size_t fed = 0;
        while (fed < 10u * 1024 * 1024) {
            for (auto& c : chunk) c = alphabet[rng() % alphabet.size()];
            EXPECT_TRUE(fr.feed(chunk).empty());
            ASSERT_LE(fr.buffered(), 16u);
            fed += chunk.size();
        }
        EXPECT_TRUE(fr.finish_frames().empty());
        EXPECT_EQ(fr.counters().garbage_bytes, fed);
        EXPECT_EQ(fr.counters().frames + fr.counters().partial_frames, 0u);
    }
}

TEST(StreamFramer, OversizeStreamInBoundedMemory) {
    // A 10 MB ANPA "story" with a 1 MB limit, in 64 KB reads, then a good one.
    const std::size_t max = 1u << 20;
    std::string head = k_anpa.substr(0, k_anpa.find("Nine"));
    std::string tail = k_anpa.substr(k_anpa.find("Nine"));
    stream_framer fr(framing::anpa1312, max);
    std::vector<std::string> out;
    auto feed = [&](std::string_view b) {
        for (auto& f : fr.feed(b)) out.push_back(std::move(f));
        ASSERT_LE(fr.buffered(), max);
    };
    feed(head);
    std::string chunk(64 * 1024, 'w');
    for (int i = 0; i < 160; ++i) feed(chunk);
    feed(tail + k_anpa);
    EXPECT_EQ(fr.counters().oversize_frames, 1u);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0], samples()[0].frame);
    EXPECT_EQ(fr.counters().garbage_bytes, 0u);
}

}  // namespace

// Found by fuzz_framer_zczc: a ZCZC line cut short by the end of the stream is left out of the
// record it would have ended, and its bytes are garbage, not lost uncounted.
TEST(StreamFramer, ZczcStartCutByTheEndIsGarbage) {
    for (const std::string tail : {"Z", "ZCZ", "zczc"}) {
        auto r = whole(framing::zczc, "ZCZC\nx\n" + tail);
        ASSERT_EQ(r.frames.size(), 1u) << tail;
        EXPECT_EQ(r.frames[0], "ZCZC\nx\n") << tail;
        EXPECT_EQ(r.counters.garbage_bytes, tail.size()) << tail;
        EXPECT_EQ(r.counters.partial_frames, 0u) << tail;
    }
}

namespace {

// Old systems end lines with a lone CR: NNNN then CR ends the record at once (nothing may follow
// for minutes), and a ZCZC after a CR starts the next one, in one piece or byte by byte.
TEST(StreamFramer, ZczcRecordsWithLoneCrLineEnds) {
    const std::string one = "ZCZC AAP0001\rHeadline one\rBody text of the first record.\rNNNN\r";
    const std::string two = "ZCZC AAP0002\rHeadline two\rBody text of the second record.\rNNNN\r";
    for (bool bytewise : {false, true}) {
        stream_framer fr(framing::zczc, 1u << 20);
        std::vector<std::string> frames;
        const std::string all = one + two;
        if (bytewise) {
            for (char c : all)
                for (auto& f : fr.feed(std::string_view(&c, 1))) frames.push_back(f);
        } else {
            frames = fr.feed(all);
        }
        ASSERT_EQ(frames.size(), 2u);
        EXPECT_EQ(frames[0], one);
        EXPECT_EQ(frames[1], two);
    }
}

}  // namespace

// The hostile-input catalogue, part 4: telex TCP streams. Senders get no answer, so each case
// is judged by the wiregate_stream_* metrics, the dead-letter topic and the good frame that
// must still arrive after the hostile bytes.
#include <random>

#include "hostile_fixture.hpp"

using namespace wire::testing;
using namespace std::chrono_literals;

namespace {

class HostileStream : public hostile_test {
  protected:
    void SetUp() override {
        hostile_test::SetUp();
        add_stream("telex", "zczc");
        add_stream("seven", "iptc7901");
        cfg_.dedup.enabled = false;  // the same good frame is sent in several tests' streams
    }
    void add_stream(const std::string& feed, const std::string& framing) {
        add_feed(cfg_, feed, framing, "interfax");
        wire::config::stream_listener_config s;
        s.feed = feed;
        s.framing = framing;
        s.max_frame_bytes = 64u << 10;
        s.idle_timeout_ms = 500;
        cfg_.streams.push_back(s);
    }
    double frames(const std::string& feed, const std::string& result) {
        return metric("wiregate_stream_frames_total{feed=\"" + feed + "\",result=\"" + result +
                      "\"}");
    }
    static std::string good_zczc() {
        return read_file(fixtures_dir() / "zczc/good/001-interfax-en-new.txt");
    }
    static std::string good_7901() {
        return read_file(fixtures_dir() / "iptc7901/good/001-interfax-new.iptc");
    }
    double connections(const std::string& feed, const std::string& result) {
        return metric("wiregate_stream_connections_total{feed=\"" + feed + "\",result=\"" + result +
                      "\"}");
    }
    // The cut frame `raw` is on the dead-letter topic (and nowhere else) as truncated_frame.
    void expect_truncated(const std::string& feed, const std::string& raw) {
        auto dead = consume(cfg_.kafka.brokers, topics_.rejected, 1, 30s);
        ASSERT_EQ(dead.size(), 1u) << svc_->registry().render();
        EXPECT_EQ(dead[0].value, raw);
        EXPECT_EQ(header(dead[0].headers, "wiregate-reason"), "truncated_frame");
        EXPECT_EQ(header(dead[0].headers, "wiregate-source"), "stream");
        EXPECT_EQ(header(dead[0].headers, "wiregate-feed"), feed);
        EXPECT_TRUE(eventually([&] { return rejected(feed, "truncated_frame") == 1; }, 5s));
        EXPECT_EQ(frames(feed, "truncated"), 1);
        EXPECT_EQ(metric("wiregate_stories_published_total{feed=\"" + feed + "\"}"), 0);
    }
};

TEST_F(HostileStream, GarbageOnATcpStreamIsCountedAndNothingIsPublished) {
    start_gateway();
    std::mt19937 rng(7);
    std::string noise;
    for (int i = 0; i < 256 * 1024; ++i) {
        char c = static_cast<char>(rng() % 256);
        noise += (c == 'Z' || c == 'z') ? 'q' : c;  // no record start anywhere
    }
    send_tcp(svc_->stream_port("telex"), noise);
    EXPECT_TRUE(eventually(
        [&] { return metric("wiregate_stream_garbage_bytes_total{feed=\"telex\"}") > 200000; }, 5s))
        << svc_->registry().render();
    EXPECT_EQ(frames("telex", "ok"), 0);
    EXPECT_EQ(received("telex"), 0);
}

TEST_F(HostileStream, FrameThatNeverEndsIsDroppedAsOversizeAndTheNextFrameStillArrives) {
    start_gateway();
    std::string endless = "ZCZC IFX9999 3 POL\r\n";
    while (endless.size() < (4u << 20)) endless += "more and more text of a record without end\r\n";
    send_tcp(svc_->stream_port("telex"), endless + "NNNN\r\n" + good_zczc());
    auto msgs = consume(cfg_.kafka.brokers, topics_.all, 1, 30s);
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_EQ(header(msgs[0].headers, "feed"), "telex");
    EXPECT_EQ(frames("telex", "oversize"), 1) << svc_->registry().render();
    EXPECT_EQ(frames("telex", "ok"), 1);
    EXPECT_EQ(received("telex"), 1);
}

// A frame left open holds memory and is not a story: cut at the idle timeout (the frame's own
// when shorter), its bytes dead-lettered, never published.
TEST_F(HostileStream, FrameLeftOpenWhenTheSenderFallsSilentIsCutAtTheIdleTimeout) {
    start_gateway();
    raw_client c(svc_->stream_port("seven"));
    const auto seven = good_7901();
    const auto cut = seven.substr(0, seven.find('\x03'));  // no ETX, then silence
    ASSERT_TRUE(c.send(cut));
    EXPECT_TRUE(c.closed_by_server(5s)) << "a silent stream must be closed";
    expect_truncated("seven", cut.substr(cut.find('\x01')));  // the frame starts at SOH
    EXPECT_EQ(connections("seven", "frame_idle_timeout"), 1);
}

TEST_F(HostileStream, FrameThatStopsGrowingIsCutBeforeTheConnectionIdleTimeout) {
    cfg_.streams[0].idle_timeout_ms = 60000;
    cfg_.streams[0].frame_idle_timeout_ms = 300;
    start_gateway();
    raw_client c(svc_->stream_port("telex"));
    const auto cut = good_zczc().substr(0, 200);
    ASSERT_TRUE(c.send(cut));
    EXPECT_TRUE(c.closed_by_server(5s)) << "the frame idle timeout is 300 ms";
    expect_truncated("telex", cut);
    EXPECT_EQ(connections("telex", "frame_idle_timeout"), 1);
}

// A ZCZC connection that dropped mid-story published the truncated story to the desks (the
// zczc adapter reads records without NNNN). A frame the end of its connection cut short goes
// to the dead-letter topic instead.
TEST_F(HostileStream, ZczcConnectionDroppedMidStoryIsDeadLetteredNotPublished) {
    start_gateway();
    const auto story = good_zczc();
    const auto cut = story.substr(0, story.find("Stoltenberg made"));
    send_tcp(svc_->stream_port("telex"), cut);  // and closes
    expect_truncated("telex", cut);
    EXPECT_EQ(connections("telex", "frame_idle_timeout"), 0);
    // The whole story, sent after, is the first message on the desks' topic.
    send_tcp(svc_->stream_port("telex"), story);
    auto msgs = consume(cfg_.kafka.brokers, topics_.all, 1, 30s);
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_NE(msgs[0].value.find("Stoltenberg made"), std::string::npos);
}

// 80 idle connections from one address filled the listener's cap (80): a sender at another
// address was closed at accept. With a cap per address (64 by default) it is served.
TEST_F(HostileStream, ConnectionsFromOneAddressDoNotLockOutAnother) {
    cfg_.limits.max_connections = 80;
    cfg_.streams[0].idle_timeout_ms = 30000;
    start_gateway();
    std::vector<raw_client> held;
    for (int i = 0; i < 80; ++i) held.emplace_back(svc_->stream_port("telex"));
    EXPECT_TRUE(eventually(
        [&] {
            return connections("telex", "accepted") + connections("telex", "per_address") == 80;
        },
        10s))
        << svc_->registry().render();
    {
        raw_client other(svc_->stream_port("telex"), "127.0.0.2");
        ASSERT_TRUE(other.send(good_zczc()));
    }
    EXPECT_EQ(consume(cfg_.kafka.brokers, topics_.all, 1, 30s).size(), 1u)
        << svc_->registry().render();
    EXPECT_EQ(connections("telex", "per_address"), 80 - 64);
}

// Open frames of all connections share one budget: a connection whose frame would pass it is
// cut, and the frames within it still arrive.
TEST_F(HostileStream, OpenFramesOverTheSharedBudgetAreCutAndTheOthersStillArrive) {
    cfg_.limits.max_open_frame_bytes = 100u << 10;
    for (auto& st : cfg_.streams) st.idle_timeout_ms = 30000;
    start_gateway();
    const auto story = good_zczc();
    const std::string head = story.substr(0, story.find("Stoltenberg made"));
    std::string filler;  // 40 KiB of text lines
    while (filler.size() < (40u << 10)) filler += std::string(79, 'x') + "\n";
    raw_client a(svc_->stream_port("telex")), b(svc_->stream_port("telex"));
    ASSERT_TRUE(a.send(head + filler));
    EXPECT_TRUE(eventually([&] { return metric("wiregate_stream_open_frame_bytes") > 40000; }, 5s));
    b.send(head + filler + filler);  // with a's 40 KiB, more than the 100 KiB budget
    EXPECT_TRUE(b.closed_by_server(5s));
    EXPECT_EQ(frames("telex", "over_budget"), 1) << svc_->registry().render();
    EXPECT_LE(metric("wiregate_stream_open_frame_bytes"), 100u << 10);
    ASSERT_TRUE(a.send(story.substr(head.size())));  // a's frame ends with its NNNN
    EXPECT_EQ(consume(cfg_.kafka.brokers, topics_.all, 1, 30s).size(), 1u);
    EXPECT_EQ(received("telex"), 1);
}

TEST_F(HostileStream, UnreadableFrameIsDeadLetteredWithItsRawBytesAndStreamSource) {
    start_gateway();
    const std::string frame = "ZCZC\r\n\r\nNNNN\r\n";
    send_tcp(svc_->stream_port("telex"), frame);
    auto dead = consume(cfg_.kafka.brokers, topics_.rejected, 1, 30s);
    ASSERT_EQ(dead.size(), 1u);
    EXPECT_EQ(dead[0].value.substr(0, 4), "ZCZC");
    EXPECT_EQ(frame.find(dead[0].value), 0u) << "the dead letter is not the frame's bytes";
    EXPECT_EQ(header(dead[0].headers, "wiregate-source"), "stream");
    EXPECT_EQ(header(dead[0].headers, "wiregate-feed"), "telex");
    EXPECT_EQ(header(dead[0].headers, "wiregate-reason"), "missing_required");
    // Counted once the gateway has the broker's acknowledgement, which may come after the
    // consumer above has read the letter.
    EXPECT_TRUE(eventually([&] { return rejected("telex", "missing_required") == 1; }, 10s))
        << rejected("telex", "missing_required");
}

TEST_F(HostileStream, BinaryNoiseFullOfFrameMarkersDoesNotStopTheListener) {
    start_gateway();
    std::mt19937 rng(11);
    const char markers[] = {'\x01', '\x02', '\x03', '\x04', '\x16', '\r', '\n'};
    std::string noise;
    for (int i = 0; i < 512 * 1024; ++i)
        noise += rng() % 4 == 0 ? markers[rng() % sizeof markers] : static_cast<char>(rng());
    send_tcp(svc_->stream_port("seven"), noise);
    send_tcp(svc_->stream_port("seven"), good_7901());
    ASSERT_TRUE(eventually(
        [&] { return metric("wiregate_stories_published_total{feed=\"seven\"}") >= 1; }, 30s))
        << svc_->registry().render();
    auto msgs = consume(cfg_.kafka.brokers, topics_.all, 1, 30s);
    ASSERT_GE(msgs.size(), 1u);
    EXPECT_EQ(header(msgs[0].headers, "feed"), "seven");
}

TEST_F(HostileStream, StreamConnectionsOverTheCapAreClosedAtOnceAndCounted) {
    cfg_.limits.max_connections = 2;
    start_gateway();
    raw_client a(svc_->stream_port("telex")), b(svc_->stream_port("telex"));
    ASSERT_TRUE(eventually(
        [&] {
            return metric(
                       "wiregate_stream_connections_total{feed=\"telex\",result=\"accepted\"}") ==
                   2;
        },
        5s));
    raw_client over(svc_->stream_port("telex"));
    EXPECT_TRUE(over.closed_by_server(2s));
    EXPECT_EQ(metric("wiregate_stream_connections_total{feed=\"telex\",result=\"over_capacity\"}"),
              1);
    // The two within the cap still deliver.
    ASSERT_TRUE(a.send(good_zczc()));
    EXPECT_EQ(consume(cfg_.kafka.brokers, topics_.all, 1, 30s).size(), 1u);
}

}  // namespace

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

TEST_F(HostileStream, FrameLeftOpenWhenTheSenderFallsSilentIsCutAtTheIdleTimeout) {
    start_gateway();
    raw_client c(svc_->stream_port("seven"));
    const auto seven = good_7901();
    ASSERT_TRUE(c.send(seven.substr(0, seven.find('\x03'))));  // no ETX, then silence
    EXPECT_TRUE(c.closed_by_server(5s)) << "a silent stream must be closed";
    EXPECT_TRUE(eventually([&] { return frames("seven", "partial") == 1; }, 5s))
        << svc_->registry().render();
    EXPECT_EQ(received("seven"), 0);
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
    EXPECT_EQ(rejected("telex", "missing_required"), 1);
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

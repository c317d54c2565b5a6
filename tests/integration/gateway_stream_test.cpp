// TCP telex streams against the real broker: every good ANPA-1312 / IPTC 7901 / ZCZC fixture
// framed off a socket and consumed back; garbage, partial frames and strangers do no harm.
#include <simdjson.h>

#include "gateway_fixture.hpp"

using namespace wire::testing;
using namespace std::chrono_literals;

namespace {

// Stream framing needs the frame markers; control-stripped inputs (dpa's 7901 without SOH)
// only arrive over HTTP.
bool has_frame_markers(const fixture& fx, const std::string& bytes) {
    if (fx.format == "zczc") return bytes.find("ZCZC") != std::string::npos;
    return bytes.find('\x01') != std::string::npos;
}

class GatewayStream : public gateway_test {
  protected:
    // One stream listener per telex feed the fixtures need.
    void add_streams() {
        for (const auto& f : cfg_.feeds) {
            wire::config::stream_listener_config s;
            s.feed = f.id;
            s.port = 0;
            s.framing = f.format;
            s.allow_from = {"127.0.0.0/8"};
            cfg_.streams.push_back(s);
        }
    }
};

TEST_F(GatewayStream, EveryGoodTelexFixtureSentOverTcpIsConsumedBack) {
    auto all = good_fixtures({"anpa1312", "iptc7901", "zczc"});
    std::vector<fixture> fixtures;
    for (const auto& fx : all)
        if (fx.streamable && has_frame_markers(fx, read_file(fx.path))) fixtures.push_back(fx);
    ASSERT_GT(fixtures.size(), 15u);
    make(fixtures);
    add_streams();
    cfg_.dedup.enabled = false;  // renderings of one story version must all arrive (framing test)
    start_gateway();
    std::size_t expected = 0;
    for (const auto& fx : fixtures) {
        send_tcp(svc_->stream_port(fx.feed_id()), read_file(fx.path));
        expected += fx.stories;
    }
    auto msgs = consume(cfg_.kafka.brokers, topics_.all, expected, 90s);
    EXPECT_EQ(msgs.size(), expected) << svc_->registry().render();
    std::size_t per_format[3] = {0, 0, 0};
    for (const auto& m : msgs) {
        EXPECT_EQ(header(m.headers, "schema"), "wiregate.story/1");
        auto f = header(m.headers, "format");
        per_format[f == "anpa1312" ? 0 : f == "iptc7901" ? 1 : 2]++;
        EXPECT_FALSE(m.key.empty());
    }
    EXPECT_GT(per_format[0], 0u);
    EXPECT_GT(per_format[1], 0u);
    EXPECT_GT(per_format[2], 0u);
    // Nothing went to the dead-letter topic.
    EXPECT_EQ(svc_->registry().render().find("wiregate_stories_rejected_total{"),
              std::string::npos);
}

TEST_F(GatewayStream, GarbagePartialAndOversizeFramesAreCountedAndTheGoodFramesStillArrive) {
    make();
    add_feed(cfg_, "telex", "zczc", "interfax");
    add_feed(cfg_, "ifx7901", "iptc7901", "interfax");
    add_streams();
    cfg_.streams[0].max_frame_bytes = 4096;
    cfg_.dedup.enabled = false;  // the good record is sent twice and must arrive twice here
    start_gateway();
    auto good = read_file(fixtures_dir() / "zczc/good/001-interfax-en-new.txt");
    // Garbage, a good record, an oversize record, the good record again, and an empty record
    // cut by the end of the connection (no NNNN: dead-lettered as truncated_frame).
    std::string stream = "line noise \x07\x07 garbage\r\n" + good + "\r\nZCZC " +
                         std::string(10000, 'A') + "\r\nNNNN\r\n" + good + "ZCZC\r\n";
    send_tcp(svc_->stream_port("telex"), stream);
    // An IPTC 7901 message without its ETX when the connection ends is truncated too.
    auto seven = read_file(fixtures_dir() / "iptc7901/good/001-interfax-new.iptc");
    send_tcp(svc_->stream_port("ifx7901"), seven.substr(0, seven.find('\x03')));
    EXPECT_EQ(consume(cfg_.kafka.brokers, topics_.all, 2, 30s).size(), 2u);
    auto dead = consume(cfg_.kafka.brokers, topics_.rejected, 2, 30s);
    ASSERT_EQ(dead.size(), 2u);
    for (const auto& d : dead) {
        EXPECT_EQ(header(d.headers, "wiregate-source"), "stream");
        EXPECT_EQ(header(d.headers, "wiregate-reason"), "truncated_frame");
    }
    auto text = svc_->registry().render();
    EXPECT_NE(text.find("wiregate_stream_frames_total{feed=\"telex\",result=\"oversize\"} 1"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("wiregate_stream_frames_total{feed=\"ifx7901\",result=\"truncated\"} 1"),
              std::string::npos);
    EXPECT_NE(text.find("wiregate_stream_garbage_bytes_total{feed=\"telex\"}"), std::string::npos);
}

TEST_F(GatewayStream, AddressOutsideAllowFromIsRefusedAndNothingIsPublished) {
    make();
    add_feed(cfg_, "telex", "zczc", "interfax");
    add_streams();
    cfg_.streams[0].allow_from = {"10.0.0.0/8", "2001:db8::/32"};
    start_gateway();
    send_tcp(svc_->stream_port("telex"),
             read_file(fixtures_dir() / "zczc/good/001-interfax-en-new.txt"));
    std::string text;
    EXPECT_TRUE(eventually(
        [&] {
            text = svc_->registry().render();
            return text.find(
                       "wiregate_stream_connections_total{feed=\"telex\",result=\"refused\"} "
                       "1") != std::string::npos;
        },
        std::chrono::seconds(5)))
        << text;
    EXPECT_EQ(text.find("wiregate_stories_received_total{feed=\"telex\"}"), std::string::npos);
}

}  // namespace

// The hostile-input catalogue, part 2: broken and hostile HTTP on the ingest port, written byte
// by byte on raw sockets. Each refusal is answered with its status and counted
// (wiregate_http_requests_total{code}, wiregate_http_connections_refused_total{reason}); none
// reaches the pipeline, so none can publish a story or leave a dead letter (received == 0).
#include <cstdio>

#include "hostile_fixture.hpp"

using namespace wire::testing;
using namespace std::chrono_literals;

namespace {

const std::string k_target = "/v1/feeds/f/stories";
const std::string k_auth = "Authorization: Bearer key-f\r\n";

class HostileHttp : public hostile_test {
  protected:
    // Sends raw bytes; expects `status`, the connection closed, the metrics, nothing read.
    http_answer expect_refused(const std::string& bytes, int status, const std::string& reason) {
        raw_client c(port());
        c.send(bytes);
        auto a = c.read_answer();
        EXPECT_EQ(a.status, status) << a.body;
        EXPECT_NE(a.body.find("\"code\""), std::string::npos) << a.body;
        EXPECT_TRUE(c.closed_by_server(5s)) << "a refused connection must be closed";
        EXPECT_EQ(requests(status), 1) << svc_->registry().render();
        if (!reason.empty()) {
            EXPECT_EQ(refused(reason), 1) << svc_->registry().render();
        }
        EXPECT_EQ(received("f"), 0) << "the refused request reached the pipeline";
        return a;
    }
    std::string good_request() { return raw_post(k_target, k_auth, ninjs_story()); }
};

TEST_F(HostileHttp, TwoDifferentContentLengthHeadersAreRefused400) {
    start_gateway();
    const auto body = ninjs_story();
    expect_refused("POST " + k_target + " HTTP/1.1\r\nHost: x\r\n" + k_auth + "Content-Length: " +
                       std::to_string(body.size()) + "\r\nContent-Length: 5\r\n\r\n" + body,
                   400, "bad_request");
}

TEST_F(HostileHttp, ContentLengthWithChunkedTransferEncodingIsRefused400) {
    start_gateway();
    expect_refused("POST " + k_target + " HTTP/1.1\r\nHost: x\r\n" + k_auth +
                       "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                   400, "bad_request");
}

TEST_F(HostileHttp, TransferEncodingOtherThanPlainChunkedIsRefused501) {
    start_gateway();
    expect_refused("POST " + k_target + " HTTP/1.1\r\nHost: x\r\n" + k_auth +
                       "Transfer-Encoding: gzip\r\n\r\nPOST " + k_target + " HTTP/1.1\r\n\r\n",
                   501, "transfer_encoding");
}

TEST_F(HostileHttp, MalformedChunkSizeIsRefused400) {
    start_gateway();
    expect_refused("POST " + k_target + " HTTP/1.1\r\nHost: x\r\n" + k_auth +
                       "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
                   400, "bad_request");
}

TEST_F(HostileHttp, OverflowingChunkSizeIsRefused400) {
    start_gateway();
    expect_refused("POST " + k_target + " HTTP/1.1\r\nHost: x\r\n" + k_auth +
                       "Transfer-Encoding: chunked\r\n\r\nfffffffffffffffffffff\r\n{}\r\n",
                   400, "bad_request");
}

TEST_F(HostileHttp, EndlessChunkExtensionIsRefusedNotBuffered) {
    start_gateway();
    // A chunk-size line that never ends: Beast's body limit does not count extension bytes,
    // so only the connection's buffer limit stops it.
    raw_client c(port());
    c.send("POST " + k_target + " HTTP/1.1\r\nHost: x\r\n" + k_auth +
           "Transfer-Encoding: chunked\r\n\r\n1");
    const std::string ext = [] {
        std::string e;
        while (e.size() < (1u << 20)) e += ";a=b";
        return e;
    }();
    const long hwm_before = proc_status_kib(::getpid(), "VmHWM");
    std::size_t sent = 0;
    while (sent < (256u << 20) && c.send(ext)) sent += ext.size();
    auto a = c.read_answer(5s);
    EXPECT_EQ(a.status, 400) << "sent " << sent << " bytes of chunk extension";
    EXPECT_LT(sent, 64u << 20) << "the gateway kept reading an endless chunk header";
    EXPECT_LT(proc_status_kib(::getpid(), "VmHWM") - hwm_before, 64L << 10);
    EXPECT_EQ(refused("bad_request"), 1) << svc_->registry().render();
    EXPECT_EQ(received("f"), 0);
}

TEST_F(HostileHttp, TrailerFloodAfterTheLastChunkIsRefused) {
    start_gateway();
    raw_client c(port());
    c.send("POST " + k_target + " HTTP/1.1\r\nHost: x\r\n" + k_auth +
           "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n");
    std::string trailers;
    for (int i = 0; i < 20000; ++i) trailers += "X-T" + std::to_string(i) + ": y\r\n";
    std::size_t sent = 0;
    while (sent < (64u << 20) && c.send(trailers)) sent += trailers.size();
    auto a = c.read_answer(5s);
    EXPECT_EQ(a.status, 400) << " after " << sent << " bytes";
    EXPECT_EQ(refused("bad_request"), 1);
    EXPECT_LT(sent, 16u << 20) << "the gateway kept reading trailer fields";
    EXPECT_EQ(received("f"), 0);
}

TEST_F(HostileHttp, ChunkedBodyOverTheLimitIsRefused413) {
    cfg_.limits.max_body_bytes = 4096;
    start_gateway();
    std::string chunks;
    for (int i = 0; i < 10; ++i) chunks += "400\r\n" + std::string(1024, ' ') + "\r\n";
    expect_refused("POST " + k_target + " HTTP/1.1\r\nHost: x\r\n" + k_auth +
                       "Transfer-Encoding: chunked\r\n\r\n" + chunks + "0\r\n\r\n",
                   413, "body_too_large");
}

TEST_F(HostileHttp, DeclaredOversizeBodyIsRefused413BeforeItIsSent) {
    start_gateway();
    // Only the header is sent: the answer must not wait for 1 GiB that never comes.
    expect_refused("POST " + k_target + " HTTP/1.1\r\nHost: x\r\n" + k_auth +
                       "Content-Length: 1073741824\r\n\r\n",
                   413, "");
}

TEST_F(HostileHttp, OversizeBodySentWithoutWaitingStillGetsIts413) {
    cfg_.limits.max_body_bytes = 1u << 20;
    start_gateway();
    // Most clients send the body at once, as curl does: the 413 must reach them, not a reset.
    expect_refused(raw_post(k_target, k_auth, std::string(4u << 20, 'x')), 413, "");
}

TEST_F(HostileHttp, ObsFoldedLineDoesNotSmuggleAnAuthorizationHeader) {
    start_gateway();
    // The folded line continues X-Note; it is not a header of its own.
    const auto body = ninjs_story();
    expect_refused("POST " + k_target + " HTTP/1.1\r\nHost: x\r\nX-Note: a\r\n " + k_auth +
                       "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body,
                   401, "");
    EXPECT_EQ(metric("wiregate_auth_failures_total{feed=\"f\",reason=\"missing_credentials\"}"), 1);
}

TEST_F(HostileHttp, GarbageRequestLineIsRefused400) {
    start_gateway();
    expect_refused("\x16\x03\x01\x02\x00garbage \xFF\xFE\r\n\r\n", 400, "bad_request");
}

TEST_F(HostileHttp, Http09RequestWithoutAVersionIsRefused400) {
    start_gateway();
    expect_refused("GET /v1/feeds/f/stories\r\n\r\n", 400, "bad_request");
}

TEST_F(HostileHttp, AbsurdMethodIsRefused405) {
    start_gateway();
    auto a = expect_refused(
        std::string(200, 'Z') + " " + k_target + " HTTP/1.1\r\nHost: x\r\n" + k_auth + "\r\n", 405,
        "");
    EXPECT_EQ(a.headers["allow"], "POST");
}

TEST_F(HostileHttp, UrlOverTheHeaderLimitIsRefused431) {
    start_gateway();
    expect_refused("POST /v1/feeds/" + std::string(20000, 'a') + "/stories HTTP/1.1\r\n\r\n", 431,
                   "header_too_large");
}

TEST_F(HostileHttp, NulByteInAHeaderValueIsRefused400) {
    start_gateway();
    expect_refused(raw_post(k_target, k_auth + std::string("X-Evil: a\0b\r\n", 13), "{}"), 400,
                   "bad_request");
}

TEST_F(HostileHttp, ControlCharacterInAHeaderNameIsRefused400) {
    start_gateway();
    expect_refused(raw_post(k_target, k_auth + "X-\x01Evil: a\r\n", "{}"), 400, "bad_request");
}

TEST_F(HostileHttp, ThousandsOfSmallHeadersAreRefused431) {
    start_gateway();
    std::string flood;
    for (int i = 0; i < 5000; ++i) flood += "X-" + std::to_string(i) + ": y\r\n";
    expect_refused(raw_post(k_target, k_auth + flood, "{}"), 431, "header_too_large");
}

TEST_F(HostileHttp, OneHugeHeaderIsRefused431) {
    start_gateway();
    expect_refused(raw_post(k_target, k_auth + "X-Big: " + std::string(100000, 'b') + "\r\n", "{}"),
                   431, "header_too_large");
}

TEST_F(HostileHttp, NegativeContentLengthIsRefused400) {
    start_gateway();
    expect_refused(
        "POST " + k_target + " HTTP/1.1\r\nHost: x\r\n" + k_auth + "Content-Length: -1\r\n\r\n{}",
        400, "bad_request");
}

TEST_F(HostileHttp, PipelinedRequestAfterABadOneIsNeverRead) {
    start_gateway();
    expect_refused("POST " + k_target + " HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n" +
                       "Content-Length: 3\r\n\r\n{}" + good_request(),
                   400, "bad_request");
    EXPECT_EQ(requests(200), 0);
}

TEST_F(HostileHttp, PipelinedGoodRequestsAreAnsweredInOrder) {
    start_gateway();
    raw_client c(port());
    ASSERT_TRUE(c.send(good_request() + raw_post(k_target, k_auth, "{") + good_request()));
    EXPECT_EQ(c.read_answer().status, 200);
    EXPECT_EQ(c.read_answer().status, 422);
    EXPECT_EQ(c.read_answer().status, 200);
    EXPECT_EQ(metric("wiregate_stories_published_total{feed=\"f\"}"), 2);
    expect_dead_letter("{", "f", "malformed");
}

TEST_F(HostileHttp, SlowlorisHeaderTricklingBytesIsCutOffAtTheReadTimeout) {
    start_gateway();  // read_timeout_ms 1000
    raw_client c(port());
    const auto started = std::chrono::steady_clock::now();
    const std::string head = "POST " + k_target + " HTTP/1.1\r\nHost: x\r\nX-Slow: ";
    ASSERT_TRUE(c.send(head));
    // One byte every 50 ms keeps every single read short; the whole header still has 1 s.
    bool cut = false;
    while (!cut && std::chrono::steady_clock::now() - started < 10s)
        cut = !c.send("a") || c.closed_by_server(50ms);
    EXPECT_TRUE(cut);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
    EXPECT_TRUE(eventually([&] { return refused("read_timeout") == 1; }, 5s));
    EXPECT_EQ(received("f"), 0);
}

TEST_F(HostileHttp, SlowBodyTricklingBytesIsCutOffAtTheReadTimeout) {
    start_gateway();
    raw_client c(port());
    const auto started = std::chrono::steady_clock::now();
    ASSERT_TRUE(c.send("POST " + k_target + " HTTP/1.1\r\nHost: x\r\n" + k_auth +
                       "Content-Length: 100000\r\n\r\n{\"uri\":\""));
    bool cut = false;
    while (!cut && std::chrono::steady_clock::now() - started < 10s)
        cut = !c.send("a") || c.closed_by_server(50ms);
    EXPECT_TRUE(cut);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
    EXPECT_TRUE(eventually([&] { return refused("read_timeout") == 1; }, 5s));
    EXPECT_EQ(received("f"), 0);
}

TEST_F(HostileHttp, IdleConnectionsThatNeverSendAreClosedAtTheReadTimeout) {
    start_gateway();
    std::vector<raw_client> idle;
    for (int i = 0; i < 50; ++i) idle.emplace_back(port());
    EXPECT_TRUE(eventually([&] { return scraped("wiregate_http_open_connections") == 50; }, 5s));
    for (auto& c : idle) EXPECT_TRUE(c.closed_by_server(5s));
    EXPECT_TRUE(eventually([&] { return refused("read_timeout") == 50; }, 5s));
    EXPECT_TRUE(eventually([&] { return scraped("wiregate_http_open_connections") == 0; }, 5s));
}

TEST_F(HostileHttp, ConnectionsOverTheCapAreClosedAtOnceAndCounted) {
    cfg_.limits.max_connections = 3;
    start_gateway();
    std::vector<raw_client> held;
    for (int i = 0; i < 3; ++i) held.emplace_back(port());
    EXPECT_TRUE(eventually([&] { return scraped("wiregate_http_open_connections") == 3; }, 5s));
    raw_client over(port());
    EXPECT_TRUE(over.closed_by_server(500ms));
    EXPECT_TRUE(eventually([&] { return refused("over_capacity") == 1; }, 5s))
        << svc_->registry().render();
}

// Without a shared budget 1,024 connections could each be 16 MiB into a body at once: bytes
// are charged to max_inflight_bytes as they arrive (never more than declared), not once the
// body is in. The floors of the feeds are off here: this is the shared pool alone.
TEST_F(HostileHttp, UploadsAreChargedAsTheyArriveAndRefused429OnceTheBudgetIsFull) {
    cfg_.limits.max_body_bytes = 1u << 20;
    cfg_.limits.max_inflight_bytes = 2'000'000;
    cfg_.limits.inflight_bytes_floor_per_feed = 0;
    cfg_.limits.read_timeout_ms = 20000;  // the senders stall on purpose
    start_gateway();
    std::string body = ninjs_story();
    body.resize(1'000'000, ' ');
    const std::string head = "POST " + k_target + " HTTP/1.1\r\nHost: x\r\n" + k_auth +
                             "Content-Length: 1000000\r\n\r\n";
    const std::size_t part = 999'900;
    raw_client first(port()), second(port());
    ASSERT_TRUE(first.send(head + body.substr(0, part)));
    ASSERT_TRUE(second.send(head + body.substr(0, part)));
    EXPECT_TRUE(eventually([&] { return metric("wiregate_inflight_bytes") >= 2.0 * part; }, 5s))
        << svc_->registry().render();
    EXPECT_LE(metric("wiregate_inflight_bytes"), 2'000'000);

    raw_client third(port());
    ASSERT_TRUE(third.send(head + body.substr(0, 100)));
    auto refused_answer = third.read_answer();
    EXPECT_EQ(refused_answer.status, 429) << refused_answer.body;
    EXPECT_NE(refused_answer.body.find("over_capacity"), std::string::npos);
    EXPECT_FALSE(refused_answer.headers["retry-after"].empty());
    EXPECT_TRUE(third.closed_by_server(5s));
    EXPECT_EQ(refused("inflight_bytes"), 1);

    ASSERT_TRUE(first.send(body.substr(part)));
    EXPECT_EQ(first.read_answer().status, 200);
    EXPECT_TRUE(eventually([&] { return metric("wiregate_inflight_bytes") <= 1'000'000; }, 5s));
    {
        raw_client gone = std::move(second);  // hangs up mid-body: its bytes are released
    }
    EXPECT_TRUE(eventually([&] { return metric("wiregate_inflight_bytes") == 0; }, 5s))
        << svc_->registry().render();
    EXPECT_EQ(received("f"), 1);
}

TEST_F(HostileHttp, ChunkedUploadsThatTogetherOutgrowTheByteBudgetAreCutOff429) {
    cfg_.limits.max_body_bytes = 1u << 20;
    cfg_.limits.max_inflight_bytes = 1u << 20;
    cfg_.limits.inflight_bytes_floor_per_feed = 0;  // the shared pool alone
    cfg_.limits.read_timeout_ms = 20000;
    start_gateway();
    const std::string head = "POST " + k_target + " HTTP/1.1\r\nHost: x\r\n" + k_auth +
                             "Transfer-Encoding: chunked\r\n\r\n";
    auto chunk = [](const std::string& bytes) {
        char size[32];
        std::snprintf(size, sizeof size, "%zx\r\n", bytes.size());
        return size + bytes + "\r\n";
    };
    // The first upload, 700 KiB in, stalls; nobody declared its size.
    std::string story = ninjs_story();
    story.resize(700u << 10, ' ');
    raw_client first(port());
    ASSERT_TRUE(first.send(head));
    for (std::size_t at = 0; at < story.size(); at += 16u << 10)
        ASSERT_TRUE(first.send(chunk(story.substr(at, 16u << 10))));
    EXPECT_TRUE(eventually([&] { return metric("wiregate_inflight_bytes") >= (700u << 10); }, 5s))
        << svc_->registry().render();

    // The second grows until the two no longer fit: answered 429 and cut off.
    raw_client second(port());
    ASSERT_TRUE(second.send(head));
    std::size_t sent = 0;
    while (sent < (1u << 20) && !second.closed_by_server(20ms) &&
           second.send(chunk(std::string(16u << 10, ' '))))
        sent += 16u << 10;
    auto a = second.read_answer();
    EXPECT_EQ(a.status, 429) << a.body << " after " << sent << " bytes";
    EXPECT_NE(a.body.find("over_capacity"), std::string::npos);
    EXPECT_LE(sent, 400u << 10) << "the second upload was read past the budget";
    EXPECT_EQ(refused("inflight_bytes"), 1);
    EXPECT_LE(metric("wiregate_inflight_bytes"), 1u << 20);

    // The first is unharmed and, once answered, gives its bytes back.
    ASSERT_TRUE(first.send("0\r\n\r\n"));
    EXPECT_EQ(first.read_answer().status, 200);
    EXPECT_TRUE(eventually([&] { return metric("wiregate_inflight_bytes") == 0; }, 5s))
        << svc_->registry().render();
}

TEST_F(HostileHttp, TlsClientHelloOnThePlainPortIsRefused400) {
    start_gateway();
    expect_refused(std::string("\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03", 11) +
                       std::string(160, '\x2a') + "\r\n\r\n",
                   400, "bad_request");
}

}  // namespace

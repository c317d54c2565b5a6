// The hostile-input catalogue, part 3: who may push where. Missing, wrong and forged
// credentials, replayed and tampered HMAC signatures, unknown feeds and path tricks in the feed
// id, content types we do not read. Each is answered before the pipeline (nothing received, so
// no story and no dead letter) and counted: wiregate_auth_failures_total{feed,reason} for the
// credentials, wiregate_http_requests_total{code} for all. An unknown feed is answered as a
// known one that refuses the key, so that the answers do not list the feed ids.
#include "auth/authenticator.hpp"
#include "hostile_fixture.hpp"

using namespace wire::testing;
using namespace std::chrono_literals;

namespace {

std::string now_unix(long long offset = 0) {
    return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count() +
                          offset);
}

class HostileAuth : public hostile_test {
  protected:
    void SetUp() override {
        hostile_test::SetUp();
        start_gateway();
    }
    // A request to `feed` refused with `status`; `reason` is the auth failure counted ("" none).
    void expect_refused(const http_answer& a, const std::string& feed, int status,
                        const std::string& reason) {
        EXPECT_EQ(a.status, status) << a.body;
        EXPECT_NE(a.body.find("\"code\""), std::string::npos) << a.body;
        EXPECT_EQ(requests(status), 1) << svc_->registry().render();
        if (!reason.empty()) {
            EXPECT_EQ(metric("wiregate_auth_failures_total{feed=\"" + feed + "\",reason=\"" +
                             reason + "\"}"),
                      1)
                << svc_->registry().render();
        }
        for (const char* f : {"f", "x", "s"}) EXPECT_EQ(received(f), 0) << f;
    }
    http_answer signed_post(const std::string& body, const std::string& ts, const std::string& sig,
                            const std::string& key = "key-s") {
        http_client c(port());
        return c.post_story("s", key, body, "application/json",
                            {{"X-Wiregate-Timestamp", ts}, {"X-Wiregate-Signature", sig}});
    }
    static std::string sign(const std::string& ts, const std::string& body) {
        return wire::auth::sign("hostile-secret", ts, body);
    }
    http_answer post_to(const std::string& target, const std::string& key = "key-f") {
        return raw_exchange(
            port(), raw_post(target, "Authorization: Bearer " + key + "\r\n", ninjs_story()));
    }
};

TEST_F(HostileAuth, MissingCredentialsAreRefused401) {
    http_client c(port());
    expect_refused(c.post_story("f", "", ninjs_story()), "f", 401, "missing_credentials");
}

TEST_F(HostileAuth, NonBearerSchemeIsRefused401) {
    http_client c(port());
    expect_refused(c.request("POST", "/v1/feeds/f/stories", ninjs_story(),
                             {{"Authorization", "Basic a2V5LWY6"}}),
                   "f", 401, "missing_credentials");
}

TEST_F(HostileAuth, EmptyBearerTokenIsRefused401) {
    http_client c(port());
    expect_refused(
        c.request("POST", "/v1/feeds/f/stories", ninjs_story(), {{"Authorization", "Bearer   "}}),
        "f", 401, "missing_credentials");
}

TEST_F(HostileAuth, WrongKeyIsRefused403) {
    http_client c(port());
    expect_refused(c.post_story("f", "key-f-guess", ninjs_story()), "f", 403, "bad_credentials");
}

TEST_F(HostileAuth, KeyOfAnotherFeedIsRefused403) {
    http_client c(port());
    expect_refused(c.post_story("f", "key-x", ninjs_story()), "f", 403, "bad_credentials");
}

TEST_F(HostileAuth, HugeBearerTokenIsRefused403) {
    http_client c(port());
    expect_refused(c.post_story("f", std::string(6000, 'k'), ninjs_story()), "f", 403,
                   "bad_credentials");
}

TEST_F(HostileAuth, ExpiredSignatureTimestampIsRefused401) {
    const auto body = ninjs_story(), ts = now_unix(-3600);
    expect_refused(signed_post(body, ts, sign(ts, body)), "s", 401, "stale_timestamp");
}

TEST_F(HostileAuth, FutureSignatureTimestampIsRefused401) {
    const auto body = ninjs_story(), ts = now_unix(+3600);
    expect_refused(signed_post(body, ts, sign(ts, body)), "s", 401, "stale_timestamp");
}

TEST_F(HostileAuth, NonNumericSignatureTimestampIsRefused401) {
    const auto body = ninjs_story(), ts = now_unix() + ".5";
    expect_refused(signed_post(body, ts, sign(ts, body)), "s", 401, "stale_timestamp");
}

TEST_F(HostileAuth, MissingSignatureIsRefused401) {
    http_client c(port());
    expect_refused(c.post_story("s", "key-s", ninjs_story(), "application/json"), "s", 401,
                   "missing_signature");
}

TEST_F(HostileAuth, TamperedBodyUnderAValidSignatureIsRefused403) {
    const auto body = ninjs_story("Original"), ts = now_unix();
    auto tampered = body;
    tampered.replace(tampered.find("Original"), 8, "Tampered");
    expect_refused(signed_post(tampered, ts, sign(ts, body)), "s", 403, "bad_signature");
}

TEST_F(HostileAuth, SignatureMovedToAnotherTimestampIsRefused403) {
    const auto body = ninjs_story(), ts = now_unix(-10);
    expect_refused(signed_post(body, now_unix(), sign(ts, body)), "s", 403, "bad_signature");
}

TEST_F(HostileAuth, MalformedSignatureIsRefused403) {
    const auto body = ninjs_story(), ts = now_unix();
    auto sig = sign(ts, body);
    sig.back() = 'g';  // not hex
    expect_refused(signed_post(body, ts, sig), "s", 403, "bad_signature");
}

TEST_F(HostileAuth, ReplayedSignedRequestIsPublishedOnceAndAnsweredDuplicate) {
    const auto body = ninjs_story(), ts = now_unix();
    const auto sig = sign(ts, body);
    auto first = signed_post(body, ts, sig);
    ASSERT_EQ(first.status, 200) << first.body;
    EXPECT_NE(first.body.find("\"status\":\"published\""), std::string::npos);
    auto replay = signed_post(body, ts, sig);
    EXPECT_EQ(replay.status, 200) << replay.body;
    EXPECT_NE(replay.body.find("\"status\":\"duplicate\""), std::string::npos) << replay.body;
    EXPECT_EQ(metric("wiregate_stories_published_total{feed=\"s\"}"), 1);
    EXPECT_EQ(metric("wiregate_stories_duplicate_total{feed=\"s\"}"), 1);
    // The duplicate never reaches the producer: one message, the first request's.
    EXPECT_EQ(consume(cfg_.kafka.brokers, topics_.all, 1, 30s).size(), 1u);
}

TEST_F(HostileAuth, OverlongIdempotencyKeyIsRefused400) {
    http_client c(port());
    expect_refused(c.post_story("f", "key-f", ninjs_story(), "",
                                {{"Idempotency-Key", std::string(4000, 'i')}}),
                   "", 400, "");
}

// A feed id nobody configured is refused as a configured feed refuses a key not its own.
TEST_F(HostileAuth, UnknownFeedIsRefused403AsAWrongKeyIs) {
    expect_refused(post_to("/v1/feeds/nosuchfeed/stories"), "(unknown)", 403, "bad_credentials");
}

// An unknown feed answered 404 while a known one answered 401 without credentials (and 415 to
// a content type nobody reads): anyone could list the feed ids. Now their answers are the same.
TEST_F(HostileAuth, UnknownAndKnownFeedsAnswerAlikeSoFeedIdsCannotBeListed) {
    const std::vector<std::pair<std::string, int>> cases = {
        {"", 401},
        {"Authorization: Bearer guess\r\n", 403},
        {"Content-Type: image/png\r\n", 401},
    };
    for (const auto& [headers, status] : cases) {
        auto known = raw_exchange(port(), raw_post("/v1/feeds/f/stories", headers, "x"));
        auto unknown = raw_exchange(port(), raw_post("/v1/feeds/nosuchfeed/stories", headers, "x"));
        EXPECT_EQ(known.status, status) << headers << known.body;
        EXPECT_EQ(unknown.status, known.status) << headers << unknown.body;
        EXPECT_EQ(unknown.body, known.body) << headers;
    }
    for (const char* f : {"f", "x", "s"}) EXPECT_EQ(received(f), 0) << f;
}

// Two Authorization headers were taken, the first winning: a proxy in front may have checked
// the other one. Credentials sent twice are refused before anything else.
TEST_F(HostileAuth, TwoAuthorizationHeadersAreRefused400) {
    expect_refused(
        raw_exchange(port(), raw_post("/v1/feeds/f/stories",
                                      "Authorization: Bearer key-f\r\nAuthorization: Bearer x\r\n",
                                      ninjs_story())),
        "", 400, "");
    EXPECT_EQ(metric("wiregate_http_connections_refused_total{reason=\"duplicate_credentials\"}"),
              1);
}

TEST_F(HostileAuth, DotDotInTheFeedIdIsRefused404) {
    expect_refused(post_to("/v1/feeds/../stories"), "", 404, "");
}

TEST_F(HostileAuth, PercentEncodedSlashInTheFeedIdIsRefused404) {
    expect_refused(post_to("/v1/feeds/f%2f..%2ff/stories"), "", 404, "");
}

TEST_F(HostileAuth, PercentEncodedNulInTheFeedIdIsRefused404) {
    expect_refused(post_to("/v1/feeds/f%00/stories"), "", 404, "");
}

TEST_F(HostileAuth, RawNulInTheTargetIsRefused400) {
    raw_client c(port());
    c.send(raw_post(std::string("/v1/feeds/f\0/stories", 20), "Authorization: Bearer key-f\r\n",
                    ninjs_story()));
    auto a = c.read_answer();
    EXPECT_EQ(a.status, 400) << a.body;
    EXPECT_EQ(requests(400), 1);
    EXPECT_EQ(received("f"), 0);
}

TEST_F(HostileAuth, VeryLongFeedIdIsRefused404) {
    expect_refused(post_to("/v1/feeds/" + std::string(4000, 'f') + "/stories"), "", 404, "");
}

TEST_F(HostileAuth, UnicodeLookalikeFeedIdIsRefused404) {
    // "ｆ" (U+FF46) is never folded into "f".
    expect_refused(post_to("/v1/feeds/\xEF\xBD\x86/stories"), "", 404, "");
}

TEST_F(HostileAuth, UpperCaseFeedIdIsRefused404) {
    expect_refused(post_to("/v1/feeds/F/stories"), "", 404, "");
}

TEST_F(HostileAuth, UnsupportedContentTypeIsRefused415) {
    http_client c(port());
    expect_refused(c.post_story("f", "key-f", ninjs_story(), "image/png"), "", 415, "");
}

TEST_F(HostileAuth, MultipartFormDataIsRefused415) {
    http_client c(port());
    expect_refused(c.post_story("f", "key-f", ninjs_story(), "multipart/form-data; boundary=x"), "",
                   415, "");
}

}  // namespace

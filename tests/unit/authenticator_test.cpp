#include <gtest/gtest.h>

#include <string>

#include "auth/authenticator.hpp"

using wire::auth::auth_request;
using wire::auth::auth_result;
using wire::auth::authenticate;
using wire::auth::sign;

namespace {

constexpr std::int64_t now = 1700000000;

wire::config::feed_config keys_only() {
    wire::config::feed_config f;
    f.id = "ap";
    f.auth.api_keys.push_back({"", "", "first-key-0123456789"});
    f.auth.api_keys.push_back({"", "", "second-key"});
    return f;
}

wire::config::feed_config with_hmac(std::uint32_t window = 300) {
    auto f = keys_only();
    wire::config::hmac_config h;
    h.secret.value = "test-secret";
    h.window_seconds = window;
    f.auth.hmac = h;
    return f;
}

auth_request bearer(std::string_view header) {
    auth_request r;
    r.authorization = header;
    r.now_unix = now;
    return r;
}

// A request signed the way a sender would: timestamp header plus sign() of it and the body.
struct signed_request {
    std::string timestamp, signature, body;
    auth_request req() const {
        auth_request r = bearer("Bearer second-key");
        r.timestamp = timestamp;
        r.signature = signature;
        r.body = body;
        return r;
    }
};

signed_request signed_at(std::int64_t ts, std::string body = R"({"hello":"world"})") {
    signed_request s;
    s.timestamp = std::to_string(ts);
    s.body = std::move(body);
    s.signature = sign("test-secret", s.timestamp, s.body);
    return s;
}

TEST(Authenticator, AcceptsEachConfiguredKey) {
    const auto f = keys_only();
    EXPECT_EQ(authenticate(f, bearer("Bearer first-key-0123456789")), auth_result::ok);
    EXPECT_EQ(authenticate(f, bearer("Bearer second-key")), auth_result::ok);
}

TEST(Authenticator, SchemeIsCaseInsensitiveWithOneOrMoreSpaces) {
    const auto f = keys_only();
    EXPECT_EQ(authenticate(f, bearer("bearer second-key")), auth_result::ok);
    EXPECT_EQ(authenticate(f, bearer("BEARER   second-key")), auth_result::ok);
    EXPECT_EQ(authenticate(f, bearer("Bearer second-key  ")), auth_result::ok);
    EXPECT_EQ(authenticate(f, bearer("Bearersecond-key")), auth_result::missing_credentials);
}

TEST(Authenticator, MissingHeaderOrTokenIsMissingCredentials) {
    const auto f = keys_only();
    EXPECT_EQ(authenticate(f, bearer("")), auth_result::missing_credentials);
    EXPECT_EQ(authenticate(f, bearer("   ")), auth_result::missing_credentials);
    EXPECT_EQ(authenticate(f, bearer("Bearer")), auth_result::missing_credentials);
    EXPECT_EQ(authenticate(f, bearer("Bearer    ")), auth_result::missing_credentials);
}

TEST(Authenticator, OtherSchemeIsMissingCredentials) {
    const auto f = keys_only();
    EXPECT_EQ(authenticate(f, bearer("Basic c2Vjb25kLWtleQ==")), auth_result::missing_credentials);
    EXPECT_EQ(authenticate(f, bearer("Token second-key")), auth_result::missing_credentials);
    EXPECT_EQ(authenticate(f, bearer("second-key")), auth_result::missing_credentials);
}

TEST(Authenticator, WrongKeyPrefixOrSuffixIsBadCredentials) {
    const auto f = keys_only();
    EXPECT_EQ(authenticate(f, bearer("Bearer nope")), auth_result::bad_credentials);
    EXPECT_EQ(authenticate(f, bearer("Bearer second-ke")), auth_result::bad_credentials);
    EXPECT_EQ(authenticate(f, bearer("Bearer second-key2")), auth_result::bad_credentials);
    EXPECT_EQ(authenticate(f, bearer("Bearer xsecond-key")), auth_result::bad_credentials);
    EXPECT_EQ(authenticate(f, bearer("Bearer SECOND-KEY")), auth_result::bad_credentials);
    EXPECT_EQ(authenticate(f, bearer("Bearer first-key-0123456789second-key")),
              auth_result::bad_credentials);
    EXPECT_EQ(authenticate(f, bearer(std::string("Bearer second-key\0", 18))),
              auth_result::bad_credentials);
}

TEST(Authenticator, FeedWithoutKeysRefusesEverything) {
    wire::config::feed_config f;
    EXPECT_EQ(authenticate(f, bearer("Bearer anything")), auth_result::bad_credentials);
    f.auth.api_keys.push_back({});  // an unresolved (empty) key never matches
    EXPECT_EQ(authenticate(f, bearer("Bearer anything")), auth_result::bad_credentials);
}

TEST(Authenticator, SignedRequestIsAccepted) {
    EXPECT_EQ(authenticate(with_hmac(), signed_at(now).req()), auth_result::ok);
    EXPECT_EQ(authenticate(with_hmac(), signed_at(now, "").req()), auth_result::ok);
}

TEST(Authenticator, KeyIsCheckedBeforeSignature) {
    const auto s = signed_at(now);
    auto r = s.req();
    r.authorization = "Bearer wrong";
    EXPECT_EQ(authenticate(with_hmac(), r), auth_result::bad_credentials);
}

TEST(Authenticator, MissingSignatureOrTimestamp) {
    const auto f = with_hmac();
    EXPECT_EQ(authenticate(f, bearer("Bearer second-key")), auth_result::missing_signature);
    const auto s = signed_at(now);
    auto no_sig = s.req();
    no_sig.signature = "";
    EXPECT_EQ(authenticate(f, no_sig), auth_result::missing_signature);
    auto no_ts = s.req();
    no_ts.timestamp = "";
    EXPECT_EQ(authenticate(f, no_ts), auth_result::missing_signature);
}

TEST(Authenticator, TamperedBodyIsBadSignature) {
    const auto s = signed_at(now);
    auto r = s.req();
    const std::string tampered = R"({"hello":"World"})";
    r.body = tampered;
    EXPECT_EQ(authenticate(with_hmac(), r), auth_result::bad_signature);
}

TEST(Authenticator, TamperedSignatureIsBadSignature) {
    auto s = signed_at(now);
    s.signature.back() = s.signature.back() == '0' ? '1' : '0';
    EXPECT_EQ(authenticate(with_hmac(), s.req()), auth_result::bad_signature);
}

TEST(Authenticator, MalformedSignatureIsBadSignature) {
    const auto good = signed_at(now);
    for (std::string bad : {
             good.signature.substr(7),                                        // no "sha256="
             "sha1=" + good.signature.substr(7),                              // another algorithm
             good.signature.substr(0, good.signature.size() - 1),             // one digit short
             good.signature + "0",                                            // one digit long
             good.signature.substr(0, 10) + "g" + good.signature.substr(11),  // not hex
             std::string("sha256="),
         }) {
        auto s = good;
        s.signature = bad;
        EXPECT_EQ(authenticate(with_hmac(), s.req()), auth_result::bad_signature) << bad;
    }
}

TEST(Authenticator, SignatureOfAnotherTimestampIsBadSignature) {
    auto s = signed_at(now);
    s.timestamp = std::to_string(now - 1);  // still inside the window, but not what was signed
    EXPECT_EQ(authenticate(with_hmac(), s.req()), auth_result::bad_signature);
}

TEST(Authenticator, UppercaseHexIsAccepted) {
    auto s = signed_at(now);
    for (std::size_t i = 7; i < s.signature.size(); ++i) {
        if (s.signature[i] >= 'a' && s.signature[i] <= 'f') s.signature[i] -= 'a' - 'A';
    }
    ASSERT_NE(s.signature, signed_at(now).signature);
    EXPECT_EQ(authenticate(with_hmac(), s.req()), auth_result::ok);
}

TEST(Authenticator, TimestampWindowEdges) {
    const auto f = with_hmac(300);
    EXPECT_EQ(authenticate(f, signed_at(now - 300).req()), auth_result::ok);
    EXPECT_EQ(authenticate(f, signed_at(now + 300).req()), auth_result::ok);
    EXPECT_EQ(authenticate(f, signed_at(now - 301).req()), auth_result::stale_timestamp);
    EXPECT_EQ(authenticate(f, signed_at(now + 301).req()), auth_result::stale_timestamp);
    EXPECT_EQ(authenticate(f, signed_at(0).req()), auth_result::stale_timestamp);
}

TEST(Authenticator, ZeroWindowNeedsTheExactSecond) {
    const auto f = with_hmac(0);
    EXPECT_EQ(authenticate(f, signed_at(now).req()), auth_result::ok);
    EXPECT_EQ(authenticate(f, signed_at(now + 1).req()), auth_result::stale_timestamp);
}

TEST(Authenticator, UnparsableOrHugeTimestampIsStale) {
    for (std::string ts :
         {"abc", "-5", "+1700000000", "1700000000.5", "17e8", "0x6553f100", "1700000000 1",
          "99999999999999999999", "9223372036854775808", "9223372036854775807"}) {
        signed_request s;
        s.timestamp = ts;
        s.body = "x";
        s.signature = sign("test-secret", ts, s.body);  // correctly signed: the clock decides
        EXPECT_EQ(authenticate(with_hmac(), s.req()), auth_result::stale_timestamp) << ts;
    }
}

TEST(Authenticator, HttpStatusAndNames) {
    using wire::auth::http_status;
    using wire::auth::to_string;
    EXPECT_EQ(http_status(auth_result::ok), 200);
    EXPECT_EQ(http_status(auth_result::missing_credentials), 401);
    EXPECT_EQ(http_status(auth_result::bad_credentials), 403);
    EXPECT_EQ(http_status(auth_result::missing_signature), 401);
    EXPECT_EQ(http_status(auth_result::bad_signature), 403);
    EXPECT_EQ(http_status(auth_result::stale_timestamp), 401);
    EXPECT_EQ(to_string(auth_result::ok), "ok");
    EXPECT_EQ(to_string(auth_result::missing_credentials), "missing_credentials");
    EXPECT_EQ(to_string(auth_result::bad_credentials), "bad_credentials");
    EXPECT_EQ(to_string(auth_result::missing_signature), "missing_signature");
    EXPECT_EQ(to_string(auth_result::bad_signature), "bad_signature");
    EXPECT_EQ(to_string(auth_result::stale_timestamp), "stale_timestamp");
}

TEST(Authenticator, SignMatchesKnownVector) {
    // printf '%s' '1700000000.{"hello":"world"}' | openssl dgst -sha256 -hmac 'test-secret'
    EXPECT_EQ(sign("test-secret", "1700000000", R"({"hello":"world"})"),
              "sha256=f85455a1b55ea86f7a15f5f9923d0abc4b888da84ec485f2ff358f427776beca");
    // python3: hmac.new(b'', b'1.x', hashlib.sha256).hexdigest()
    EXPECT_EQ(sign("", "1", "x"),
              "sha256=d356c76f2be16120eca994746a279fd612267e791d245c4745ebbf0f98fc31f2");
}

TEST(Authenticator, BinaryBodyWithNulBytesIsSigned) {
    const std::string body("a\0b\xff", 4);
    auto s = signed_at(now, body);
    EXPECT_EQ(authenticate(with_hmac(), s.req()), auth_result::ok);
    s.body = std::string("a\0c\xff", 4);
    EXPECT_EQ(authenticate(with_hmac(), s.req()), auth_result::bad_signature);
}

}  // namespace

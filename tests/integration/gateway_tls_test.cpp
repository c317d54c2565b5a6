// HTTPS with client certificates (mTLS) against the real broker: throwaway CAs and certificates
// are made with `openssl` at test time. A listener that requires client certificates refuses a
// client without one, or with one from another CA, in the TLS handshake (no HTTP answer at
// all); a verified certificate not bound to the feed asked for is answered 403; the right one
// is served and its story reaches Kafka. TLS 1.1 is refused. A reload gives new connections the
// new server certificate and client CA, and a broken file keeps the old ones.
#include <openssl/ssl.h>

#include <filesystem>
#include <fstream>

#include "gateway_fixture.hpp"
#include "raw_http.hpp"
#include "tls_test_env.hpp"

using namespace wire::testing;
using namespace std::chrono_literals;
using wire::config::client_auth_mode;

namespace {

std::string story(const std::string& tag) {
    static const std::string body = read_file(fixtures_dir() / "ninjs/good/001-text-2x.json");
    std::string s = body;
    const std::string from = "nato-ukraine";
    s.replace(s.find(from), from.size(), "tls-" + tag + "-" + std::to_string(::getpid()));
    return s;
}

class GatewayTls : public gateway_test {
  protected:
    void SetUp() override {
        make();
        ca_ = pki_.make_ca("clients-ca");
        server_ca_ = pki_.make_ca("server-ca");
        server_ = pki_.issue_server(server_ca_, "server");
        client_a_ = pki_.issue_client(ca_, "client-a", "feed-a-client");
        client_b_ = pki_.issue_client(ca_, "client-b", "feed-b-client");
        // fa: the certificate alone (bound by subject CN). fb: certificate (bound by
        // fingerprint) and API key. plain: API key only.
        add_feed(cfg_, "fa", "ninjs").auth.api_keys.clear();
        cfg_.feeds.back().auth.client_certificates.push_back({"feed-a-client", ""});
        add_feed(cfg_, "fb", "ninjs").auth.client_certificates.push_back({"", client_b_.sha256()});
        add_feed(cfg_, "plain", "ninjs");
        listen(client_auth_mode::required);
    }
    void listen(client_auth_mode mode) {
        wire::config::tls_config tls{server_.cert_file, server_.key_file, ca_.cert_file, mode};
        cfg_.http[0].tls = tls;
    }
    tls_client client(const test_cert* cert, int max_version = 0) {
        tls_client_options o;
        o.ca_file = server_ca_.cert_file;
        if (cert) {
            o.cert_file = cert->cert_file;
            o.key_file = cert->key_file;
        }
        o.max_version = max_version;
        return tls_client(port(), o);
    }
    // The connection is refused by TLS itself: the handshake fails or, with TLS 1.3 (where the
    // server checks the client's certificate after the client has finished), the server's
    // alert arrives instead of an answer. Either way no HTTP status is ever sent.
    void expect_refused_by_tls(tls_client& c, const std::string& reason) {
        std::string err = c.handshake();
        RecordProperty("refused_in", err.empty() ? "first read (TLS 1.3 alert)" : "handshake");
        if (err.empty()) {
            EXPECT_EQ(c.post_story("plain", "key-plain", story("refused")).status, 0);
            err = c.last_error();
        }
        RecordProperty("refusal", err);
        EXPECT_NE(err.find(reason), std::string::npos) << err;
    }
    std::string metrics() { return svc_->registry().render(); }
    static std::string handshake_refusals(int n) {
        return R"(wiregate_http_connections_refused_total{reason="tls_handshake"} )" +
               std::to_string(n) + "\n";
    }

    test_pki pki_;
    test_cert ca_, server_ca_, server_, client_a_, client_b_;
};

TEST_F(GatewayTls, NoClientCertificateIsRefusedInTheHandshake) {
    start_gateway();
    auto c = client(nullptr);
    expect_refused_by_tls(c, "certificate required");
    // With TLS 1.2 the server sees the missing certificate within the handshake itself.
    auto c12 = client(nullptr, TLS1_2_VERSION);
    EXPECT_NE(c12.handshake(), "");
    // Both refusals are counted, though no HTTP status was sent.
    EXPECT_TRUE(
        eventually([&] { return metrics().find(handshake_refusals(2)) != std::string::npos; }, 5s))
        << metrics();
}

TEST_F(GatewayTls, PlainHttpOnTheTlsPortFailsTheHandshakeAndIsCounted) {
    start_gateway();
    raw_client c(port());
    c.send("POST /v1/feeds/plain/stories HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
    EXPECT_TRUE(c.closed_by_server(5s));
    EXPECT_TRUE(
        eventually([&] { return metrics().find(handshake_refusals(1)) != std::string::npos; }, 5s))
        << metrics();
    EXPECT_EQ(metric_value(metrics(), R"(wiregate_stories_received_total{feed="plain"})"), 0);
}

TEST_F(GatewayTls, ClientThatNeverStartsTheHandshakeIsCutOffAndCounted) {
    cfg_.limits.read_timeout_ms = 300;
    start_gateway();
    raw_client c(port());  // connects, never sends a ClientHello
    EXPECT_TRUE(c.closed_by_server(5s));
    EXPECT_TRUE(eventually(
        [&] {
            return metric_value(
                       metrics(),
                       R"(wiregate_http_connections_refused_total{reason="tls_handshake_timeout"})") ==
                   1;
        },
        5s))
        << metrics();
}

TEST_F(GatewayTls, CertificateFromAnotherCaIsRefusedInTheHandshake) {
    start_gateway();
    auto rogue_ca = pki_.make_ca("rogue-ca");
    auto rogue = pki_.issue_client(rogue_ca, "rogue", "feed-a-client");  // the right CN, too
    auto c = client(&rogue);
    expect_refused_by_tls(c, "unknown ca");
}

TEST_F(GatewayTls, CertificateOfFeedAForFeedBIsAnswered403AndCounted) {
    start_gateway();
    auto c = client(&client_a_);
    ASSERT_EQ(c.handshake(), "");
    auto a = c.post_story("fb", "key-fb", story("mismatch"));
    EXPECT_EQ(a.status, 403) << a.body;
    EXPECT_NE(a.body.find("client_cert_mismatch"), std::string::npos) << a.body;
    // On a listener that requires certificates, a feed bound to none accepts none.
    auto p = c.post_story("plain", "key-plain", story("plain"));
    EXPECT_EQ(p.status, 403) << p.body;
    auto m = metrics();
    EXPECT_NE(m.find(R"(wiregate_auth_failures_total{feed="fb",reason="client_cert_mismatch"} 1)"),
              std::string::npos)
        << m;
}

TEST_F(GatewayTls, BoundCertificateIsServedAndTheStoryReachesKafka) {
    start_gateway();
    auto a = client(&client_a_);
    ASSERT_EQ(a.handshake(), "");
    // fa has no API key: the certificate alone authenticates.
    auto ra = a.post_story("fa", "", story("fa"));
    EXPECT_EQ(ra.status, 200) << ra.body;
    auto b = client(&client_b_);
    ASSERT_EQ(b.handshake(), "");
    // fb has both: the certificate without the key is not enough.
    auto nokey = b.post_story("fb", "", story("fb-nokey"));
    EXPECT_EQ(nokey.status, 401) << nokey.body;
    EXPECT_NE(nokey.body.find("missing_credentials"), std::string::npos) << nokey.body;
    auto rb = b.post_story("fb", "key-fb", story("fb"));
    EXPECT_EQ(rb.status, 200) << rb.body;

    auto msgs = consume(cfg_.kafka.brokers, topics_.all, 2, 30s);
    ASSERT_EQ(msgs.size(), 2u);
    std::string both = msgs[0].value + msgs[1].value;
    EXPECT_NE(both.find("tls-fa-"), std::string::npos);
    EXPECT_NE(both.find("tls-fb-"), std::string::npos);
    EXPECT_EQ(both.find("tls-fb-nokey"), std::string::npos);
}

TEST_F(GatewayTls, OptionalClientAuthStillBindsTheFeedsThatNameCertificates) {
    listen(client_auth_mode::optional);
    start_gateway();
    auto anon = client(nullptr);
    ASSERT_EQ(anon.handshake(), "");  // no certificate is fine on this listener…
    EXPECT_EQ(anon.post_story("plain", "key-plain", story("opt")).status, 200);
    auto fa = anon.post_story("fa", "", story("opt-fa"));  // …but not for a feed that wants one
    EXPECT_EQ(fa.status, 403) << fa.body;
    EXPECT_NE(fa.body.find("client_cert_required"), std::string::npos) << fa.body;
    auto a = client(&client_a_);
    ASSERT_EQ(a.handshake(), "");
    EXPECT_EQ(a.post_story("fa", "", story("opt-fa-cert")).status, 200);
}

TEST_F(GatewayTls, Tls11ClientIsRefusedAndTls12Served) {
    start_gateway();
    auto old = client(&client_a_, TLS1_1_VERSION);
    auto err = old.handshake();
    // The server's protocol_version alert: the client did offer TLS 1.1, the server refused it.
    EXPECT_NE(err.find("protocol version"), std::string::npos) << err;
    auto tls12 = client(&client_a_, TLS1_2_VERSION);
    ASSERT_EQ(tls12.handshake(), "");
    EXPECT_EQ(tls12.post_story("fa", "", story("tls12")).status, 200);
}

TEST_F(GatewayTls, ReloadGivesNewConnectionsTheNewServerCertificate) {
    start_gateway();
    auto before = client(&client_a_);
    ASSERT_EQ(before.handshake(), "");
    const auto old_serial = server_.serial();
    ASSERT_EQ(before.server_cert_serial(), old_serial);

    // Rotation: the new certificate is written over the same files, then the config reloaded.
    auto next = pki_.issue_server(server_ca_, "server-next");
    std::filesystem::copy_file(next.cert_file, server_.cert_file,
                               std::filesystem::copy_options::overwrite_existing);
    std::filesystem::copy_file(next.key_file, server_.key_file,
                               std::filesystem::copy_options::overwrite_existing);
    ASSERT_NE(next.serial(), old_serial);
    svc_->apply(cfg_);

    auto after = client(&client_a_);
    ASSERT_EQ(after.handshake(), "");
    EXPECT_EQ(after.server_cert_serial(), next.serial());
    EXPECT_EQ(after.server_cert_sha256(), next.sha256());
    // The connection opened before keeps its session and is still served.
    EXPECT_EQ(before.post_story("fa", "", story("kept")).status, 200);
    EXPECT_EQ(before.server_cert_serial(), old_serial);
    EXPECT_NE(metrics().find(R"(wiregate_tls_reloads_total{listener="ingest",result="ok"} 1)"),
              std::string::npos);
}

TEST_F(GatewayTls, BrokenCertificateOnReloadKeepsTheOldOneAndIsCounted) {
    start_gateway();
    const auto serial = server_.serial();
    std::ofstream(server_.cert_file, std::ios::trunc) << "-----BEGIN CERTIFICATE-----\nbroken\n";
    svc_->apply(cfg_);
    auto c = client(&client_a_);
    ASSERT_EQ(c.handshake(), "");
    EXPECT_EQ(c.server_cert_serial(), serial);
    EXPECT_EQ(c.post_story("fa", "", story("broken")).status, 200);
    EXPECT_NE(metrics().find(R"(wiregate_tls_reloads_total{listener="ingest",result="error"} 1)"),
              std::string::npos)
        << metrics();
}

TEST_F(GatewayTls, ReloadedClientCaAdmitsTheNewCaAndDropsTheOld) {
    start_gateway();
    auto next_ca = pki_.make_ca("clients-ca-next");
    auto next_client = pki_.issue_client(next_ca, "client-a-next", "feed-a-client");
    auto refused = client(&next_client);
    expect_refused_by_tls(refused, "unknown ca");

    std::filesystem::copy_file(next_ca.cert_file, ca_.cert_file,
                               std::filesystem::copy_options::overwrite_existing);
    svc_->apply(cfg_);
    auto admitted = client(&next_client);
    ASSERT_EQ(admitted.handshake(), "");
    EXPECT_EQ(admitted.post_story("fa", "", story("next-ca")).status, 200);
    auto old = client(&client_a_);
    expect_refused_by_tls(old, "unknown ca");
}

}  // namespace

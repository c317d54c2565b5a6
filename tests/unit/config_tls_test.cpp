// mTLS and admin settings in the config: listener client_auth and client_ca_file, feeds'
// client_certificates, the admin listener's loopback rule; and the certificate checks of the
// authenticator.
#include <gtest/gtest.h>

#include "auth/authenticator.hpp"
#include "config_test_util.hpp"

using namespace config_test;
using wire::auth::auth_request;
using wire::auth::auth_result;
using wire::config::client_auth_mode;

namespace {

const std::string k_fp_colons =
    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:"
    "89";
const std::string k_fp = "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789";

struct mtls_files {
    scratch_dir dir;
    mtls_files() {
        dir.write("tls/cert.pem", "c");
        dir.write("tls/key.pem", "k");
        dir.write("tls/clients.pem", "ca");
    }
    std::string listener(const std::string& tls_more) const {
        return "listeners:\n  http:\n    - port: 8443\n      tls: {cert_file: tls/cert.pem, "
               "key_file: tls/key.pem" +
               tls_more + "}\n";
    }
};

TEST(ConfigTls, MtlsListenerAndCertificateBoundFeedsLoad) {
    mtls_files f;
    sections s;
    s.listeners = f.listener(", client_ca_file: tls/clients.pem, client_auth: required");
    s.feeds =
        "feeds:\n"
        "  - id: ap\n    agency: a\n"
        "    auth:\n"
        "      client_certificates: [{subject_cn: ap-ingest}, {sha256: '" +
        k_fp_colons +
        "'}]\n"
        "  - id: rt\n    agency: a\n"
        "    auth:\n"
        "      api_keys: [{value: k}]\n"
        "      client_certificates: [{subject_cn: rt, sha256: " +
        k_fp + "}]\n";
    auto r = load(s.text(), f.dir.path().string());
    EXPECT_LOADS(r);
    const auto& tls = *r.config->http[0].tls;
    EXPECT_EQ(tls.client_auth, client_auth_mode::required);
    EXPECT_EQ(tls.client_ca_file, (f.dir.path() / "tls/clients.pem").string());
    const auto& ap = r.config->feeds[0].auth;
    EXPECT_TRUE(ap.api_keys.empty());
    ASSERT_EQ(ap.client_certificates.size(), 2u);
    EXPECT_EQ(ap.client_certificates[0].subject_cn, "ap-ingest");
    EXPECT_EQ(ap.client_certificates[1].sha256, k_fp);  // colons gone, lower case
    EXPECT_EQ(r.config->feeds[1].auth.client_certificates[0].subject_cn, "rt");
}

TEST(ConfigTls, ClientAuthAndClientCaGoTogether) {
    mtls_files f;
    sections s;
    s.listeners = f.listener(", client_auth: optional");
    EXPECT_PROBLEM(load(s.text(), f.dir.path().string()), "listeners.http[0].tls.client_ca_file",
                   "needs client_ca_file");
    s.listeners = f.listener(", client_ca_file: tls/clients.pem");
    EXPECT_PROBLEM(load(s.text(), f.dir.path().string()), "listeners.http[0].tls.client_auth",
                   "client_auth is none");
    s.listeners = f.listener(", client_ca_file: tls/clients.pem, client_auth: sometimes");
    EXPECT_PROBLEM(load(s.text(), f.dir.path().string()), "listeners.http[0].tls.client_auth",
                   "expected none, optional or required");
    s.listeners = f.listener(", client_ca_file: tls/missing.pem, client_auth: required");
    EXPECT_PROBLEM(load(s.text(), f.dir.path().string()), "listeners.http[0].tls.client_ca_file",
                   "");
}

TEST(ConfigTls, CertificateBindingsAreChecked) {
    mtls_files f;
    sections s;
    s.listeners = f.listener(", client_ca_file: tls/clients.pem, client_auth: required");
    s.feeds =
        "feeds:\n"
        "  - id: a\n    agency: a\n    auth: {client_certificates: [{sha256: 'AB:CD'}, {}, "
        "{subject_cn: ''}]}\n"
        "  - id: b\n    agency: a\n    auth: {client_certificates: []}\n"
        "  - id: c\n    agency: a\n    auth: {api_keys: [], client_certificates: [{subject_cn: "
        "c}]}\n";
    auto r = load(s.text(), f.dir.path().string());
    EXPECT_PROBLEM(r, "feeds[0].auth.client_certificates[0].sha256", "not a SHA-256 fingerprint");
    EXPECT_PROBLEM(r, "feeds[0].auth.client_certificates[1]", "subject_cn, sha256 or both");
    EXPECT_PROBLEM(r, "feeds[0].auth.client_certificates[2].subject_cn", "must not be empty");
    EXPECT_PROBLEM(r, "feeds[1].auth.client_certificates", "must not be empty");
    EXPECT_PROBLEM(r, "feeds[2].auth.api_keys", "leave api_keys out");
    EXPECT_EQ(r.problems.size(), 5u) << describe(r.problems);
}

TEST(ConfigTls, CertificateBoundFeedNeedsAListenerThatAsksForCertificates) {
    mtls_files f;
    sections s;
    s.listeners = f.listener("");
    s.feeds =
        "feeds:\n  - id: a\n    agency: a\n    auth: {client_certificates: [{subject_cn: a}]}\n";
    auto r = load(s.text(), f.dir.path().string());
    EXPECT_PROBLEM(r, "feeds[0].auth.client_certificates", "no HTTP listener asks");
}

TEST(ConfigTls, AdminStaysOnLoopbackUnlessAllowedRemote) {
    sections s;
    auto r = load(s.text());
    EXPECT_LOADS(r);
    EXPECT_EQ(r.config->admin.address, "127.0.0.1");
    EXPECT_FALSE(r.config->admin.allow_remote);
    for (const std::string addr : {"127.0.0.1", "127.9.9.9", "::1"}) {
        s.extra = "";
        s.listeners = "listeners:\n  http: [{port: 8080}]\n  admin: {address: '" + addr + "'}\n";
        EXPECT_LOADS(load(s.text()));
    }
    for (const std::string addr : {"0.0.0.0", "::", "10.1.2.3", "2001:db8::1"}) {
        s.listeners =
            "listeners:\n  http: [{port: 8080}]\n  admin: {address: '" + addr + "', port: 9090}\n";
        EXPECT_PROBLEM(load(s.text()), "listeners.admin.address", "not a loopback address");
        s.listeners = "listeners:\n  http: [{port: 8080}]\n  admin: {address: '" + addr +
                      "', port: 9090, allow_remote: true}\n";
        EXPECT_LOADS(load(s.text()));
    }
}

wire::config::feed_config feed_with(std::vector<std::string> keys,
                                    std::vector<wire::config::client_cert_binding> certs) {
    wire::config::feed_config f;
    f.id = "f";
    for (auto& k : keys) f.auth.api_keys.push_back({"", "", k});
    f.auth.client_certificates = std::move(certs);
    return f;
}

auth_request with_cert(std::string_view cn, std::string_view fp, std::string_view authz = "") {
    auth_request r;
    r.authorization = authz;
    r.cert_subject_cn = cn;
    r.cert_sha256 = fp;
    r.now_unix = 1700000000;
    return r;
}

TEST(AuthenticatorCert, CertificateAloneAuthenticatesACertificateOnlyFeed) {
    auto f = feed_with({}, {{"ap-ingest", ""}, {"", k_fp}});
    EXPECT_EQ(authenticate(f, with_cert("ap-ingest", "00")), auth_result::ok);
    EXPECT_EQ(authenticate(f, with_cert("someone", k_fp)), auth_result::ok);
    EXPECT_EQ(authenticate(f, with_cert("someone", "00")), auth_result::client_cert_mismatch);
    EXPECT_EQ(authenticate(f, with_cert("", "")), auth_result::client_cert_required);
    EXPECT_EQ(wire::auth::http_status(auth_result::client_cert_required), 403);
    EXPECT_EQ(wire::auth::http_status(auth_result::client_cert_mismatch), 403);
    EXPECT_EQ(wire::auth::to_string(auth_result::client_cert_mismatch), "client_cert_mismatch");
}

TEST(AuthenticatorCert, BindingWithBothFieldsNeedsBoth) {
    auto f = feed_with({}, {{"rt", k_fp}});
    EXPECT_EQ(authenticate(f, with_cert("rt", k_fp)), auth_result::ok);
    EXPECT_EQ(authenticate(f, with_cert("rt", "00")), auth_result::client_cert_mismatch);
    EXPECT_EQ(authenticate(f, with_cert("xx", k_fp)), auth_result::client_cert_mismatch);
}

TEST(AuthenticatorCert, CertificateAndKeyMustBothPass) {
    auto f = feed_with({"k"}, {{"rt", ""}});
    EXPECT_EQ(authenticate(f, with_cert("rt", k_fp, "Bearer k")), auth_result::ok);
    EXPECT_EQ(authenticate(f, with_cert("rt", k_fp)), auth_result::missing_credentials);
    EXPECT_EQ(authenticate(f, with_cert("rt", k_fp, "Bearer x")), auth_result::bad_credentials);
    EXPECT_EQ(authenticate(f, with_cert("", "", "Bearer k")), auth_result::client_cert_required);
}

TEST(AuthenticatorCert, ListenerRequiringCertificatesRefusesUnboundFeeds) {
    auto f = feed_with({"k"}, {});
    auto r = with_cert("rt", k_fp, "Bearer k");
    EXPECT_EQ(authenticate(f, r), auth_result::ok);  // the certificate is not asked for
    r.cert_required = true;
    EXPECT_EQ(authenticate(f, r), auth_result::client_cert_mismatch);
    EXPECT_EQ(authenticate(feed_with({}, {}), with_cert("rt", k_fp)),
              auth_result::bad_credentials);  // no credential configured: nobody gets in
}

}  // namespace

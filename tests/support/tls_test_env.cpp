#include "tls_test_env.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace wire::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;

namespace {

void run(const std::string& cmd) {
    if (std::system((cmd + " >/dev/null 2>&1").c_str()) != 0)
        throw std::runtime_error("failed: " + cmd);
}

std::string hex(const unsigned char* p, unsigned n, bool upper) {
    const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < n; ++i) {
        out.push_back(digits[p[i] >> 4]);
        out.push_back(digits[p[i] & 0x0f]);
    }
    return out;
}

std::string fingerprint(X509* cert) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    if (cert == nullptr || X509_digest(cert, EVP_sha256(), md, &n) != 1) return {};
    return hex(md, n, false);
}

std::string serial_of(X509* cert) {
    if (cert == nullptr) return {};
    BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
    char* text = BN_bn2hex(bn);
    std::string out = text ? text : "";
    OPENSSL_free(text);
    BN_free(bn);
    return out;
}

template <class F>
auto with_cert_file(const std::string& file, F f) {
    FILE* fp = std::fopen(file.c_str(), "r");
    X509* cert = fp ? PEM_read_X509(fp, nullptr, nullptr, nullptr) : nullptr;
    if (fp) std::fclose(fp);
    auto out = f(cert);
    X509_free(cert);
    return out;
}

// OpenSSL's reasons queued on this thread, as text.
std::string openssl_errors() {
    std::string out;
    while (unsigned long e = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        out += std::string(out.empty() ? "" : "; ") + buf;
    }
    return out;
}

}  // namespace

std::string test_cert::sha256() const { return with_cert_file(cert_file, fingerprint); }
std::string test_cert::serial() const { return with_cert_file(cert_file, serial_of); }

test_pki::test_pki() {
    static std::atomic<int> n{0};
    dir_ = fs::temp_directory_path() /
           ("wiregate-pki-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
}

test_pki::~test_pki() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

test_cert test_pki::make_ca(const std::string& name) {
    test_cert ca{(dir_ / (name + ".crt")).string(), (dir_ / (name + ".key")).string()};
    run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=" +
        name + " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=keyCertSign,cRLSign" +
        " -keyout " + ca.key_file + " -out " + ca.cert_file);
    return ca;
}

test_cert test_pki::issue(const test_cert& ca, const std::string& name, const std::string& cn,
                          const std::string& extensions) {
    test_cert c{(dir_ / (name + ".crt")).string(), (dir_ / (name + ".key")).string()};
    const auto csr = (dir_ / (name + ".csr")).string(), ext = (dir_ / (name + ".ext")).string();
    std::ofstream(ext) << extensions;
    run("openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=" + cn +
        " -keyout " + c.key_file + " -out " + csr);
    // A random serial, so that two certificates of one name are told apart.
    run("openssl x509 -req -days 2 -in " + csr + " -CA " + ca.cert_file + " -CAkey " + ca.key_file +
        " -set_serial 0x$(openssl rand -hex 8) -extfile " + ext + " -out " + c.cert_file);
    return c;
}

test_cert test_pki::issue_server(const test_cert& ca, const std::string& name) {
    return issue(ca, name, "127.0.0.1",
                 "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
}

test_cert test_pki::issue_client(const test_cert& ca, const std::string& name,
                                 const std::string& cn) {
    return issue(ca, name, cn, "extendedKeyUsage=clientAuth\n");
}

struct tls_client::impl {
    asio::io_context io;
    asio::ssl::context ctx{asio::ssl::context::tls_client};
    std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> stream;
    beast::flat_buffer buffer;
    std::uint16_t port = 0;
    std::string error;
};

tls_client::tls_client(std::uint16_t port, tls_client_options o) : impl_(std::make_unique<impl>()) {
    impl_->port = port;
    SSL_CTX* h = impl_->ctx.native_handle();
    if (o.max_version != 0) {
        // OpenSSL 3 refuses TLS 1.0/1.1 at security level 1 and above: drop to 0 so that this
        // client really offers the old version, and the refusal is the server's.
        SSL_CTX_set_security_level(h, 0);
        SSL_CTX_set_min_proto_version(h, 0);
        SSL_CTX_set_max_proto_version(h, o.max_version);
        SSL_CTX_set_cipher_list(h, "ALL:@SECLEVEL=0");
    }
    if (!o.ca_file.empty()) {
        impl_->ctx.load_verify_file(o.ca_file);
        impl_->ctx.set_verify_mode(asio::ssl::verify_peer);
    } else {
        impl_->ctx.set_verify_mode(asio::ssl::verify_none);
    }
    if (!o.cert_file.empty()) {
        impl_->ctx.use_certificate_chain_file(o.cert_file);
        impl_->ctx.use_private_key_file(o.key_file, asio::ssl::context::pem);
    }
}

tls_client::~tls_client() = default;

const std::string& tls_client::last_error() const { return impl_->error; }

std::string tls_client::handshake() {
    ERR_clear_error();
    impl_->stream = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(impl_->io, impl_->ctx);
    auto& s = *impl_->stream;
    beast::error_code ec;
    beast::get_lowest_layer(s).expires_after(std::chrono::seconds(10));
    beast::get_lowest_layer(s).connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), impl_->port), ec);
    if (!ec) s.handshake(asio::ssl::stream_base::client, ec);
    impl_->error =
        ec ? ec.message() + (openssl_errors().empty() ? "" : " / " + openssl_errors()) : "";
    if (ec) impl_->stream.reset();
    return impl_->error;
}

http_answer tls_client::request(const std::string& method, const std::string& target,
                                const std::string& body,
                                const std::vector<std::pair<std::string, std::string>>& headers) {
    http_answer a;
    // After an answer that closed the connection, a fresh one (with a fresh handshake).
    if (!impl_->stream && !handshake().empty()) return a;
    auto& s = *impl_->stream;
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    beast::error_code ec;
    beast::get_lowest_layer(s).expires_after(std::chrono::seconds(30));
    http::write(s, req, ec);
    http::response_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    if (!ec) http::read(s, impl_->buffer, parser, ec);
    if (ec) {
        // With TLS 1.3 a refused client certificate surfaces here, as the server's alert.
        impl_->error = ec.message();
        impl_->stream.reset();
        return a;
    }
    impl_->error.clear();
    auto res = parser.release();
    a.status = static_cast<int>(res.result_int());
    a.body = res.body();
    for (const auto& f : res) {
        std::string name(f.name_string());
        std::transform(name.begin(), name.end(), name.begin(), ::tolower);
        a.headers[name] = std::string(f.value());
    }
    if (!res.keep_alive()) impl_->stream.reset();
    return a;
}

http_answer tls_client::post_story(const std::string& feed, const std::string& key,
                                   const std::string& body) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!key.empty()) headers.emplace_back("Authorization", "Bearer " + key);
    return request("POST", "/v1/feeds/" + feed + "/stories", body, headers);
}

std::string tls_client::server_cert_sha256() const {
    return impl_->stream ? fingerprint(SSL_get0_peer_certificate(impl_->stream->native_handle()))
                         : std::string();
}

std::string tls_client::server_cert_serial() const {
    return impl_->stream ? serial_of(SSL_get0_peer_certificate(impl_->stream->native_handle()))
                         : std::string();
}

}  // namespace wire::testing

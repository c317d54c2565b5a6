// make_tls_context: the server-side TLS context of an HTTPS listener (http_server.hpp).
#include <openssl/ssl.h>

#include <stdexcept>

#include <boost/asio/ssl.hpp>

#include "listeners/http_server.hpp"

namespace wire::listeners {

namespace asio = boost::asio;
namespace beast = boost::beast;

namespace {

// TLS 1.2 suites: ECDHE key exchange (forward secrecy) with AEAD ciphers only. TLS 1.3 keeps
// OpenSSL's defaults, which are all AEAD.
constexpr const char* k_tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

}  // namespace

tls_settings make_tls_context(const config::tls_config& cfg, const std::string& listener) {
    auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
    ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                     asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use |
                     asio::ssl::context::no_compression);
    SSL_CTX* h = ctx->native_handle();
    if (SSL_CTX_set_min_proto_version(h, TLS1_2_VERSION) != 1 ||
        SSL_CTX_set_cipher_list(h, k_tls12_ciphers) != 1)
        throw std::runtime_error("TLS settings of listener " + listener + " refused by OpenSSL");
    SSL_CTX_set_options(h, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    beast::error_code ec;
    ctx->use_certificate_chain_file(cfg.cert_file, ec);
    if (ec) throw std::runtime_error("TLS certificate " + cfg.cert_file + ": " + ec.message());
    ctx->use_private_key_file(cfg.key_file, asio::ssl::context::pem, ec);
    if (ec) throw std::runtime_error("TLS key " + cfg.key_file + ": " + ec.message());
    if (SSL_CTX_check_private_key(h) != 1)
        throw std::runtime_error("TLS key " + cfg.key_file + " does not match the certificate " +
                                 cfg.cert_file);
    tls_settings out;
    out.client_cert_required = cfg.client_auth == config::client_auth_mode::required;
    if (cfg.client_auth != config::client_auth_mode::none) {
        ctx->load_verify_file(cfg.client_ca_file, ec);
        if (ec)
            throw std::runtime_error("TLS client CA " + cfg.client_ca_file + ": " + ec.message());
        // The CA names sent in the CertificateRequest, so that clients pick the right cert.
        STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(cfg.client_ca_file.c_str());
        if (names == nullptr)
            throw std::runtime_error("TLS client CA " + cfg.client_ca_file +
                                     ": no certificate in the file");
        SSL_CTX_set_client_CA_list(h, names);
        ctx->set_verify_mode(
            asio::ssl::verify_peer |
            (out.client_cert_required ? asio::ssl::verify_fail_if_no_peer_cert : 0));
        // Session resumption with client certificates needs a context id (at most 32 bytes).
        const std::string sid = "wiregate/" + listener.substr(0, 22);
        SSL_CTX_set_session_id_context(h, reinterpret_cast<const unsigned char*>(sid.data()),
                                       static_cast<unsigned>(sid.size()));
    }
    out.context = std::move(ctx);
    return out;
}

}  // namespace wire::listeners

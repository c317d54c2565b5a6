#pragma once
// TLS helpers for integration tests: throwaway certificate authorities and certificates made
// with the `openssl` command at test time, and a Beast HTTPS client that can present a client
// certificate, limit its protocol version, and report the server's certificate.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gateway_test_env.hpp"

namespace wire::testing {

/// A PEM certificate and its key on disk.
struct test_cert {
    std::string cert_file, key_file;
    std::string sha256() const;  // lower-case hex of the DER, as the gateway computes it
    std::string serial() const;  // upper-case hex, as `openssl x509 -serial` prints it
};

/// A scratch directory of certificates, removed on destruction. Each call runs `openssl`;
/// failures throw std::runtime_error with the command.
class test_pki {
  public:
    test_pki();
    ~test_pki();
    const std::filesystem::path& dir() const { return dir_; }
    /// A self-signed CA named `name` (files <name>.crt and <name>.key).
    test_cert make_ca(const std::string& name);
    /// A server certificate for 127.0.0.1 (subjectAltName IP:127.0.0.1) issued by `ca`.
    test_cert issue_server(const test_cert& ca, const std::string& name);
    /// A client certificate with subject CN `cn` (extendedKeyUsage clientAuth) issued by `ca`.
    test_cert issue_client(const test_cert& ca, const std::string& name, const std::string& cn);

  private:
    test_cert issue(const test_cert& ca, const std::string& name, const std::string& cn,
                    const std::string& extensions);
    std::filesystem::path dir_;
};

struct tls_client_options {
    std::string ca_file;              // verify the server against it ("" = do not verify)
    std::string cert_file, key_file;  // the client certificate to present ("" = none)
    int max_version = 0;              // e.g. TLS1_1_VERSION to offer no more than TLS 1.1
};

/// One HTTPS connection to 127.0.0.1:port.
class tls_client {
  public:
    tls_client(std::uint16_t port, tls_client_options options);
    ~tls_client();
    /// Connects and handshakes; "" on success, else the error (OpenSSL's reason included).
    std::string handshake();
    /// A request on the open connection (a new one when the last answer closed it); status 0
    /// when the server closed the connection or the TLS session failed instead of answering.
    http_answer request(const std::string& method, const std::string& target,
                        const std::string& body,
                        const std::vector<std::pair<std::string, std::string>>& headers = {});
    /// POST /v1/feeds/<feed>/stories, with "Authorization: Bearer <key>" unless key is "".
    http_answer post_story(const std::string& feed, const std::string& key,
                           const std::string& body);
    /// What went wrong in the last handshake() or request() ("" when nothing did).
    const std::string& last_error() const;
    /// The server's certificate of this connection: SHA-256 (lower-case hex) and serial.
    std::string server_cert_sha256() const;
    std::string server_cert_serial() const;

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace wire::testing

#pragma once
// Per-feed authentication of HTTP pushes: a client certificate (mTLS), an API key
// ("Authorization: Bearer <key>") and, when the feed configures it, an HMAC-SHA256 signature of
// "<timestamp>.<body>":
//   X-Wiregate-Timestamp: <unix seconds>
//   X-Wiregate-Signature: sha256=<lowercase hex of HMAC-SHA256(secret, timestamp + "." + body)>
// A timestamp outside the feed's window is refused (replays of old requests). Every comparison
// of secret material is constant-time (CRYPTO_memcmp). Secrets never reach logs or messages.
// Client certificates: the TLS handshake has verified the chain against the listener's client
// CA; here the certificate must be bound to the feed (feeds[].auth.client_certificates) when
// the feed names certificates or the listener requires them. A feed with certificates and no
// API keys is authenticated by the certificate alone; with both, both must pass.
#include <cstdint>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace wire::auth {

enum class auth_result {
    ok,
    missing_credentials,   // no Authorization header: 401
    bad_credentials,       // key not one of the feed's: 403
    missing_signature,     // feed wants HMAC, headers absent: 401
    bad_signature,         // signature does not match: 403
    stale_timestamp,       // outside the window (or unparsable): 401
    client_cert_required,  // the feed or listener wants a client certificate, none sent: 403
    client_cert_mismatch,  // the certificate sent is not bound to this feed: 403
};
std::string_view to_string(auth_result r) noexcept;  // snake_case, for metrics and answers
int http_status(auth_result r) noexcept;              // 200, 401 or 403

struct auth_request {
    std::string_view authorization;  // the Authorization header value ("" if absent)
    std::string_view timestamp;      // X-Wiregate-Timestamp
    std::string_view signature;      // X-Wiregate-Signature
    std::string_view body;
    std::int64_t now_unix = 0;  // the caller's clock, so tests are deterministic
    // The client certificate the handshake verified (both "" when none): its subject CN and
    // the lower-case hex SHA-256 of its DER.
    std::string_view cert_subject_cn;
    std::string_view cert_sha256;
    bool cert_required = false;  // the listener requires client certificates (client_auth)
};

/// Whether a verified certificate matches one of the feed's bindings.
bool cert_bound(const config::feed_auth_config& auth, std::string_view subject_cn,
                std::string_view sha256);

auth_result authenticate(const config::feed_config& feed, const auth_request& req);

/// "sha256=<hex>" for a body: what senders (and `wiregate replay`, and tests) put in
/// X-Wiregate-Signature.
std::string sign(std::string_view secret, std::string_view timestamp, std::string_view body);

}  // namespace wire::auth

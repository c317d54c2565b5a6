#pragma once
// Per-feed authentication of HTTP pushes: an API key ("Authorization: Bearer <key>") and,
// when the feed configures it, an HMAC-SHA256 signature of "<timestamp>.<body>":
//   X-Wiregate-Timestamp: <unix seconds>
//   X-Wiregate-Signature: sha256=<lowercase hex of HMAC-SHA256(secret, timestamp + "." + body)>
// A timestamp outside the feed's window is refused (replays of old requests). Every comparison
// of secret material is constant-time (CRYPTO_memcmp). Secrets never reach logs or messages.
#include <cstdint>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace wire::auth {

enum class auth_result {
    ok,
    missing_credentials,  // no Authorization header: 401
    bad_credentials,      // key not one of the feed's: 403
    missing_signature,    // feed wants HMAC, headers absent: 401
    bad_signature,        // signature does not match: 403
    stale_timestamp,      // outside the window (or unparsable): 401
};
std::string_view to_string(auth_result r) noexcept;  // snake_case, for metrics and answers
int http_status(auth_result r) noexcept;              // 200, 401 or 403

struct auth_request {
    std::string_view authorization;  // the Authorization header value ("" if absent)
    std::string_view timestamp;      // X-Wiregate-Timestamp
    std::string_view signature;      // X-Wiregate-Signature
    std::string_view body;
    std::int64_t now_unix = 0;  // the caller's clock, so tests are deterministic
};

auth_result authenticate(const config::feed_config& feed, const auth_request& req);

/// "sha256=<hex>" for a body: what senders (and `wiregate replay`, and tests) put in
/// X-Wiregate-Signature.
std::string sign(std::string_view secret, std::string_view timestamp, std::string_view body);

}  // namespace wire::auth

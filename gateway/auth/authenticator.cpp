// Per-feed API key and HMAC checks (authenticator.hpp). Secrets are compared in constant time
// and never copied into messages.
#include "auth/authenticator.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <array>
#include <charconv>
#include <cstddef>
#include <optional>

namespace wire::auth {

namespace {

using digest = std::array<unsigned char, 32>;

bool sha256(std::string_view data, digest& out) {
    unsigned int len = 0;
    return EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) == 1 &&
           len == out.size();
}

// The HMAC implementation is fetched once: fetching is a provider lookup under a lock, and the
// fetched EVP_MAC may be shared between threads (each call makes its own context).
EVP_MAC* hmac_algorithm() {
    static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    return mac;
}

// HMAC-SHA256(secret, timestamp "." body), fed in pieces so the body is never copied.
bool hmac_sha256(std::string_view secret, std::string_view timestamp, std::string_view body,
                 digest& out) {
    EVP_MAC* mac = hmac_algorithm();
    if (mac == nullptr) return false;
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
    if (ctx == nullptr) return false;
    char digest_name[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
        OSSL_PARAM_construct_end(),
    };
    // A zero-length key must still be a non-null pointer, or EVP_MAC_init keeps "no key".
    static const unsigned char empty_key[1] = {0};
    const auto* key =
        secret.empty() ? empty_key : reinterpret_cast<const unsigned char*>(secret.data());
    std::size_t len = 0;
    const bool ok = EVP_MAC_init(ctx, key, secret.size(), params) == 1 &&
                    EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(timestamp.data()),
                                   timestamp.size()) == 1 &&
                    EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>("."), 1) == 1 &&
                    EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(body.data()),
                                   body.size()) == 1 &&
                    EVP_MAC_final(ctx, out.data(), &len, out.size()) == 1 && len == out.size();
    EVP_MAC_CTX_free(ctx);
    return ok;
}

bool is_space(char c) { return c == ' ' || c == '\t'; }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool equals_ci(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

// The token of "Bearer <token>" (scheme case-insensitive, one or more spaces); nullopt when the
// header is not a Bearer credential at all.
std::optional<std::string_view> bearer_token(std::string_view authorization) {
    const std::string_view h = trim(authorization);
    constexpr std::string_view scheme = "bearer";
    if (h.size() <= scheme.size() || !equals_ci(h.substr(0, scheme.size()), scheme) ||
        h[scheme.size()] != ' ') {
        return std::nullopt;
    }
    std::string_view token = h.substr(scheme.size());
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    if (token.empty()) return std::nullopt;
    return token;
}

// Digests of equal length are compared, so neither the key lengths nor which key matched
// shows in the timing; every configured key is tried.
bool key_matches(const config::feed_auth_config& auth, std::string_view token) {
    digest presented{};
    if (!sha256(token, presented)) return false;
    int matched = 0;
    for (const auto& key : auth.api_keys) {
        digest expected{};
        if (key.value.empty() || !sha256(key.value, expected)) continue;
        matched |= static_cast<int>(
            CRYPTO_memcmp(presented.data(), expected.data(), presented.size()) == 0);
    }
    return matched != 0;
}

// Decimal unix seconds, digits only; nullopt when unparsable or out of range.
std::optional<std::int64_t> parse_timestamp(std::string_view s) {
    if (s.empty()) return std::nullopt;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
    }
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return v;
}

bool within_window(std::int64_t ts, std::int64_t now, std::uint32_t window) {
    // Unsigned difference of the larger minus the smaller: exact, no signed overflow.
    const std::uint64_t diff =
        ts >= now ? static_cast<std::uint64_t>(ts) - static_cast<std::uint64_t>(now)
                  : static_cast<std::uint64_t>(now) - static_cast<std::uint64_t>(ts);
    return diff <= window;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// "sha256=<64 hex>" -> 32 bytes; false for anything else.
bool decode_signature(std::string_view s, digest& out) {
    constexpr std::string_view prefix = "sha256=";
    s = trim(s);
    if (s.size() != prefix.size() + 2 * out.size() ||
        !equals_ci(s.substr(0, prefix.size()), prefix)) {
        return false;
    }
    s.remove_prefix(prefix.size());
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int hi = hex_value(s[2 * i]);
        const int lo = hex_value(s[2 * i + 1]);
        if (hi < 0 || lo < 0) return false;
        out[i] = static_cast<unsigned char>(hi * 16 + lo);
    }
    return true;
}

}  // namespace

std::string_view to_string(auth_result r) noexcept {
    switch (r) {
        case auth_result::ok:
            return "ok";
        case auth_result::missing_credentials:
            return "missing_credentials";
        case auth_result::bad_credentials:
            return "bad_credentials";
        case auth_result::missing_signature:
            return "missing_signature";
        case auth_result::bad_signature:
            return "bad_signature";
        case auth_result::stale_timestamp:
            return "stale_timestamp";
        case auth_result::client_cert_required:
            return "client_cert_required";
        case auth_result::client_cert_mismatch:
            return "client_cert_mismatch";
    }
    return "unknown";
}

int http_status(auth_result r) noexcept {
    switch (r) {
        case auth_result::ok:
            return 200;
        case auth_result::missing_credentials:
        case auth_result::missing_signature:
        case auth_result::stale_timestamp:
            return 401;
        case auth_result::bad_credentials:
        case auth_result::bad_signature:
        case auth_result::client_cert_required:
        case auth_result::client_cert_mismatch:
            return 403;
    }
    return 403;
}

bool cert_bound(const config::feed_auth_config& auth, std::string_view subject_cn,
                std::string_view sha256) {
    if (sha256.empty()) return false;  // no certificate
    for (const auto& b : auth.client_certificates) {
        // Fingerprints are public: no constant-time compare needed.
        if (!b.sha256.empty() && b.sha256 != sha256) continue;
        if (!b.subject_cn.empty() && b.subject_cn != subject_cn) continue;
        if (b.sha256.empty() && b.subject_cn.empty()) continue;
        return true;
    }
    return false;
}

auth_result authenticate(const config::feed_config& feed, const auth_request& req) {
    // A feed with no credential at all (the config loader refuses one) lets nobody in.
    if (feed.auth.api_keys.empty() && feed.auth.client_certificates.empty())
        return auth_result::bad_credentials;
    // The certificate first: it came with the connection, before any header.
    if (req.cert_required || !feed.auth.client_certificates.empty()) {
        if (req.cert_sha256.empty()) return auth_result::client_cert_required;
        if (!cert_bound(feed.auth, req.cert_subject_cn, req.cert_sha256))
            return auth_result::client_cert_mismatch;
    }
    if (!feed.auth.api_keys.empty()) {
        // A header with another scheme (Basic, …) carries no credential we accept: 401, as for
        // an absent header (RFC 6750 section 3.1).
        const auto token = bearer_token(req.authorization);
        if (!token) return auth_result::missing_credentials;
        if (!key_matches(feed.auth, *token)) return auth_result::bad_credentials;
    }

    if (!feed.auth.hmac) return auth_result::ok;
    const config::hmac_config& hmac = *feed.auth.hmac;
    if (trim(req.timestamp).empty() || trim(req.signature).empty()) {
        return auth_result::missing_signature;
    }
    const auto ts = parse_timestamp(trim(req.timestamp));
    if (!ts || !within_window(*ts, req.now_unix, hmac.window_seconds)) {
        return auth_result::stale_timestamp;
    }
    digest presented{};
    if (!decode_signature(req.signature, presented)) return auth_result::bad_signature;
    digest expected{};
    // The header text as sent (leading zeros and all) is what the sender signed.
    if (!hmac_sha256(hmac.secret.value, trim(req.timestamp), req.body, expected)) {
        return auth_result::bad_signature;
    }
    return CRYPTO_memcmp(presented.data(), expected.data(), expected.size()) == 0
               ? auth_result::ok
               : auth_result::bad_signature;
}

std::string sign(std::string_view secret, std::string_view timestamp, std::string_view body) {
    digest mac{};
    if (!hmac_sha256(secret, timestamp, body, mac)) return {};
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "sha256=";
    out.reserve(out.size() + 2 * mac.size());
    for (unsigned char b : mac) {
        out.push_back(hex[b >> 4]);
        out.push_back(hex[b & 0x0f]);
    }
    return out;
}

}  // namespace wire::auth

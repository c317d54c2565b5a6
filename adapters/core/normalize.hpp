#pragma once
// normalize(): bytes in, stories (or coded errors) out. The one entry point the CLI, the HTTP
// and stream listeners and the tests share. Pure: no I/O, no clock (the caller passes
// received_at), no global state besides the adapter registry (and, invisible to callers, the
// iconv descriptors charset.cpp keeps open per thread).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "story.hpp"

namespace wire::adapters {

struct normalize_options {
    std::string format = "auto";  // adapter id or "auto"
    std::string feed;
    std::string agency;            // overrides the profile's agency
    std::string profile;           // "" = generic
    std::string charset;           // transport charset (feed config / --charset); "" = none
    std::string received_at;       // RFC 3339 UTC, stamped into wire.received_at
    std::string gateway_instance;  // wire.gateway
    std::string gateway_version;
    std::size_t max_bytes = 16u << 20;  // larger inputs are refused with too_large
};

struct normalize_result {
    std::string format;  // the adapter that read it ("" when none could)
    std::vector<item_result> items;
};

normalize_result normalize(std::string_view raw, const normalize_options& opts);

/// The format auto-sniffing picks for these bytes, or "".
std::string sniff_format(std::string_view raw);

/// Cleans, completes and checks a story an adapter produced (bodies, counts, uri, times,
/// urgency range). Returns an error when a required field is missing.
std::optional<adapter_error> finalize_story(story& s);

/// Lowercase hex SHA-256 of the bytes (wire.raw_sha256, dead-letter keys).
std::string sha256_hex(std::string_view data);

/// The Kafka message value: {"schema":"wiregate.story/1","story":{…},"wire":{…}}.
std::string envelope_json(const story& s);

/// {"code","message","offset"?,"path"?} plus "file" when given: what `normalize` prints on stderr.
std::string error_json(const adapter_error& e, std::string_view file = {});

}  // namespace wire::adapters

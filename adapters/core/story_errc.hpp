#pragma once
// The fixed list of reasons an adapter can refuse an input. Every refusal carries one of these
// codes plus the byte offset or element path at fault (see adapter_error in story.hpp). The
// names are part of the HTTP and dead-letter contract: never rename, only append.
#include <string_view>
#include <system_error>

namespace wire::adapters {

enum class story_errc {
    ok = 0,
    malformed,         // not well-formed for its format (bad XML/JSON, broken framing)
    unsupported,       // well-formed, but a format, version or construct we do not read
    missing_required,  // a field the story cannot exist without (id, headline or body) is absent
    bad_charset,       // the bytes cannot be decoded in the declared or detected charset
    too_large,         // over a size, depth or count limit
    bad_value,         // a field is present but unusable (an impossible date, urgency 42)
    unknown_format,    // auto-sniffing could not tell the format
};

const std::error_category& story_category() noexcept;
std::error_code make_error_code(story_errc e) noexcept;
// The stable snake_case name used in APIs, metrics labels and fixture file names.
std::string_view to_string(story_errc e) noexcept;

}  // namespace wire::adapters

template <>
struct std::is_error_code_enum<wire::adapters::story_errc> : std::true_type {};

#pragma once
// Charsets on the wire: decide what the bytes really are, and transcode them to UTF-8.
// Rules (docs/formats.md, "charset"): labels are normalised case-insensitively; iso-8859-1 and
// its aliases are decoded as windows-1252 (as the WHATWG Encoding Standard does); bytes that are
// mostly valid UTF-8 win over a declared single-byte charset; stray bytes in UTF-8 are read one
// by one in the profile's single-byte charset; an unsupported label, or 8-bit bytes declared
// us-ascii, are read by the same rules as undeclared bytes; every repair is reported in
// `decoded_text::warning`; a UTF-8 BOM is stripped.
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "story.hpp"

namespace wire::adapters {

/// A canonical charset name ("utf-8", "windows-1252", "windows-1251", "koi8-r", "us-ascii")
/// for a label, or "" when we do not support it.
std::string canonical_charset(std::string_view label);

/// The encoding named in an XML declaration (`<?xml … encoding="X"?>`), or "".
std::string xml_declared_encoding(std::string_view raw);

/// True when the bytes are valid UTF-8 (no overlongs, no surrogates).
bool is_valid_utf8(std::string_view bytes);
/// The length of the UTF-8 sequence `lead` starts (1 to 4), or 0 for a continuation or invalid
/// byte.
std::size_t utf8_sequence_length(char lead);
/// The offset of the first byte that breaks UTF-8, or npos.
std::size_t utf8_invalid_offset(std::string_view bytes);

struct decoded_text {
    std::string utf8;
    std::string declared;       // what the sender said ("" when nothing was declared)
    std::string used;           // what we decoded with
    std::string warning;        // set when the bytes were repaired or declared and used disagree
    std::size_t bom_bytes = 0;  // stripped from the front: raw offset = text offset + this
};

/// Transcodes `raw` to UTF-8. `declared` is the label from the document or transport ("" for
/// none); `fallback` is the profile's charset, used when nothing is declared and the bytes are
/// not UTF-8, and for stray bytes in UTF-8 (windows-1252 when the profile's is not single-byte).
/// Fails with bad_charset only when iconv cannot decode with a supported charset.
std::variant<decoded_text, adapter_error> decode_to_utf8(std::string_view raw,
                                                         std::string_view declared,
                                                         std::string_view fallback);

}  // namespace wire::adapters

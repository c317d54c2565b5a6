#pragma once
// The adapter registry: format id -> decode function. Adapters register themselves with one
// line at the end of their file (WIRE_REGISTER_ADAPTER), so a new format touches one file.
#include <string>
#include <string_view>
#include <vector>

#include "profile.hpp"
#include "story.hpp"

namespace wire::adapters {

/// What an adapter gets besides the bytes. The text is already UTF-8 (normalize() transcoded
/// it); telex control characters are still in it, because they carry the framing.
struct decode_context {
    const profile& prof;
};

/// Decodes one document into one result per item. A document-wide failure is a single
/// adapter_error; a multi-item document may mix stories and errors.
using decode_fn = std::vector<item_result> (*)(std::string_view utf8, const decode_context& ctx);

/// True when the first bytes (BOM and leading whitespace already skipped) look like this format.
using sniff_fn = bool (*)(std::string_view head);

enum class charset_source {
    xml_declaration,  // <?xml encoding="…"?>, else UTF-8
    utf8_only,        // JSON: RFC 8259 says UTF-8
    transport,        // telex: the feed's or profile's charset, checked against the bytes
};

struct adapter_info {
    std::string id;           // e.g. "newsml-g2"; also the fixture folder name
    std::string description;  // one line for `wiregate formats`
    decode_fn decode = nullptr;
    sniff_fn sniff = nullptr;
    charset_source charset = charset_source::utf8_only;
    int sniff_rank = 100;  // lower is tried first by auto (specific formats before generic ones)
};

/// Registers an adapter; returns true so it can initialise a static. Duplicate ids abort at
/// start-up (two files claiming one format is a build mistake, not a runtime condition).
bool register_adapter(adapter_info info);

/// Every registered adapter, sorted by id.
std::vector<adapter_info> registered_adapters();

/// The adapter for an id, or nullptr.
const adapter_info* find_adapter(std::string_view id);

}  // namespace wire::adapters

#define WIRE_REGISTER_ADAPTER_CAT2(a, b) a##b
#define WIRE_REGISTER_ADAPTER_CAT(a, b) WIRE_REGISTER_ADAPTER_CAT2(a, b)
#define WIRE_REGISTER_ADAPTER(...)                                                             \
    [[maybe_unused]] static const bool WIRE_REGISTER_ADAPTER_CAT(wire_registered_, __LINE__) = \
        ::wire::adapters::register_adapter(__VA_ARGS__)

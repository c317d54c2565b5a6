// libFuzzer target: one executable per adapter (WIREGATE_FUZZ_FORMAT) plus "auto", seeded from
// tests/fixtures/<format>/. normalize() and the envelope writer must never crash, hang, leak or
// allocate without bound, whatever the bytes; every story they return must serialise.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/normalize.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace wire::adapters;
    static const normalize_options opts = [] {
        normalize_options o;
        o.format = WIREGATE_FUZZ_FORMAT;
        o.received_at = "2026-01-01T00:00:00Z";
        o.max_bytes = 1u << 20;
        return o;
    }();
    auto result = normalize(std::string_view(reinterpret_cast<const char*>(data), size), opts);
    for (const auto& item : result.items) {
        if (const auto* s = std::get_if<story>(&item)) {
            auto json = envelope_json(*s);
            if (json.empty()) __builtin_trap();
        } else {
            (void)error_json(std::get<adapter_error>(item));
        }
    }
    return 0;
}

#pragma once
// The adapter registry: format id -> decode function. Adapters register themselves with one
// line at the end of their file (WIRE_REGISTER_ADAPTER), so a new format touches one file.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/story_errc.hpp"

namespace wire::adapters {

struct adapter_info {
    std::string id;           // e.g. "newsml-g2"; also the fixture folder name
    std::string description;  // one line for `wiregate formats`
};

/// Registers an adapter; returns true so it can initialise a static. Duplicate ids abort at
/// start-up (two files claiming one format is a build mistake, not a runtime condition).
bool register_adapter(adapter_info info);

/// Every registered adapter, sorted by id.
std::vector<adapter_info> registered_adapters();

}  // namespace wire::adapters

#define WIRE_REGISTER_ADAPTER_CAT2(a, b) a##b
#define WIRE_REGISTER_ADAPTER_CAT(a, b) WIRE_REGISTER_ADAPTER_CAT2(a, b)
#define WIRE_REGISTER_ADAPTER(...)                                                             \
    [[maybe_unused]] static const bool WIRE_REGISTER_ADAPTER_CAT(wire_registered_, __LINE__) = \
        ::wire::adapters::register_adapter(__VA_ARGS__)

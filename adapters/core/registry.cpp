#include "registry.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>

namespace wire::adapters {
namespace {

// Function-local statics: registration runs during static initialisation of other files, so
// the table must exist before its first use, whatever the link order.
// A deque keeps pointers handed out by find_adapter() valid while others register.
std::deque<adapter_info>& table() {
    static std::deque<adapter_info> adapters;
    return adapters;
}
std::mutex& table_mutex() {
    static std::mutex m;
    return m;
}

}  // namespace

bool register_adapter(adapter_info info) {
    std::lock_guard lock(table_mutex());
    auto& t = table();
    if (std::any_of(t.begin(), t.end(), [&](const auto& a) { return a.id == info.id; })) {
        std::fprintf(stderr, "wiregate: adapter '%s' registered twice\n", info.id.c_str());
        std::abort();
    }
    t.push_back(std::move(info));
    return true;
}

std::vector<adapter_info> registered_adapters() {
    std::lock_guard lock(table_mutex());
    std::vector<adapter_info> copy(table().begin(), table().end());
    std::sort(copy.begin(), copy.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return copy;
}

}  // namespace wire::adapters

namespace wire::adapters {

const adapter_info* find_adapter(std::string_view id) {
    std::lock_guard lock(table_mutex());
    for (const auto& a : table())
        if (a.id == id) return &a;
    return nullptr;
}

}  // namespace wire::adapters

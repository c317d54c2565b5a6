#include "pipeline/spool_codec.hpp"

#include <cstdint>

namespace wire::pipeline {
namespace {

constexpr char k_format_version = 1;

void put_u32(std::string& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void put(std::string& out, std::string_view s) {
    put_u32(out, static_cast<std::uint32_t>(s.size()));
    out.append(s);
}

struct reader {
    std::string_view in;
    bool ok = true;
    std::uint32_t u32() {
        if (in.size() < 4) return ok = false, 0;
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i)
            v |= std::uint32_t(static_cast<unsigned char>(in[i])) << (8 * i);
        in.remove_prefix(4);
        return v;
    }
    std::string str() {
        auto n = u32();
        if (!ok || n > in.size()) return ok = false, std::string();
        std::string s(in.substr(0, n));
        in.remove_prefix(n);
        return s;
    }
};

}  // namespace

std::string encode(const spooled_item& item) {
    std::string out(1, k_format_version);
    for (const auto* s :
         {&item.feed, &item.dedup_id, &item.uri, &item.version, &item.signal, &item.headline})
        put(out, *s);
    put_u32(out, static_cast<std::uint32_t>(item.messages.size()));
    for (const auto& m : item.messages) {
        put(out, m.topic);
        put(out, m.key);
        put(out, m.value);
        put_u32(out, static_cast<std::uint32_t>(m.headers.size()));
        for (const auto& [k, v] : m.headers) {
            put(out, k);
            put(out, v);
        }
    }
    return out;
}

std::optional<spooled_item> decode(std::string_view bytes) {
    if (bytes.empty() || bytes.front() != k_format_version) return std::nullopt;
    reader r{bytes.substr(1)};
    spooled_item item;
    for (auto* s :
         {&item.feed, &item.dedup_id, &item.uri, &item.version, &item.signal, &item.headline})
        *s = r.str();
    auto count = r.u32();
    // Every message takes at least 16 bytes: a count larger than that is corrupt, not a
    // reason to reserve gigabytes.
    if (!r.ok || count > r.in.size() / 16) return std::nullopt;
    for (std::uint32_t i = 0; i < count && r.ok; ++i) {
        producer::outgoing_message m;
        m.topic = r.str();
        m.key = r.str();
        m.value = r.str();
        auto headers = r.u32();
        if (!r.ok || headers > r.in.size() / 8) return std::nullopt;
        for (std::uint32_t h = 0; h < headers && r.ok; ++h) {
            auto k = r.str();
            auto v = r.str();
            m.headers.emplace_back(std::move(k), std::move(v));
        }
        item.messages.push_back(std::move(m));
    }
    if (!r.ok || !r.in.empty()) return std::nullopt;
    return item;
}

}  // namespace wire::pipeline

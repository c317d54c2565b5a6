#pragma once
// Helpers shared by the stream_framer tests: feed a stream in reads of chosen sizes, count the
// stories normalize() makes of a frame.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "core/normalize.hpp"
#include "listeners/stream_framer.hpp"

namespace framer_test {

using namespace wire::listeners;
using wire::adapters::adapter_error;
using wire::adapters::normalize_options;
using wire::adapters::story;

inline constexpr std::size_t k_max = 1u << 20;

inline std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// How a stream is cut into reads: the size of the next read.
using chunker = std::function<std::size_t()>;

struct framed {
    std::vector<std::string> frames;
    framer_counters counters;
    std::size_t max_buffered = 0;  // after any feed()
};

inline framed run(framing f, std::string_view data, const chunker& next, std::size_t max = k_max) {
    stream_framer fr(f, max);
    framed r;
    for (std::size_t p = 0; p < data.size();) {
        std::size_t n = std::min(next(), data.size() - p);
        for (auto& fm : fr.feed(data.substr(p, n))) r.frames.push_back(std::move(fm));
        r.max_buffered = std::max(r.max_buffered, fr.buffered());
        p += n;
    }
    for (auto& fm : fr.finish_frames()) r.frames.push_back(std::move(fm));
    r.counters = fr.counters();
    return r;
}
inline framed whole(framing f, std::string_view data, std::size_t max = k_max) {
    return run(
        f, data, [&] { return data.size(); }, max);
}

inline std::size_t stories(std::string_view raw, const normalize_options& o, std::string* errors) {
    std::size_t n = 0;
    for (const auto& item : wire::adapters::normalize(raw, o).items) {
        if (std::holds_alternative<story>(item))
            ++n;
        else if (errors)
            *errors += std::get<adapter_error>(item).message + "; ";
    }
    return n;
}

}  // namespace framer_test

#pragma once
// The inputs of adapter_bench: every good fixture of every format (tests/fixtures/<id>/good,
// with its options.json), and one generated big document per format built from those
// fixtures (an item repeated N times inside the fixture's own envelope).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <simdjson.h>

#include "core/normalize.hpp"

namespace wire::bench {

struct input {
    std::string name;
    std::string bytes;
    adapters::normalize_options opts;
};

inline std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline adapters::normalize_options options_for(const std::filesystem::path& doc,
                                               const std::string& format) {
    adapters::normalize_options o;
    o.format = format;
    o.feed = "bench";
    o.received_at = "2026-01-01T00:00:00Z";
    o.gateway_instance = "bench";
    o.gateway_version = "bench";
    auto opt_path = doc.parent_path() / (doc.stem().string() + ".options.json");
    if (!std::filesystem::exists(opt_path)) return o;
    simdjson::dom::parser p;
    simdjson::dom::element e;
    if (p.load(opt_path.string()).get(e)) return o;
    std::string_view v;
    if (!e["profile"].get(v)) o.profile = std::string(v);
    if (!e["charset"].get(v)) o.charset = std::string(v);
    if (!e["agency"].get(v)) o.agency = std::string(v);
    return o;
}

/// Every good fixture of `format`, sorted by name.
inline std::vector<input> fixtures(const std::filesystem::path& root, const std::string& format) {
    std::vector<input> out;
    for (const auto& f : std::filesystem::directory_iterator(root / format / "good")) {
        const auto name = f.path().filename().string();
        if (name.find(".expected.") != std::string::npos ||
            name.find(".options.") != std::string::npos)
            continue;
        out.push_back({name, read_file(f.path()), options_for(f.path(), format)});
    }
    std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.name < b.name; });
    return out;
}

/// The bracket closing the one at `open` in JSON text (strings skipped).
inline size_t matching_bracket(const std::string& s, size_t open) {
    int depth = 0;
    for (size_t i = open; i < s.size(); ++i) {
        char c = s[i];
        if (c == '"') {
            for (++i; i < s.size() && s[i] != '"'; ++i)
                if (s[i] == '\\') ++i;
        } else if (c == '[' || c == '{') {
            ++depth;
        } else if ((c == ']' || c == '}') && --depth == 0) {
            return i;
        }
    }
    return std::string::npos;
}

/// prefix + n × item (joined by sep) + suffix.
inline std::string repeat(const std::string& prefix, const std::string& item,
                          const std::string& sep, int n, const std::string& suffix) {
    std::string out = prefix;
    for (int i = 0; i < n; ++i) {
        if (i) out += sep;
        out += item;
    }
    return out + suffix;
}

/// The first element between begin/end markers repeated n times, in place of every such element.
inline std::string repeat_element(const std::string& doc, const std::string& begin,
                                  const std::string& end, int n) {
    size_t b = doc.find(begin), e = doc.find(end, b), last = doc.rfind(end);
    if (b == std::string::npos || e == std::string::npos) return doc;
    return repeat(doc.substr(0, b), doc.substr(b, e + end.size() - b), "\n", n,
                  doc.substr(last + end.size()));
}

/// A generated document of about n stories (NITF, which holds one story: its body block n times).
inline input big_document(const std::filesystem::path& root, const std::string& format, int n) {
    auto pick = [&](const std::string& file) {
        auto p = root / format / "good" / file;
        return input{"corpus", read_file(p), options_for(p, format)};
    };
    if (format == "newsml-g2") {
        auto in = pick("006-message-two-items-withheld.xml");
        in.bytes = repeat_element(in.bytes, "<newsItem ", "</newsItem>", n);
        return in;
    }
    if (format == "newsml-1.2") {
        auto in = pick("003-two-items.xml");
        in.bytes = repeat_element(in.bytes, "<NewsItem>", "</NewsItem>", n);
        return in;
    }
    if (format == "nitf") {
        auto in = pick("001-ap-story.xml");
        in.bytes = repeat_element(in.bytes, "<block", "</block>", n);
        return in;
    }
    if (format == "ninjs") {
        auto in = pick("001-text-2x.json");
        in.bytes = repeat("[", in.bytes, ",", n, "]");
        return in;
    }
    if (format == "ap-json") {
        auto in = pick("005-feed-page-three-items.json");
        size_t key = in.bytes.find("\"items\"");
        size_t open = in.bytes.find('[', key);
        size_t first = in.bytes.find('{', open);
        size_t first_end = matching_bracket(in.bytes, first);
        size_t close = matching_bracket(in.bytes, open);
        in.bytes =
            repeat(in.bytes.substr(0, open + 1), in.bytes.substr(first, first_end + 1 - first), ",",
                   n, in.bytes.substr(close));
        return in;
    }
    // Telex: a stream of n messages, as a line would carry them.
    static const std::map<std::string, std::string> first{{"anpa1312", "001-ap-new.anpa"},
                                                          {"iptc7901", "001-interfax-new.iptc"},
                                                          {"zczc", "001-interfax-en-new.txt"}};
    auto in = pick(first.at(format));
    in.bytes = repeat("", in.bytes, "\n", n, "");
    return in;
}

}  // namespace wire::bench

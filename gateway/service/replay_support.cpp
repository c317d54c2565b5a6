#include "service/replay_support.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <system_error>

#include "config/feed_id.hpp"
#include "core/text.hpp"

namespace wire::replay {
namespace fs = std::filesystem;

namespace {

using adapters::ascii_lower;

bool ends_with(std::string_view s, std::string_view tail) {
    return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

bool skipped_in_directory(const fs::path& p) {
    std::string name = p.filename().string();
    return name.empty() || name[0] == '.' || ends_with(name, ".expected.json") ||
           ends_with(name, ".options.json");
}

// Control bytes (and the rest of a long answer) kept out of the terminal.
std::string printable(std::string_view s, std::size_t max) {
    std::string out;
    for (char c : s.substr(0, max)) out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
    if (s.size() > max) out += "…";
    return out;
}

std::string text(simdjson::dom::element e, const char* key) {
    std::string_view v;
    if (e[key].get(v) == simdjson::SUCCESS) return printable(v, 500);
    return {};
}

std::string number(simdjson::dom::element e, const char* key) {
    int64_t i;
    if (e[key].get(i) == simdjson::SUCCESS) return std::to_string(i);
    uint64_t u;
    if (e[key].get(u) == simdjson::SUCCESS) return std::to_string(u);
    return "?";
}

std::string or_dash(std::string s) { return s.empty() ? "-" : s; }

}  // namespace

std::string guess_content_type(const fs::path& file) {
    std::string ext = ascii_lower(file.extension().string());
    if (ext == ".xml") return "application/xml";
    if (ext == ".json") return "application/json";
    return "application/octet-stream";
}

file_list list_files(const std::vector<std::string>& paths) {
    file_list out;
    for (const auto& arg : paths) {
        fs::path p(arg);
        std::error_code ec;
        auto st = fs::status(p, ec);
        if (ec || !fs::exists(st)) {
            out.problems.push_back(arg + ": no such file or directory");
        } else if (fs::is_regular_file(st)) {
            out.files.push_back(p);
        } else if (fs::is_directory(st)) {
            std::vector<fs::path> found;
            fs::recursive_directory_iterator it(p, fs::directory_options::none, ec), end;
            for (; !ec && it != end; it.increment(ec)) {
                std::error_code entry_ec;  // a broken link is skipped, not the end of the walk
                if (it->path().filename().string().starts_with('.') && it->is_directory(entry_ec))
                    it.disable_recursion_pending();  // hidden directories (.git) are skipped too
                else if (it->is_regular_file(entry_ec) && !skipped_in_directory(it->path()))
                    found.push_back(it->path());
            }
            if (ec) out.problems.push_back(arg + ": " + ec.message());
            std::sort(found.begin(), found.end());
            out.files.insert(out.files.end(), found.begin(), found.end());
        } else {
            out.problems.push_back(arg + ": not a regular file or directory");
        }
    }
    return out;
}

std::optional<endpoint> parse_url(std::string_view url, std::string& why) {
    endpoint e;
    std::string_view rest;
    if (ascii_lower(url.substr(0, 7)) == "http://") {
        rest = url.substr(7);
    } else if (ascii_lower(url.substr(0, 8)) == "https://") {
        e.tls = true;
        rest = url.substr(8);
    } else {
        why = "the URL must start with http:// or https://";
        return std::nullopt;
    }
    std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
    std::string_view path = rest.substr(authority.size());
    if (!path.empty() && path[0] != '/') {
        why = "the URL may not carry a query or fragment";
        return std::nullopt;
    }
    std::string_view port;
    if (!authority.empty() && authority[0] == '[') {  // [::1]:8080
        auto close = authority.find(']');
        if (close == std::string_view::npos) {
            why = "unclosed '[' in the URL host";
            return std::nullopt;
        }
        e.host = authority.substr(1, close - 1);
        std::string_view after = authority.substr(close + 1);
        if (!after.empty() && after[0] != ':') {
            why = "junk after the IPv6 address in the URL";
            return std::nullopt;
        }
        if (!after.empty()) port = after.substr(1);
    } else {
        auto colon = authority.rfind(':');
        e.host = authority.substr(0, colon);
        if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    }
    if (e.host.empty() || e.host.find_first_of("@ \t") != std::string::npos) {
        why = "the URL names no usable host";
        return std::nullopt;
    }
    unsigned n = 0;
    auto r = std::from_chars(port.data(), port.data() + port.size(), n);
    if (!port.empty() &&
        (r.ec != std::errc() || r.ptr != port.data() + port.size() || n == 0 || n > 65535)) {
        why = "the URL port '" + std::string(port) + "' is not a number from 1 to 65535";
        return std::nullopt;
    }
    e.port = port.empty() ? (e.tls ? "443" : "80") : std::to_string(n);
    e.base = path;
    while (!e.base.empty() && e.base.back() == '/') e.base.pop_back();
    return e;
}

std::string host_header(const endpoint& e) {
    std::string h = e.host.find(':') != std::string::npos ? "[" + e.host + "]" : e.host;
    if (e.port != (e.tls ? "443" : "80")) h += ":" + e.port;
    return h;
}

bool valid_feed_id(std::string_view feed) { return config::is_feed_id(feed); }

std::string push_target(const endpoint& e, std::string_view feed) {
    return e.base + "/v1/feeds/" + std::string(feed) + "/stories";
}

std::chrono::seconds retry_delay(std::string_view retry_after) {
    while (!retry_after.empty() && retry_after.front() == ' ') retry_after.remove_prefix(1);
    while (!retry_after.empty() && retry_after.back() == ' ') retry_after.remove_suffix(1);
    long long s = 0;
    auto r = std::from_chars(retry_after.data(), retry_after.data() + retry_after.size(), s);
    if (retry_after.empty() || r.ec != std::errc() ||
        r.ptr != retry_after.data() + retry_after.size() || s < 0)
        return std::chrono::seconds(1);
    return std::chrono::seconds(std::min(s, 30LL));
}

std::vector<std::string> answer_lines(std::string_view body) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    simdjson::padded_string padded(body);
    if (body.empty() || parser.parse(padded).get(doc) != simdjson::SUCCESS || !doc.is_object())
        return {body.empty() ? "  (empty answer)"
                             : "  (answer is not a JSON object: " + printable(body, 200) + ")"};
    std::vector<std::string> out;
    simdjson::dom::element err;
    simdjson::dom::array items;
    if (doc["items"].get(items) == simdjson::SUCCESS) {
        for (simdjson::dom::element item : items) {
            std::string status = or_dash(text(item, "status"));
            if (item["error"].get(err) == simdjson::SUCCESS) {
                out.push_back("  " + status + " " + or_dash(text(err, "code")) + ": " +
                              text(err, "message"));
                continue;
            }
            std::string line = "  " + status + " " + or_dash(text(item, "uri")) + " v" +
                               or_dash(text(item, "version"));
            simdjson::dom::array topics;
            if (item["topics"].get(topics) == simdjson::SUCCESS)
                for (simdjson::dom::element t : topics)
                    line += " " + text(t, "topic") + "[" + number(t, "partition") + "]@" +
                            number(t, "offset");
            out.push_back(std::move(line));
            // What a person checks at a glance: the lifecycle signal and the headline.
            std::string signal = text(item, "signal"), headline = text(item, "headline");
            if (!signal.empty() || !headline.empty())
                out.push_back("      " + or_dash(signal) + ": " + printable(headline, 100));
        }
    } else if (doc["error"].get(err) == simdjson::SUCCESS) {
        out.push_back("  error " + or_dash(text(err, "code")) + ": " + text(err, "message"));
    } else {
        out.push_back("  (answer without items: " + printable(body, 200) + ")");
    }
    return out;
}

}  // namespace wire::replay

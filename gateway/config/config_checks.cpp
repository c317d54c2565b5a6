// Value syntax and the checks across sections (see config_checks.hpp).
#include "config/config_checks.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <regex>
#include <set>

namespace wire::config::detail {

bool is_topic_name(std::string_view s) {
    static const std::regex k_topic("[a-zA-Z0-9._-]{1,249}");
    return s != "." && s != ".." && std::regex_match(s.begin(), s.end(), k_topic);
}

namespace {

// 4 for an IPv4 literal, 6 for IPv6, 0 for neither. inet_pton is strict: no zone ids, no
// shortened IPv4 forms like "10.1".
int ip_family(std::string_view s) {
    if (s.empty() || s.size() > 45) return 0;
    std::string text(s);
    unsigned char buf[16];
    if (inet_pton(AF_INET, text.c_str(), buf) == 1) return 4;
    if (inet_pton(AF_INET6, text.c_str(), buf) == 1) return 6;
    return 0;
}

bool is_loopback(const std::string& address) {
    unsigned char buf[16];
    if (inet_pton(AF_INET, address.c_str(), buf) == 1) return buf[0] == 127;  // 127.0.0.0/8
    if (inet_pton(AF_INET6, address.c_str(), buf) == 1) {
        static const unsigned char k_loopback6[16] = {0, 0, 0, 0, 0, 0, 0, 0,
                                                      0, 0, 0, 0, 0, 0, 0, 1};
        return std::equal(buf, buf + 16, k_loopback6);
    }
    return false;
}

bool is_unspecified(const std::string& address) {
    return address == "0.0.0.0" || address == "::" || address == "0:0:0:0:0:0:0:0";
}

}  // namespace

bool is_ip_address(std::string_view s) { return ip_family(s) != 0; }

bool is_cidr(std::string_view s) {
    auto slash = s.find('/');
    if (slash == std::string_view::npos) return ip_family(s) != 0;  // one host
    auto family = ip_family(s.substr(0, slash));
    auto bits = s.substr(slash + 1);
    if (family == 0 || bits.empty() || bits.size() > 3) return false;
    int prefix = -1;
    auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
    if (ec != std::errc{} || end != bits.data() + bits.size()) return false;
    return prefix >= 0 && prefix <= (family == 4 ? 32 : 128);
}

bool is_language_tag(std::string_view s) {
    static const std::regex k_tag("[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,4}");
    return std::regex_match(s.begin(), s.end(), k_tag);
}

namespace {

// The telex formats are also framings: a feed that names one must be streamed in that framing.
bool is_telex_format(const std::string& format) {
    return format == "anpa1312" || format == "iptc7901" || format == "zczc";
}

void check_listeners(problem_sink& sink, const gateway_config& cfg) {
    if (cfg.http.empty() && cfg.streams.empty())
        sink.add("listeners", "at least one http listener or stream is required");

    std::map<std::string, std::size_t> names;
    for (std::size_t i = 0; i < cfg.http.size(); ++i) {
        auto [it, fresh] = names.emplace(cfg.http[i].name, i);
        if (!fresh)
            sink.add(index_path("listeners.http", i) + ".name",
                     "duplicate listener name " + quote(cfg.http[i].name) +
                         " (also listeners.http[" + std::to_string(it->second) + "])");
    }

    struct bound {
        std::string path, address;
        std::uint16_t port;
    };
    std::vector<bound> all;
    for (std::size_t i = 0; i < cfg.http.size(); ++i)
        all.push_back({index_path("listeners.http", i), cfg.http[i].address, cfg.http[i].port});
    all.push_back({"listeners.admin", cfg.admin.address, cfg.admin.port});
    for (std::size_t i = 0; i < cfg.streams.size(); ++i)
        all.push_back(
            {index_path("listeners.streams", i), cfg.streams[i].address, cfg.streams[i].port});
    // Two listeners clash on one port when their addresses overlap; port 0 picks a free port.
    for (std::size_t i = 0; i < all.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
            const auto &a = all[i], &b = all[j];
            bool overlap =
                a.address == b.address || is_unspecified(a.address) || is_unspecified(b.address);
            if (a.port != 0 && a.port == b.port && overlap) {
                sink.add(a.path + ".port",
                         "port " + std::to_string(a.port) + " is already used by " + b.path);
                break;
            }
        }
    }

    // The admin port answers /metrics and /readyz to whoever reaches it: loopback unless the
    // operator says otherwise (a probe or scraper on another host, behind a firewall).
    if (!cfg.admin.allow_remote && is_ip_address(cfg.admin.address) &&
        !is_loopback(cfg.admin.address))
        sink.add("listeners.admin.address",
                 quote(cfg.admin.address) +
                     " is not a loopback address; the admin port shows metrics and readiness to "
                     "anyone who reaches it: bind it to 127.0.0.1 or ::1, or set "
                     "listeners.admin.allow_remote: true");

    std::map<std::string, std::size_t> stream_feeds;
    for (std::size_t i = 0; i < cfg.streams.size(); ++i) {
        const auto& s = cfg.streams[i];
        auto path = index_path("listeners.streams", i) + ".feed";
        if (s.feed.empty()) continue;  // already reported
        const auto* feed = cfg.find_feed(s.feed);
        if (feed == nullptr) {
            sink.add(path, "unknown feed " + quote(s.feed) + " (not in feeds)");
            continue;
        }
        auto [it, fresh] = stream_feeds.emplace(s.feed, i);
        if (!fresh)
            sink.add(path, "feed " + quote(s.feed) + " already has a stream (listeners.streams[" +
                               std::to_string(it->second) + "])");
        if (is_telex_format(feed->format) && is_telex_format(s.framing) &&
            feed->format != s.framing)
            sink.add(index_path("listeners.streams", i) + ".framing",
                     "framing " + quote(s.framing) + " does not fit feed " + quote(s.feed) +
                         ", whose format is " + quote(feed->format));
    }
}

void check_feeds(problem_sink& sink, const gateway_config& cfg) {
    const bool any_mtls = std::any_of(cfg.http.begin(), cfg.http.end(), [](const auto& l) {
        return l.tls && l.tls->client_auth != client_auth_mode::none;
    });
    for (std::size_t i = 0; i < cfg.feeds.size(); ++i)
        if (!cfg.feeds[i].auth.client_certificates.empty() && !any_mtls)
            sink.add(index_path("feeds", i) + ".auth.client_certificates",
                     "no HTTP listener asks for client certificates (tls.client_auth optional or "
                     "required), so no request for this feed could ever be authenticated");
    std::map<std::string, std::size_t> ids;
    for (std::size_t i = 0; i < cfg.feeds.size(); ++i) {
        if (cfg.feeds[i].id.empty()) continue;
        auto [it, fresh] = ids.emplace(cfg.feeds[i].id, i);
        if (!fresh)
            sink.add(index_path("feeds", i) + ".id", "duplicate feed id " + quote(cfg.feeds[i].id) +
                                                         " (also feeds[" +
                                                         std::to_string(it->second) + "])");
    }
}

void check_routing(problem_sink& sink, const gateway_config& cfg) {
    const auto& r = cfg.routing;
    std::set<std::string> allowed;
    for (std::size_t i = 0; i < r.topics.size(); ++i) {
        if (!r.topics[i].empty() && !allowed.insert(r.topics[i]).second)
            sink.add(index_path("routing.topics", i), "duplicate topic " + quote(r.topics[i]));
    }
    auto check_topic = [&](const std::string& topic, const std::string& path) {
        // Empty entries were reported when read; an empty allow-list was reported too.
        if (topic.empty() || r.topics.empty()) return;
        if (!allowed.count(topic))
            sink.add(path, "topic " + quote(topic) + " is not in routing.topics");
    };
    for (std::size_t i = 0; i < r.default_topics.size(); ++i)
        check_topic(r.default_topics[i], index_path("routing.default_topics", i));
    check_topic(r.rejected_topic, "routing.rejected_topic");
    check_topic(r.alerts_topic, "routing.alerts_topic");
    check_topic(r.warnings_topic, "routing.warnings_topic");

    std::map<std::string, std::size_t> names;
    for (std::size_t i = 0; i < r.rules.size(); ++i) {
        const auto& rule = r.rules[i];
        auto path = index_path("routing.rules", i);
        if (!rule.name.empty()) {
            auto [it, fresh] = names.emplace(rule.name, i);
            if (!fresh)
                sink.add(path + ".name", "duplicate rule name " + quote(rule.name) +
                                             " (also routing.rules[" + std::to_string(it->second) +
                                             "])");
        }
        for (std::size_t j = 0; j < rule.topics.size(); ++j)
            check_topic(rule.topics[j], index_path(path + ".topics", j));
        for (std::size_t j = 0; j < rule.match.feed.size(); ++j) {
            const auto& feed = rule.match.feed[j];
            if (!feed.empty() && cfg.find_feed(feed) == nullptr)
                sink.add(index_path(path + ".match.feed", j),
                         "unknown feed " + quote(feed) + " (not in feeds)");
        }
    }
}

}  // namespace

void check_config(problem_sink& sink, const gateway_config& cfg) {
    check_listeners(sink, cfg);
    check_feeds(sink, cfg);
    // Holding is done in the spool; without one an embargoed story would go out at once.
    for (std::size_t i = 0; i < cfg.feeds.size(); ++i)
        if (cfg.feeds[i].embargo == "hold" && cfg.spool.dir.empty())
            sink.add("feeds[" + std::to_string(i) + "].embargo",
                     "hold needs a spool (spool.dir): without one embargoed copy would be "
                     "published at once; set spool.dir or use embargo: mark");
    check_routing(sink, cfg);
    if (cfg.limits.max_inflight_bytes < cfg.limits.max_body_bytes)
        sink.add("limits.max_inflight_bytes",
                 "must be at least limits.max_body_bytes, or no request of the largest size "
                 "could ever be accepted");
    auto at_least_one_body = [&](const char* key, std::size_t value) {
        if (value < cfg.limits.max_body_bytes)
            sink.add(std::string("limits.") + key,
                     "must be at least limits.max_body_bytes, or no request of the largest size "
                     "could ever be accepted");
    };
    at_least_one_body("max_inflight_bytes_per_feed", cfg.limits.max_inflight_bytes_per_feed);
    at_least_one_body("max_inflight_bytes_per_address", cfg.limits.max_inflight_bytes_per_address);
    for (std::size_t i = 0; i < cfg.streams.size(); ++i)
        if (cfg.streams[i].max_frame_bytes > cfg.limits.max_open_frame_bytes / 2)
            sink.add("limits.max_open_frame_bytes",
                     "must be at least twice listeners.streams[" + std::to_string(i) +
                         "].max_frame_bytes (a frame's buffer grows by doubling), or no frame "
                         "of the largest size could be received");
}

}  // namespace wire::config::detail

// load_config: YAML text -> gateway_config, one reader per section. Each reader checks what it
// can see locally (types, ranges, names); config_checks.cpp then checks across sections.
#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>

#include "config/config.hpp"
#include "config/config_checks.hpp"
#include "config/config_reader.hpp"
#include "core/charset.hpp"
#include "core/profile.hpp"
#include "core/registry.hpp"

namespace wire::config {

const feed_config* gateway_config::find_feed(std::string_view id) const {
    for (const auto& f : feeds)
        if (f.id == id) return &f;
    return nullptr;
}

namespace {

using namespace detail;
namespace fs = std::filesystem;

constexpr std::size_t k_max_file_bytes = 1u << 20;

const std::vector<std::string> k_log_levels{"trace", "debug", "info", "warn", "error"};
const std::vector<std::string> k_profiles{"ap", "reuters", "interfax", "generic"};
const std::vector<std::string> k_signals{"new",      "update", "correction", "kill",
                                         "withhold", "repeat", "advisory"};

bool contains(const std::vector<std::string>& list, const std::string& s) {
    return std::find(list.begin(), list.end(), s) != list.end();
}

// Reports a value outside a fixed set, naming the set.
void check_one_of(problem_sink& sink, const std::string& path, const std::string& value,
                  const std::vector<std::string>& allowed, const char* what) {
    if (!contains(allowed, value))
        sink.add(path, std::string("unknown ") + what + " " + quote(value) + "; expected " +
                           one_of(allowed));
}

std::vector<std::string> adapter_ids() {
    std::vector<std::string> ids;
    for (const auto& a : adapters::registered_adapters()) ids.push_back(a.id);
    return ids;
}

void check_format(problem_sink& sink, const std::string& path, const std::string& format,
                  bool allow_auto) {
    if ((allow_auto && format == "auto") || adapters::find_adapter(format) != nullptr) return;
    auto ids = adapter_ids();
    if (allow_auto) ids.push_back("auto");
    check_one_of(sink, path, format, ids, "format");
}

void read_gateway(load_context& ctx, const YAML::Node& node, gateway_config& cfg) {
    map_reader m(ctx.sink, node, "gateway");
    if (!m.valid()) return;
    if (m.string("instance", cfg.instance) && cfg.instance.empty())
        ctx.sink.add(m.key_path("instance"), "must not be empty");
    if (m.string("log_level", cfg.log_level))
        check_one_of(ctx.sink, m.key_path("log_level"), cfg.log_level, k_log_levels, "log level");
    m.integer("drain_timeout_ms", cfg.drain_timeout_ms, 1, k_max_ms);
    m.finish();
}

// "AB:CD:…" or "abcd…": 32 bytes of hex, colons between bytes allowed; "" when not.
std::string normalise_fingerprint(const std::string& text) {
    std::string hex;
    for (char c : text) {
        if (c == ':') continue;
        if (!std::isxdigit(static_cast<unsigned char>(c))) return {};
        hex.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    return hex.size() == 64 ? hex : std::string();
}

void read_client_cert(load_context& ctx, const YAML::Node& node, const std::string& path,
                      client_cert_binding& out) {
    map_reader m(ctx.sink, node, path);
    if (!m.valid()) return;
    if (m.string("subject_cn", out.subject_cn) && out.subject_cn.empty())
        ctx.sink.add(m.key_path("subject_cn"), "must not be empty");
    std::string fp;
    if (m.string("sha256", fp)) {
        out.sha256 = normalise_fingerprint(fp);
        if (out.sha256.empty())
            ctx.sink.add(m.key_path("sha256"),
                         quote(fp) +
                             " is not a SHA-256 fingerprint (64 hex digits, colons "
                             "between bytes allowed)");
    }
    if (!m.get("subject_cn") && !m.get("sha256"))
        ctx.sink.add(path, "a client certificate needs subject_cn, sha256 or both");
    m.finish();
}

void read_auth(load_context& ctx, const YAML::Node& node, const std::string& path,
               feed_auth_config& out) {
    map_reader m(ctx.sink, node, path);
    if (!m.valid()) return;
    bool keys = m.list("api_keys", [&](const YAML::Node& n, const std::string& p) {
        read_secret(ctx, n, p, out.api_keys.emplace_back());
    });
    bool certs = m.list("client_certificates", [&](const YAML::Node& n, const std::string& p) {
        read_client_cert(ctx, n, p, out.client_certificates.emplace_back());
    });
    if (keys && out.api_keys.empty())
        ctx.sink.add(m.key_path("api_keys"),
                     "needs at least one API key (leave api_keys out to authenticate by client "
                     "certificate alone)");
    if (certs && out.client_certificates.empty())
        ctx.sink.add(m.key_path("client_certificates"), "must not be empty");
    if (!keys && !certs)
        ctx.sink.add(m.key_path("api_keys"),
                     "every feed needs at least one API key or client certificate");
    if (const auto* hmac = m.get("hmac")) {
        map_reader h(ctx.sink, *hmac, m.key_path("hmac"));
        hmac_config cfg;
        if (const auto* secret = h.need("secret"))
            read_secret(ctx, *secret, h.key_path("secret"), cfg.secret);
        h.integer("window_seconds", cfg.window_seconds, 1, 86400);
        h.finish();
        if (h.valid()) out.hmac = std::move(cfg);
    }
    m.finish();
}

void read_feed(load_context& ctx, const YAML::Node& node, const std::string& path,
               feed_config& out) {
    map_reader m(ctx.sink, node, path);
    if (!m.valid()) return;
    if (m.string("id", out.id, true) && !is_feed_id(out.id))
        ctx.sink.add(m.key_path("id"),
                     quote(out.id) + " is not a valid feed id ([a-z0-9][a-z0-9._-]{0,63})");
    // Required: a feed speaks for one agency, whatever its stories claim. Without it a feed's
    // key could publish as any agency, under another agency's Kafka keys.
    if (!m.get("agency"))
        ctx.sink.add(m.key_path("agency"),
                     "missing: every feed speaks for one agency (e.g. `agency: ap`), whatever its "
                     "stories claim");
    else if (m.string("agency", out.agency) && !is_feed_id(out.agency))
        ctx.sink.add(m.key_path("agency"), quote(out.agency) +
                                               " is not a valid agency id (lower case, "
                                               "[a-z0-9][a-z0-9._-]{0,63})");
    if (m.string("format", out.format))
        check_format(ctx.sink, m.key_path("format"), out.format, true);
    if (m.string("profile", out.profile) && !out.profile.empty() &&
        adapters::find_profile(out.profile) == nullptr)
        check_one_of(ctx.sink, m.key_path("profile"), out.profile, k_profiles, "profile");
    if (m.string("charset", out.charset) && !out.charset.empty() &&
        adapters::canonical_charset(out.charset).empty())
        ctx.sink.add(m.key_path("charset"), "unsupported charset " + quote(out.charset) +
                                                " (utf-8, windows-1252, windows-1251, koi8-r, "
                                                "iso-8859-1, us-ascii and their aliases)");
    if (m.string("embargo", out.embargo))
        check_one_of(ctx.sink, m.key_path("embargo"), out.embargo, {"hold", "mark"},
                     "embargo policy");
    if (m.string("version_conflict", out.version_conflict))
        check_one_of(ctx.sink, m.key_path("version_conflict"), out.version_conflict,
                     {"dead_letter", "publish_revision"}, "version conflict policy");
    if (const auto* auth = m.need("auth")) read_auth(ctx, *auth, m.key_path("auth"), out.auth);
    m.finish();
}

void read_match(load_context& ctx, const YAML::Node& node, const std::string& path,
                route_match& out) {
    map_reader m(ctx.sink, node, path);
    if (!m.valid()) return;
    m.string_list("agency", out.agency);
    m.string_list("feed", out.feed);  // checked against feeds by check_config
    if (m.string_list("format", out.format))
        for (std::size_t i = 0; i < out.format.size(); ++i)
            if (!out.format[i].empty())
                check_format(ctx.sink, index_path(m.key_path("format"), i), out.format[i], false);
    int urgency = 0;
    if (m.integer("urgency_min", urgency, 1, 9)) out.urgency_min = urgency;
    if (m.integer("urgency_max", urgency, 1, 9)) out.urgency_max = urgency;
    if (out.urgency_min && out.urgency_max && *out.urgency_min > *out.urgency_max)
        ctx.sink.add(m.key_path("urgency_min"),
                     "must not be greater than urgency_max (1 is the "
                     "most urgent)");
    if (m.string_list("signal", out.signal))
        for (std::size_t i = 0; i < out.signal.size(); ++i)
            if (!out.signal[i].empty())
                check_one_of(ctx.sink, index_path(m.key_path("signal"), i), out.signal[i],
                             k_signals, "signal");
    if (m.string_list("language", out.language))
        for (std::size_t i = 0; i < out.language.size(); ++i)
            if (!out.language[i].empty() && !is_language_tag(out.language[i]))
                ctx.sink.add(index_path(m.key_path("language"), i),
                             quote(out.language[i]) +
                                 " is not a language tag (such as en or "
                                 "en-US)");
    m.string_list("subject", out.subject);
    m.string_list("category", out.category);
    m.string_list("keywords", out.keywords);
    m.finish();
}

void check_topic_names(problem_sink& sink, const std::string& path,
                       const std::vector<std::string>& topics) {
    for (std::size_t i = 0; i < topics.size(); ++i)
        if (!topics[i].empty() && !is_topic_name(topics[i]))
            sink.add(index_path(path, i),
                     quote(topics[i]) + " is not a Kafka topic name ([a-zA-Z0-9._-]{1,249})");
}

void read_rule(load_context& ctx, const YAML::Node& node, const std::string& path,
               route_rule& out) {
    map_reader m(ctx.sink, node, path);
    if (!m.valid()) return;
    if (m.string("name", out.name, true) && out.name.empty())
        ctx.sink.add(m.key_path("name"), "must not be empty");
    if (const auto* match = m.get("match")) read_match(ctx, *match, m.key_path("match"), out.match);
    if (m.string_list("topics", out.topics, true)) {
        if (out.topics.empty()) ctx.sink.add(m.key_path("topics"), "must not be empty");
        check_topic_names(ctx.sink, m.key_path("topics"), out.topics);
    }
    m.boolean("copy", out.copy);
    m.finish();
}

void read_routing(load_context& ctx, const YAML::Node& node, routing_config& out) {
    map_reader m(ctx.sink, node, "routing");
    if (!m.valid()) return;
    if (m.string_list("topics", out.topics, true)) {
        if (out.topics.empty()) ctx.sink.add(m.key_path("topics"), "must not be empty");
        check_topic_names(ctx.sink, m.key_path("topics"), out.topics);
    }
    if (m.string_list("default_topics", out.default_topics))
        check_topic_names(ctx.sink, m.key_path("default_topics"), out.default_topics);
    for (auto [key, topic] : {std::pair{"rejected_topic", &out.rejected_topic},
                              std::pair{"alerts_topic", &out.alerts_topic},
                              std::pair{"warnings_topic", &out.warnings_topic}})
        if (m.string(key, *topic) && !is_topic_name(*topic) &&
            !(topic->empty() && topic != &out.rejected_topic))
            ctx.sink.add(m.key_path(key), quote(*topic) + " is not a Kafka topic name");
    m.list("rules", [&](const YAML::Node& n, const std::string& p) {
        read_rule(ctx, n, p, out.rules.emplace_back());
    });
    m.finish();
}

// A librdkafka property value: any scalar, kept as text, or a secret reference (passwords).
void read_property(load_context& ctx, const std::string& key, const YAML::Node& node,
                   const std::string& path, kafka_config& out) {
    if (key == "bootstrap.servers" || key == "metadata.broker.list") {
        ctx.sink.add(path, "set the brokers with kafka.brokers");
        return;
    }
    switch (kind_of(node)) {
        case yaml_kind::string:
        case yaml_kind::integer:
        case yaml_kind::number:
            out.properties[key] = node.Scalar();
            return;
        case yaml_kind::boolean: {
            bool b = false;
            read_bool(ctx.sink, node, path, b);
            out.properties[key] = b ? "true" : "false";
            return;
        }
        case yaml_kind::mapping: {
            secret_ref secret;
            read_secret(ctx, node, path, secret);
            out.properties[key] = std::move(secret.value);
            return;
        }
        default:
            ctx.sink.add(path, std::string("expected a string, number, boolean or secret "
                                           "reference, got ") +
                                   kind_name(kind_of(node)));
    }
}

void read_kafka(load_context& ctx, const YAML::Node& node, kafka_config& out) {
    map_reader m(ctx.sink, node, "kafka");
    if (!m.valid()) return;
    if (m.string("brokers", out.brokers, true)) {
        // A comma-separated list of host:port (librdkafka's bootstrap.servers).
        bool bad = out.brokers.empty() || out.brokers.front() == ',' || out.brokers.back() == ',' ||
                   out.brokers.find(",,") != std::string::npos ||
                   out.brokers.find_first_of(" \t") != std::string::npos;
        if (bad)
            ctx.sink.add(m.key_path("brokers"),
                         "expected a comma-separated list of host:port, without spaces");
    }
    if (const auto* props = m.get("properties")) {
        map_reader p(ctx.sink, *props, m.key_path("properties"));
        // Every key is allowed here (a librdkafka pass-through), so the reader's own key list
        // is not used: walk the node itself.
        std::set<std::string> seen;
        for (const auto& kv : p.valid() ? *props : YAML::Node()) {
            if (!ctx.sink.spend()) break;
            if (kind_of(kv.first) != yaml_kind::string) continue;  // reported by the reader
            const auto& key = kv.first.Scalar();
            if (key.empty()) {
                ctx.sink.add(p.path(), "empty property name");
            } else if (seen.insert(key).second) {
                p.get(key);  // reports a duplicate
                read_property(ctx, key, kv.second, p.key_path(printable(key)), out);
            }
        }
    }
    if (const auto* create = m.get("create_topics")) {
        map_reader c(ctx.sink, *create, m.key_path("create_topics"));
        c.integer("partitions", out.create_topics_partitions, 1, 10000, /*required=*/true);
        c.integer("replication_factor", out.create_topics_replication, 1, 100);
        c.finish();
    }
    m.integer("metadata_refresh_ms", out.metadata_refresh_ms, 100, k_max_ms);
    m.finish();
}

void read_limits(load_context& ctx, const YAML::Node& node, limits_config& out) {
    map_reader m(ctx.sink, node, "limits");
    if (!m.valid()) return;
    m.integer("max_body_bytes", out.max_body_bytes, 1);
    m.integer("max_header_bytes", out.max_header_bytes, 1);
    m.integer("read_timeout_ms", out.read_timeout_ms, 1, k_max_ms);
    m.integer("idle_timeout_ms", out.idle_timeout_ms, 1, k_max_ms);
    m.integer("max_connections", out.max_connections, 1);
    m.integer("max_inflight_requests", out.max_inflight_requests, 1);
    m.integer("max_inflight_bytes", out.max_inflight_bytes, 1);
    m.integer("max_inflight_bytes_per_feed", out.max_inflight_bytes_per_feed, 1);
    m.integer("max_inflight_bytes_per_address", out.max_inflight_bytes_per_address, 1);
    m.integer("inflight_bytes_floor_per_feed", out.inflight_bytes_floor_per_feed, 0);
    m.integer("max_connections_per_address", out.max_connections_per_address, 1);
    m.integer("max_open_frame_bytes", out.max_open_frame_bytes, 1);
    m.integer("retry_after_seconds", out.retry_after_seconds, 1, 86400);
    m.integer("publish_timeout_ms", out.publish_timeout_ms, 1, k_max_ms);
    m.integer("producer_queue_high_water", out.producer_queue_high_water, 1);
    m.finish();
}

void read_document(load_context& ctx, const YAML::Node& root, gateway_config& cfg) {
    if (root.IsNull()) {
        ctx.sink.add("", "the config is empty");
        return;
    }
    map_reader m(ctx.sink, root, "");
    if (!m.valid()) return;
    if (const auto* n = m.get("gateway")) read_gateway(ctx, *n, cfg);
    if (const auto* n = m.get("listeners")) read_listeners(ctx, *n, cfg);
    bool feeds = m.list(
        "feeds",
        [&](const YAML::Node& n, const std::string& p) {
            read_feed(ctx, n, p, cfg.feeds.emplace_back());
        },
        /*required=*/true);
    if (feeds && cfg.feeds.empty()) ctx.sink.add("feeds", "at least one feed is required");
    if (const auto* n = m.need("routing")) read_routing(ctx, *n, cfg.routing);
    if (const auto* n = m.need("kafka")) read_kafka(ctx, *n, cfg.kafka);
    if (const auto* n = m.get("limits")) read_limits(ctx, *n, cfg.limits);
    if (const auto* n = m.get("spool")) read_spool(ctx, *n, cfg.spool);
    if (const auto* n = m.get("dedup")) read_dedup(ctx, *n, cfg.dedup);
    m.finish();
    check_config(ctx.sink, cfg);
}

}  // namespace

load_result load_config_text(const std::string& yaml, const std::string& base_dir) {
    problem_sink sink;
    load_context ctx{sink, base_dir.empty() ? fs::path(".") : fs::path(base_dir)};
    gateway_config cfg;
    try {
        if (auto root = parse_document(sink, yaml)) read_document(ctx, *root, cfg);
    } catch (const std::exception& e) {
        // yaml-cpp throws for odd trees (and std::bad_alloc may come from anywhere): a problem,
        // not a crash.
        sink.add("", std::string("cannot read the config: ") + e.what());
    }
    load_result result;
    result.problems = sink.take();
    if (result.problems.empty()) result.config = std::move(cfg);
    return result;
}

load_result load_config(const std::string& path) {
    auto fail = [](std::string message) {
        return load_result{std::nullopt, {{"", std::move(message)}}};
    };
    try {
        std::error_code ec;
        auto st = fs::status(path, ec);
        if (ec || !fs::exists(st)) return fail("the config file does not exist");
        if (!fs::is_regular_file(st)) return fail("the config file is not a regular file");
        std::ifstream in(path, std::ios::binary);
        if (!in) return fail("cannot read the config file");
        std::string text(k_max_file_bytes + 1, '\0');
        in.read(text.data(), static_cast<std::streamsize>(text.size()));
        text.resize(static_cast<std::size_t>(in.gcount()));
        if (text.size() > k_max_file_bytes) return fail("the config file is larger than 1 MiB");
        auto dir = fs::path(path).parent_path();
        return load_config_text(text, dir.empty() ? "." : dir.string());
    } catch (const std::exception& e) {
        return fail(std::string("cannot read the config file: ") + e.what());
    }
}

}  // namespace wire::config

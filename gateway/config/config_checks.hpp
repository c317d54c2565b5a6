#pragma once
// Internal to the config loader: value syntax, secrets and files (secrets.cpp), and the checks
// that look across sections once the whole file is read (config_checks.cpp).
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "config/config_reader.hpp"
#include "config/feed_id.hpp"

namespace wire::config::detail {

/// The largest duration in milliseconds: what fits a signed 32-bit int (librdkafka), ~24 days.
inline constexpr std::int64_t k_max_ms = 2147483647;

struct load_context {
    problem_sink& sink;
    std::filesystem::path base_dir;  // relative file names are resolved against it
};

/// Reads the listeners section into cfg.http, cfg.admin and cfg.streams (listeners_section.cpp).
void read_listeners(load_context& ctx, const YAML::Node& node, gateway_config& cfg);

/// Reads the spool and dedup sections (delivery_section.cpp).
void read_spool(load_context& ctx, const YAML::Node& node, spool_config& out);
void read_dedup(load_context& ctx, const YAML::Node& node, dedup_config& out);

/// Reads a secret reference ({file|env|value}, exactly one) and resolves it into `out.value`.
/// No message ever contains the secret, and a stray key in the reference is not named either.
void read_secret(load_context& ctx, const YAML::Node& node, const std::string& path,
                 secret_ref& out);

/// Resolves `file` against the config directory and reports (at `path`) when it is not a
/// readable regular file. Returns the resolved path.
std::string check_readable_file(load_context& ctx, const std::string& file,
                                const std::string& path);

using config::is_feed_id;                // config/feed_id.hpp
bool is_topic_name(std::string_view s);  // Kafka: [a-zA-Z0-9._-]{1,249}, not "." or ".."
bool is_ip_address(std::string_view s);  // an IPv4 or IPv6 literal
bool is_cidr(std::string_view s);        // address[/prefix], IPv4 or IPv6
bool is_language_tag(std::string_view s);

/// The checks that need more than one section: references between sections (stream feeds,
/// rule feeds, topics against the allow-list), duplicates, listener port clashes.
void check_config(problem_sink& sink, const gateway_config& cfg);

}  // namespace wire::config::detail

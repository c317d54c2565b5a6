#pragma once
// The gateway's configuration: what `wiregate serve --config FILE` reads (one YAML file whose
// shape is schemas/gateway-config.schema.json). Plain data; load_config() fills and checks it.
// Durations are milliseconds, sizes bytes. Secrets are resolved at load time from files or
// environment variables and are never printed (see secret_ref).
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace wire::config {

/// Where a secret comes from: exactly one of file / env / value (value: tests and dev only).
struct secret_ref {
    std::string file;   // path; trailing newline stripped
    std::string env;    // environment variable name
    std::string value;  // resolved secret (filled by load_config; never logged)
};

/// Whether an HTTPS listener asks for client certificates (mTLS). With `optional`, a client may
/// present none; one it presents must chain to client_ca_file, or the handshake fails. With
/// `required`, the handshake fails without one, and every request must carry a certificate
/// bound to its feed (feeds[].auth.client_certificates).
enum class client_auth_mode { none, optional, required };

struct tls_config {
    std::string cert_file;       // PEM chain
    std::string key_file;        // PEM private key
    std::string client_ca_file;  // PEM CA bundle client certificates must chain to ("" = none)
    client_auth_mode client_auth = client_auth_mode::none;
};

struct http_listener_config {
    std::string name = "ingest";
    std::string address = "127.0.0.1";
    std::uint16_t port = 8080;  // 0 = any free port (tests)
    std::optional<tls_config> tls;
};

struct admin_listener_config {
    std::string address = "127.0.0.1";  // loopback unless allow_remote
    std::uint16_t port = 9090;          // 0 = any free port (tests)
    bool allow_remote = false;          // required to bind anything but a loopback address
};

/// A TCP telex stream: one listener per feed.
struct stream_listener_config {
    std::string feed;  // a feeds[].id
    std::string address = "127.0.0.1";
    std::uint16_t port = 0;
    std::string framing;                  // anpa1312 | iptc7901 | zczc
    std::vector<std::string> allow_from;  // CIDRs ("10.0.0.0/8", "::1/128"); empty = anyone
    std::size_t max_frame_bytes = 1u << 20;
    std::uint32_t idle_timeout_ms = 300000;  // a silent stream is closed after this
    // A frame that has stopped growing for this long is cut with its connection (the cut frame
    // goes to the dead-letter topic): an open frame holds memory until it ends.
    std::uint32_t frame_idle_timeout_ms = 30000;
};

struct hmac_config {
    secret_ref secret;
    std::uint32_t window_seconds = 300;  // |now - X-Wiregate-Timestamp| must be within this
};

/// A client certificate a feed accepts: every field set must match (subject_cn: the subject's
/// common name, exactly; sha256: the certificate's fingerprint, lower-case hex of the DER).
struct client_cert_binding {
    std::string subject_cn;
    std::string sha256;
};

struct feed_auth_config {
    std::vector<secret_ref> api_keys;  // any one of them is accepted ("Authorization: Bearer K")
    std::optional<hmac_config> hmac;   // when set, the signature is required too
    // When set, a request must come with a verified client certificate matching one of these
    // (mTLS). With no api_keys the certificate alone authenticates; with both, both must pass.
    std::vector<client_cert_binding> client_certificates;
};

struct feed_config {
    std::string id;      // [a-z0-9][a-z0-9._-]{0,63}
    std::string agency;  // ap | reuters | interfax | …: wire.agency
    std::string format = "auto";
    std::string profile;  // ap | reuters | interfax | generic ("" = generic)
    std::string charset;  // transport charset; "" = detect
    // A story embargoed until a future time: "hold" keeps it in the spool until then (kills
    // and withholds are never held), "mark" publishes it at once with `embargoed` set.
    std::string embargo = "mark";
    // The same story id and version sent again with other content: "dead_letter" keeps the
    // first in Kafka and sends the second to the dead-letter topic (answered "conflict");
    // "publish_revision" publishes it as a new version "<version>-rev-<content hash>".
    std::string version_conflict = "dead_letter";
    feed_auth_config auth;
};

struct limits_config {
    std::size_t max_body_bytes = 16u << 20;
    std::size_t max_header_bytes = 16u << 10;
    std::uint32_t read_timeout_ms = 30000;  // whole request (headers + body) must arrive within
    std::uint32_t idle_timeout_ms = 60000;  // keep-alive connection with no request
    std::size_t max_connections = 1024;     // HTTP, per process; more are closed at accept
    // Open connections from one client address: across the HTTP listeners, and again across
    // the telex stream listeners. More are closed at accept.
    std::size_t max_connections_per_address = 64;
    std::size_t max_inflight_requests = 256;  // over this: 429 + Retry-After
    // Body bytes held by requests being read or processed, charged as they arrive: over any of
    // these, 429 + Retry-After. Each feed may always hold its floor, whatever the others hold
    // (min(floor, max_inflight_bytes / number of feeds)); only bytes above it share the rest.
    std::size_t max_inflight_bytes = 256u << 20;
    std::size_t max_inflight_bytes_per_feed = 64u << 20;
    std::size_t max_inflight_bytes_per_address = 64u << 20;
    std::size_t inflight_bytes_floor_per_feed = 4u << 20;
    // Bytes of telex frames still open, over every connection of every stream listener; a
    // connection whose frame would take more is cut (the frame counted over_budget).
    std::size_t max_open_frame_bytes = 64u << 20;
    std::uint32_t retry_after_seconds = 5;
    std::uint32_t publish_timeout_ms = 30000;        // librdkafka message.timeout.ms
    std::size_t producer_queue_high_water = 100000;  // readiness and 503 above this depth
};

/// What a rule matches. Every non-empty criterion must hold; a list matches when any entry does.
struct route_match {
    std::vector<std::string> agency, feed, format;
    std::optional<int> urgency_min, urgency_max;  // 1 = most urgent
    std::vector<std::string> signal;    // new | update | correction | kill | withhold | …
    std::vector<std::string> language;  // "en" also matches "en-US"
    std::vector<std::string> subject;   // subject uri, literal, or trailing code ("04000000")
    std::vector<std::string> category;  // wire.category, case-insensitive
    std::vector<std::string> keywords;  // case-insensitive, in headline, slugline or keywords
};

struct route_rule {
    std::string name;
    route_match match;
    std::vector<std::string> topics;  // each in routing.topics
    // A copy rule (firehose, flash, alerts) adds its topics without counting as the story's
    // route: the default topics still apply when no non-copy rule matched.
    bool copy = false;
};

struct routing_config {
    std::vector<std::string> topics;               // the allow-list; every topic used must be here
    std::vector<std::string> default_topics;       // when no non-copy rule matches; empty = reject
    std::string rejected_topic = "wire.rejected";  // dead letters (must be in the allow-list)
    // Kills, withholds and corrections always go here too, whatever the rules say ("" = only
    // where rules send them).
    std::string alerts_topic;
    // A version older than the newest already accepted for its story is copied here with a
    // warning ("" = not flagged).
    std::string warnings_topic;
    std::vector<route_rule> rules;
};

struct kafka_config {
    std::string brokers = "127.0.0.1:19092";
    std::map<std::string, std::string> properties;  // librdkafka pass-through, override ours
    // Create allow-listed topics that do not exist at start (local and test set-ups; brokers
    // run with auto-create off). 0 partitions = do not create.
    int create_topics_partitions = 0;
    int create_topics_replication = 1;
    std::uint32_t metadata_refresh_ms = 10000;  // readiness: metadata older than 3x is stale
};

/// The durable spool (docs/delivery.md): every accepted story is on disk or acknowledged by
/// Kafka before the sender hears 2xx. No dir = no spool (answers wait for Kafka instead).
struct spool_config {
    std::string dir;
    std::uint64_t max_bytes = 1ull << 30;
    std::uint64_t segment_bytes = 64ull << 20;
    std::string fsync = "always";  // always | interval | never
    std::uint32_t fsync_interval_ms = 100;
    // How long a request waits for Kafka before it is answered "spooled" (2xx: safe on disk).
    std::uint32_t ack_wait_ms = 2000;
};

/// The dedup window: a story version (agency, uri, version; content hash without a version)
/// or an Idempotency-Key accepted before is answered "duplicate". Kept in <spool.dir>/dedup.log.
struct dedup_config {
    bool enabled = true;
    std::uint32_t window_hours = 72;
    std::size_t max_entries = 1000000;
};

struct gateway_config {
    std::string instance = "wiregate";       // wire.gateway.instance
    std::string log_level = "info";          // trace|debug|info|warn|error
    std::uint32_t drain_timeout_ms = 15000;  // SIGTERM: finish in-flight work within this
    std::vector<http_listener_config> http;
    admin_listener_config admin;
    std::vector<stream_listener_config> streams;
    std::vector<feed_config> feeds;
    routing_config routing;
    kafka_config kafka;
    limits_config limits;
    spool_config spool;
    dedup_config dedup;

    const feed_config* find_feed(std::string_view id) const;
};

/// One problem in a config file: the key path at fault ("feeds[2].auth.hmac.window_seconds")
/// and what is wrong with it.
struct config_problem {
    std::string path;
    std::string message;
};

struct load_result {
    std::optional<gateway_config> config;  // set only when problems is empty
    std::vector<config_problem> problems;  // every problem found, not just the first
};

/// Reads, checks and resolves (secrets) a config file. Relative paths in it (TLS files,
/// secret files) are resolved against the config file's directory.
load_result load_config(const std::string& path);
/// The same from YAML text; `base_dir` resolves relative paths.
load_result load_config_text(const std::string& yaml, const std::string& base_dir);

}  // namespace wire::config

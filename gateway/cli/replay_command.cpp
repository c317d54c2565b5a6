// `wiregate replay`: pushes wire documents to a running gateway (ops and the demo): files, or
// the messages of a Kafka topic — dead letters above all — filtered by reason, feed and time.
// One POST per document on one kept-alive HTTP/1.1 connection (cli/replay_http.hpp). The pure
// parts (file walk, Content-Type, URL, answer lines) are in service/replay_support.hpp, where the
// unit tests reach them.
#include "cli/replay_command.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>

#include "cli/kafka_reader.hpp"
#include "cli/replay_http.hpp"
#include "core/datetime.hpp"
#include "service/replay_support.hpp"

namespace wire::gateway {
namespace {

namespace fs = std::filesystem;

constexpr std::uintmax_t k_max_file_bytes = 64u << 20;

struct topic_filter {
    std::string topic;
    std::vector<std::string> reasons;  // wiregate-reason values; empty = any
    std::string since, until;          // RFC 3339, on wiregate-received-at; "" = open
    bool dry_run = false;
    int timeout_ms = 30000;
};

struct replay_args {
    std::string url, feed, api_key, api_key_env = "WIREGATE_API_KEY", hmac_secret_env;
    std::string content_type;
    cli::connection_settings connection;
    bool json = false;
    std::vector<std::string> paths;
    cli::kafka_source kafka{.client_id = "wiregate-replay"};
    topic_filter from;
};

int usage(const std::string& message) {
    std::fprintf(stderr, "wiregate replay: %s\n", message.c_str());
    return 2;
}

bool read_whole(const fs::path& file, std::string& out, std::string& why) {
    std::error_code ec;
    auto size = fs::file_size(file, ec);
    if (ec) {
        why = ec.message();
        return false;
    }
    if (size > k_max_file_bytes) {
        why = "larger than 64 MiB, not sent";
        return false;
    }
    std::ifstream in(file, std::ios::binary);
    out.assign(static_cast<std::size_t>(size), '\0');
    if (!in || !in.read(out.data(), static_cast<std::streamsize>(size))) {
        why = "cannot read it";
        return false;
    }
    return true;
}

int send_files(cli::story_poster& poster, const replay_args& a) {
    auto list = replay::list_files(a.paths);
    for (const auto& p : list.problems) usage(p);
    if (!list.problems.empty()) return 2;
    if (list.files.empty()) return usage("no files to send under the paths given");
    int status = 0;
    for (const auto& file : list.files) {
        std::string body, why;
        if (!read_whole(file, body, why)) {
            std::fprintf(stderr, "%s -> %s\n", file.string().c_str(), why.c_str());
            status = 1;
            continue;
        }
        const int code =
            poster.post(file.string(), std::move(body),
                        a.content_type.empty() ? replay::guess_content_type(file) : a.content_type);
        if (code < 0) return 1;  // a failure, not a usage error
        if (code != 200) status = 1;
    }
    return status;
}

std::optional<std::int64_t> epoch_of(const std::string& rfc3339) {
    auto t = adapters::parse_iso8601(rfc3339);
    if (!t) return std::nullopt;
    return t->epoch_seconds();
}

// Why a message of the topic is not replayed, or "" when it is.
std::string skip_reason(const cli::topic_message& m, const replay_args& a) {
    const auto& f = a.from;
    if (cli::header(m.headers, "wiregate-feed") != a.feed) return "feed";
    if (!f.reasons.empty() &&
        std::find(f.reasons.begin(), f.reasons.end(), cli::header(m.headers, "wiregate-reason")) ==
            f.reasons.end())
        return "reason";
    if (!f.since.empty() || !f.until.empty()) {
        auto at = epoch_of(cli::header(m.headers, "wiregate-received-at"));
        if (!at) return "time";
        if (!f.since.empty() && *at < *epoch_of(f.since)) return "time";
        if (!f.until.empty() && *at >= *epoch_of(f.until)) return "time";
    }
    return "";
}

int send_topic(cli::story_poster* poster, const replay_args& a) {
    int status = 0;
    std::size_t sent = 0, skipped = 0, incomplete = 0, same_document = 0;
    auto error = cli::read_to_end(
        a.kafka, a.from.topic, a.from.timeout_ms, [&](const cli::topic_message& m) {
            const std::string label =
                a.from.topic + "/" + std::to_string(m.partition) + "@" + std::to_string(m.offset);
            if (!skip_reason(m, a).empty()) {
                ++skipped;
                return true;
            }
            // Later items of a request refer to the document its first dead letter holds.
            if (cli::header(m.headers, "wiregate-raw") == "omitted") {
                ++same_document;
                return true;
            }
            // A dead letter cut at its size limit does not hold the document: not replayable.
            if (cli::header(m.headers, "wiregate-truncated") == "true" || m.value.empty()) {
                std::fprintf(stderr,
                             "%s -> not replayed: the message does not hold the whole document\n",
                             label.c_str());
                ++incomplete;
                status = 1;
                return true;
            }
            std::string type = a.content_type;
            if (type.empty()) type = cli::header(m.headers, "content-type");
            if (type.empty()) type = "application/octet-stream";
            if (!poster) {
                std::printf("%s -> would send %zu bytes (%s, reason %s)\n", label.c_str(),
                            m.value.size(), type.c_str(),
                            cli::header(m.headers, "wiregate-reason").c_str());
                ++sent;
                return true;
            }
            const int code = poster->post(label, std::string(m.value), type);
            ++sent;
            if (code != 200) status = 1;
            return code >= 0;  // a connection error ends the replay
        });
    std::fprintf(stderr,
                 "wiregate replay: %s: %zu %s, %zu filtered out, %zu later items of a document "
                 "sent once, %zu incomplete\n",
                 a.from.topic.c_str(), sent, poster ? "sent" : "would be sent", skipped,
                 same_document, incomplete);
    if (!error.empty()) {
        std::fprintf(stderr, "wiregate replay: topic %s: %s\n", a.from.topic.c_str(),
                     error.c_str());
        return 1;
    }
    return status;
}

// The usage errors of a command line, or "".
std::string check_args(const replay_args& a) {
    if (a.from.topic.empty() && a.url.empty()) return "--url is required";
    if (a.feed.empty()) return "--feed is required";
    if (!replay::valid_feed_id(a.feed))
        return "--feed '" + a.feed + "' is not a feed id (1-64 of a-z 0-9 . _ -)";
    if (a.from.topic.empty() == a.paths.empty())
        return a.paths.empty() ? "name at least one FILE or DIR to send, or --from-topic"
                               : "FILE|DIR and --from-topic exclude each other";
    if (!a.from.topic.empty() && !a.from.dry_run && a.url.empty()) return "--url is required";
    for (const auto* t : {&a.from.since, &a.from.until})
        if (!t->empty() && !epoch_of(*t)) return "'" + *t + "' is not an RFC 3339 date-time";
    return "";
}

int run_replay(const replay_args& a) {
    if (auto problem = check_args(a); !problem.empty()) return usage(problem);
    std::unique_ptr<cli::story_poster> poster;
    if (!a.from.dry_run || a.from.topic.empty()) {
        std::string why;
        auto ep = replay::parse_url(a.url, why);
        if (!ep) return usage("--url " + a.url + ": " + why);
        cli::poster_settings settings{a.feed, a.api_key, "", a.json};
        if (const char* v = std::getenv(a.api_key_env.c_str()); settings.api_key.empty() && v)
            settings.api_key = v;
        if (settings.api_key.empty())
            std::fprintf(stderr, "wiregate replay: no API key (--api-key, or $%s): sending none\n",
                         a.api_key_env.c_str());
        if (!a.hmac_secret_env.empty()) {
            const char* v = std::getenv(a.hmac_secret_env.c_str());
            if (!v || !*v)
                return usage("$" + a.hmac_secret_env + " (--hmac-secret-env) is not set");
            settings.hmac_secret = v;
        }
        try {
            poster = std::make_unique<cli::story_poster>(*ep, a.connection, std::move(settings));
        } catch (const std::exception& e) {
            return usage(std::string("TLS set-up: ") + e.what());
        }
    }
    return a.from.topic.empty() ? send_files(*poster, a) : send_topic(poster.get(), a);
}

CLI::Option* add_topic_options(CLI::App* cmd, replay_args& a) {
    cmd->add_option("--from-topic", a.from.topic,
                    "replay the messages of this Kafka topic (the dead-letter topic above all) "
                    "whose wiregate-feed header is --feed, instead of files");
    cmd->add_option("--reason", a.from.reasons,
                    "with --from-topic: only dead letters of this wiregate-reason (repeatable)");
    cmd->add_option("--since", a.from.since,
                    "with --from-topic: only messages received at or after this RFC 3339 time");
    cmd->add_option("--until", a.from.until,
                    "with --from-topic: only messages received before this RFC 3339 time");
    cmd->add_flag("--dry-run", a.from.dry_run,
                  "with --from-topic: list what would be sent, send nothing (no --url needed)");
    auto* brokers =
        cmd->add_option("--brokers", a.kafka.brokers, "with --from-topic: bootstrap brokers")
            ->capture_default_str();
    cmd->add_option("--config", a.kafka.config_file,
                    "with --from-topic: a gateway config: read Kafka as the gateway does");
    cmd->add_option("-X", a.kafka.properties,
                    "with --from-topic: librdkafka property key=value (repeatable)")
        ->allow_extra_args(false);
    return brokers;
}

}  // namespace

void add_replay_command(CLI::App& app, int& exit_code) {
    auto a = std::make_shared<replay_args>();
    auto* cmd = app.add_subcommand(
        "replay", "push wire files or a topic's dead letters to a running gateway");
    // --url and --feed are checked in the callback, so that leaving them out exits with 2 too.
    cmd->add_option("--url", a->url, "gateway base URL: http://host:port or https://… (required)");
    cmd->add_option("--feed", a->feed, "feed id to push to (required)");
    cmd->add_option("--api-key", a->api_key, "API key (visible to ps: prefer --api-key-env)");
    cmd->add_option("--api-key-env", a->api_key_env, "environment variable holding the API key")
        ->capture_default_str();
    cmd->add_option("--hmac-secret-env", a->hmac_secret_env,
                    "sign each body with the HMAC secret in this environment variable");
    cmd->add_option("--content-type", a->content_type,
                    "Content-Type for every document (default: from the file's extension, or "
                    "the dead letter's content-type header)");
    cmd->add_option("--ca-file", a->connection.ca_file,
                    "PEM CA bundle for https (default: the system's)");
    cmd->add_flag("--insecure", a->connection.insecure,
                  "https: do not verify the gateway's certificate");
    cmd->add_option("--timeout", a->connection.timeout_s,
                    "seconds allowed for each connect, send and answer")
        ->capture_default_str()
        ->check(CLI::Range(1, 3600));
    cmd->add_flag("--json", a->json, "print each answer body as received, one line per document");
    cmd->add_option("paths", a->paths, "files, or directories to walk (sorted, recursive)");
    auto* brokers = add_topic_options(cmd, *a);
    cmd->callback([a, brokers, &exit_code] {
        a->kafka.brokers_given = brokers->count() > 0;
        try {
            exit_code = run_replay(*a);
        } catch (const std::exception& e) {
            exit_code = usage(e.what());
        }
    });
}

}  // namespace wire::gateway

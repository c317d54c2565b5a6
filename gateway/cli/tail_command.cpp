#include "cli/tail_command.hpp"

#include <librdkafka/rdkafka.h>
#include <simdjson.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <ctime>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli/kafka_reader.hpp"

namespace wire::gateway {
namespace {

struct tail_options {
    std::string topic;
    cli::kafka_source kafka{.client_id = "wiregate-tail"};
    std::string group;
    bool from_beginning = false;
    bool local_time = false;
    std::size_t max = 0;           // 0 = until stopped
    std::uint64_t timeout_ms = 0;  // 0 = no time limit
};

volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_stop_signal(int) { g_stop = 1; }

using headers = cli::message_headers;
using cli::header;

// Control bytes out of the terminal; cut at `max` bytes on a UTF-8 character boundary.
std::string printable(std::string_view s, std::size_t max) {
    std::string out;
    std::size_t n = s.size();
    if (n > max) {
        n = max;
        while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    }
    for (char c : s.substr(0, n)) out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
    if (n < s.size()) out += "…";
    return out;
}

std::string pad(std::string s, std::size_t width) {
    if (s.size() < width) s.append(width - s.size(), ' ');
    return s;
}

// "2026-11-28T12:00:00Z" (what the envelope carries: UTC, seconds) -> unix seconds.
std::optional<std::int64_t> parse_utc(std::string_view s) {
    std::tm tm{};
    if (s.size() < 20 || s[4] != '-' || s[10] != 'T' || s.back() != 'Z') return std::nullopt;
    std::string text(s);
    if (!strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return std::nullopt;
    return static_cast<std::int64_t>(timegm(&tm));
}

std::string local_time(std::int64_t t) {
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    localtime_r(&tt, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S%z", &tm);
    return buf;
}

std::string two(std::int64_t v) { return (v < 10 ? "0" : "") + std::to_string(v); }

// now − versioncreated as a desk reads it: 45s, 12m05s, 3h02m, 2d04h; "in …" for the future.
std::string age(std::int64_t seconds) {
    if (seconds < 0) return "in " + age(-seconds);
    if (seconds < 60) return std::to_string(seconds) + "s";
    if (seconds < 3600) return std::to_string(seconds / 60) + "m" + two(seconds % 60) + "s";
    if (seconds < 86400) return std::to_string(seconds / 3600) + "h" + two(seconds / 60 % 60) + "m";
    return std::to_string(seconds / 86400) + "d" + two(seconds / 3600 % 24) + "h";
}

std::string text(simdjson::dom::element e, const char* key) {
    std::string_view v;
    return e[key].get(v) == simdjson::SUCCESS ? std::string(v) : std::string();
}

// The main headline, else the first, else the title or the slugline.
std::string headline(simdjson::dom::element story) {
    simdjson::dom::array list;
    std::string first;
    if (story["headlines"].get(list) == simdjson::SUCCESS) {
        for (auto h : list) {
            std::string value = text(h, "value");
            if (value.empty()) continue;
            if (text(h, "role") == "main") return value;
            if (first.empty()) first = value;
        }
    }
    if (!first.empty()) return first;
    if (auto t = text(story, "title"); !t.empty()) return t;
    if (auto s = text(story, "slugline"); !s.empty()) return s;
    return "(no headline)";
}

std::string signal_label(std::string s) {
    if (s == "kill" || s == "withhold" || s == "correction")
        for (auto& c : s) c = static_cast<char>(c - 'a' + 'A');
    return s.empty() ? "-" : s;
}

std::string story_line(simdjson::dom::element story, simdjson::dom::element wire,
                       const tail_options& o, std::int64_t now) {
    std::string when = "-", ago = "-";
    std::string created = text(story, "versioncreated");
    if (auto t = parse_utc(created)) {
        when = o.local_time ? local_time(*t) : created;
        ago = age(now - *t);
    }
    std::int64_t urgency = 0;
    std::string u = story["urgency"].get(urgency) == simdjson::SUCCESS
                        ? "U" + std::to_string(urgency)
                        : std::string("U-");
    std::string agency = printable(text(wire, "agency"), 16);
    std::string line = when + "  " + pad(agency.empty() ? "-" : agency, 9) + " " + pad(u, 3) + " " +
                       pad(signal_label(text(wire, "signal")), 11) + " " +
                       printable(headline(story), 100) + "  age " + ago;
    simdjson::dom::array warnings;
    if (wire["warnings"].get(warnings) == simdjson::SUCCESS && warnings.size() > 0) {
        std::string_view code, message, plain;
        auto first = warnings.at(0);
        if (first["code"].get(code) == simdjson::SUCCESS &&
            first["message"].get(message) == simdjson::SUCCESS)
            line +=
                "  [warning: " + printable(std::string(code) + ": " + std::string(message), 60) +
                "]";
        else if (first.get(plain) == simdjson::SUCCESS)  // envelopes of earlier gateways
            line += "  [warning: " + printable(plain, 60) + "]";
    }
    return line;
}

std::string dead_letter_line(const headers& hs) {
    auto or_dash = [](std::string s) { return s.empty() ? std::string("-") : s; };
    std::string line = or_dash(header(hs, "wiregate-received-at")) + "  DEAD  " +
                       printable(header(hs, "wiregate-reason"), 40) +
                       "  feed=" + or_dash(printable(header(hs, "wiregate-feed"), 64));
    if (auto m = header(hs, "wiregate-message"); !m.empty()) line += "  " + printable(m, 100);
    if (auto b = header(hs, "wiregate-raw-bytes"); !b.empty()) line += "  " + b + " bytes";
    return line;
}

// One line for any message: a story, a dead letter, or something unreadable.
std::string describe(const rd_kafka_message_t* m, simdjson::dom::parser& parser,
                     const tail_options& o, std::int64_t now) {
    const headers hs = cli::headers_of(m);
    std::string where = std::string(rd_kafka_topic_name(m->rkt)) + "/" +
                        std::to_string(m->partition) + "@" + std::to_string(m->offset);
    if (!header(hs, "wiregate-reason").empty()) return dead_letter_line(hs) + "  " + where;

    std::string why;
    simdjson::dom::element doc;
    std::string_view schema;
    simdjson::dom::element story, wire;
    if (m->payload == nullptr || m->len == 0) {
        why = "empty value";
    } else if (parser.parse(static_cast<const char*>(m->payload), m->len).get(doc) !=
               simdjson::SUCCESS) {
        why = "not JSON";
    } else if (doc["schema"].get(schema) != simdjson::SUCCESS || schema != "wiregate.story/1" ||
               doc["story"].get(story) != simdjson::SUCCESS || !story.is_object() ||
               doc["wire"].get(wire) != simdjson::SUCCESS || !wire.is_object()) {
        why = "not a wiregate.story/1 envelope";
    } else {
        return story_line(story, wire, o, now) + "  " + where;
    }
    return "-  UNREADABLE  " + why + "  " + std::to_string(m->len) + " bytes  " + where;
}

std::string subscribe(rd_kafka_t* rk, const tail_options& o) {
    rd_kafka_poll_set_consumer(rk);
    auto* list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, o.topic.c_str(), RD_KAFKA_PARTITION_UA);
    auto err = rd_kafka_subscribe(rk, list);
    rd_kafka_topic_partition_list_destroy(list);
    return err ? std::string("subscribe: ") + rd_kafka_err2str(err) : std::string();
}

int run_tail(const tail_options& o) {
    std::string error;
    auto rk = cli::make_consumer(o.kafka, o.group, o.from_beginning, error);
    if (!rk) {
        std::cerr << "wiregate tail: " << error << '\n';
        return 1;
    }
    error = o.group.empty() ? cli::assign_all(rk.get(), o.topic, o.from_beginning)
                            : subscribe(rk.get(), o);
    if (!error.empty()) {
        std::cerr << "wiregate tail: topic " << o.topic << ": " << error << '\n';
        return 1;
    }
    g_stop = 0;
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGTERM, on_stop_signal);
    simdjson::dom::parser parser;
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(o.timeout_ms);
    std::size_t printed = 0;
    int status = 0;
    while (!g_stop && (o.max == 0 || printed < o.max) &&
           (o.timeout_ms == 0 || std::chrono::steady_clock::now() < deadline)) {
        rd_kafka_message_t* m = rd_kafka_consumer_poll(rk.get(), 200);
        if (!m) continue;
        if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
            std::cout << describe(m, parser, o, now) << std::endl;  // one line at a time
            ++printed;
        } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            std::cerr << "wiregate tail: " << rd_kafka_message_errstr(m) << '\n';
            if (m->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
                m->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC) {
                status = 1;
                g_stop = 1;
            }
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(rk.get());
    return status;
}

}  // namespace

void add_tail_command(CLI::App& app, int& exit_code) {
    auto o = std::make_shared<tail_options>();
    auto* cmd = app.add_subcommand("tail", "print each message of a topic as a one-line summary");
    cmd->add_option("--topic", o->topic, "Kafka topic to read")->required();
    auto* brokers =
        cmd->add_option("--brokers", o->kafka.brokers, "bootstrap brokers, host:port[,host:port]")
            ->capture_default_str();
    cmd->add_option("--config", o->kafka.config_file,
                    "a gateway config: read Kafka as the gateway does (its brokers, SASL and TLS "
                    "settings)");
    cmd->add_option("-X", o->kafka.properties,
                    "librdkafka property key=value (repeatable; after --config's)")
        ->allow_extra_args(false);
    cmd->add_flag("--from-beginning", o->from_beginning,
                  "start at the oldest message (default: only new ones)");
    cmd->add_option("--max", o->max, "stop after N messages (default: until Ctrl-C)");
    cmd->add_option("--group", o->group,
                    "consumer group: resume from and commit its offsets (default: none)");
    cmd->add_flag("--local", o->local_time, "print versioncreated in local time, not UTC");
    cmd->add_option("--timeout-ms", o->timeout_ms, "stop after this long (default: never)");
    cmd->callback([o, brokers, &exit_code] {
        o->kafka.brokers_given = brokers->count() > 0;
        exit_code = run_tail(*o);
    });
}

}  // namespace wire::gateway

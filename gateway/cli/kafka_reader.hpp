#pragma once
// Reading a topic from the command line (`tail`, `replay --from-topic`): a consumer set up as
// the gateway reaches Kafka (its brokers, SASL and TLS settings from a config file, then -X
// properties), every partition assigned without a group, and one reading of a topic from its
// beginning to the end it had when the reading started.
#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wire::gateway::cli {

struct kafka_source {
    std::string brokers = "127.0.0.1:19092";
    bool brokers_given = false;           // --brokers on the command line wins over --config's
    std::string config_file;              // a gateway config: its brokers and security settings
    std::vector<std::string> properties;  // -X key=value, librdkafka properties
    std::string client_id;                // "wiregate-tail", "wiregate-replay"
};

using consumer_ptr = std::unique_ptr<rd_kafka_t, decltype(&rd_kafka_destroy)>;
using message_headers = std::vector<std::pair<std::string, std::string>>;

/// A consumer for `source`. With an empty `group`, a throwaway group that commits nothing;
/// `from_beginning` sets auto.offset.reset. nullptr and `error` when a setting is refused.
consumer_ptr make_consumer(const kafka_source& source, const std::string& group,
                           bool from_beginning, std::string& error);

/// Assigns every partition of `topic`, at its beginning or its end. "" or what went wrong.
std::string assign_all(rd_kafka_t* rk, const std::string& topic, bool from_beginning);

/// The headers of a message as name/value pairs.
message_headers headers_of(const rd_kafka_message_t* m);
/// The value of the first header called `name`, or "".
std::string header(const message_headers& hs, std::string_view name);

struct topic_message {
    int32_t partition = 0;
    int64_t offset = 0;
    std::string_view value;
    message_headers headers;
};

/// Reads every message of `topic` from the beginning up to the end offsets it had when the
/// reading started, partition by partition in offset order, and hands each to `each`
/// (return false to stop). "" or what went wrong (metadata, a broker that does not answer
/// within `timeout_ms` while messages remain).
std::string read_to_end(const kafka_source& source, const std::string& topic, int timeout_ms,
                        const std::function<bool(const topic_message&)>& each);

}  // namespace wire::gateway::cli

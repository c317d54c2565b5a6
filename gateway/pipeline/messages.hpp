#pragma once
// The Kafka messages the pipeline produces: a story to its topics (the contract in
// docs/consumer-guide.md) and a dead letter to the rejected topic.
#include <string>
#include <string_view>
#include <vector>

#include "core/story.hpp"
#include "pipeline/pipeline.hpp"
#include "producer/kafka_producer.hpp"

namespace wire::pipeline {

/// Dead letters carry at most this much of the raw input (Kafka's default message limit is
/// 1 MB); the headers say when it was cut and give the whole input's size and SHA-256.
inline constexpr std::size_t k_dead_letter_max_bytes = 900u << 10;
/// A story message (key, envelope and headers) larger than this is refused (too_large) before
/// it reaches the spool or Kafka: the producer would fail it for ever (message.max.bytes).
inline constexpr std::size_t k_story_max_bytes = 900u << 10;

/// Key, value and header bytes of a message.
std::size_t message_bytes(const producer::outgoing_message& m);

/// The Kafka key of a story: "<agency>:<uri>". Every version of a story lands on one
/// partition, and a feed (which speaks for one agency) can never write under the key of
/// another agency's story, whatever uri it sends.
std::string kafka_key(const adapters::story& s);

/// One message per topic: key = kafka_key(), value = envelope, headers for filtering.
std::vector<producer::outgoing_message> story_messages(const adapters::story& s,
                                                       const std::vector<std::string>& topics);

/// The raw input with reason headers, for item `index` of a submission. Without `with_raw`
/// the value is empty and `wiregate-raw: omitted` says the raw bytes are in the request's first
/// dead letter, which has the same key: a document is written to the dead letters once, however
/// many of its items are refused.
producer::outgoing_message dead_letter(const submission& s, const std::string& raw_sha256,
                                       const std::string& format, std::size_t index,
                                       const std::string& code, const std::string& message,
                                       const adapters::adapter_error* err, const std::string& topic,
                                       bool with_raw = true);

/// Separate dead letters one request may leave: the first carries the raw input, the next ones
/// only their reasons; the items refused beyond that are counted in one last letter
/// (`items_rejected`), their reasons being in the HTTP answer and the log.
inline constexpr std::size_t k_max_item_dead_letters = 100;

/// The charset parameter of a Content-Type ("text/plain; charset=KOI8-R" → "KOI8-R"), or "".
std::string charset_from_content_type(std::string_view content_type);

}  // namespace wire::pipeline

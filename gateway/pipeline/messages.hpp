#pragma once
// The Kafka messages the pipeline produces: a story to its topics (product.md "The message
// contract on Kafka") and a dead letter to the rejected topic.
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

/// One message per topic: key = story uri, value = envelope, headers for filtering.
std::vector<producer::outgoing_message> story_messages(const adapters::story& s,
                                                       const std::vector<std::string>& topics);

/// The raw input with reason headers, for item `index` of a submission.
producer::outgoing_message dead_letter(const submission& s, const std::string& raw_sha256,
                                       const std::string& format, std::size_t index,
                                       const std::string& code, const std::string& message,
                                       const adapters::adapter_error* err,
                                       const std::string& topic);

/// The charset parameter of a Content-Type ("text/plain; charset=KOI8-R" → "KOI8-R"), or "".
std::string charset_from_content_type(std::string_view content_type);

}  // namespace wire::pipeline

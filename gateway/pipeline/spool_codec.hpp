#pragma once
// What one spool record holds: the Kafka messages of one accepted item (a story to each of its
// topics, or a dead letter), ready to produce again after a restart without re-normalising.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "producer/kafka_producer.hpp"

namespace wire::pipeline {

struct spooled_item {
    std::string feed;
    std::string dedup_id;                        // hex; "" for dead letters (never deduplicated)
    std::string uri, version, signal, headline;  // for logs and for answers after a restart
    std::vector<producer::outgoing_message> messages;
};

/// Length-prefixed little-endian fields, versioned by a leading byte. The spool checksums
/// the record; decode still checks every length, so a bad record is refused, never read past.
std::string encode(const spooled_item& item);
std::optional<spooled_item> decode(std::string_view bytes);

}  // namespace wire::pipeline

#pragma once
// delivery's per-record state, shared by delivery.cpp and delivery_recovery.cpp (not a public
// header: nothing outside pipeline/ includes it).
#include <mutex>

#include "pipeline/delivery.hpp"

namespace wire::pipeline {

// One record on its way to Kafka; shared by its delivery callbacks and its answer deadline.
struct delivery::record_state {
    spooled_item item;
    std::int64_t not_before_ms = 0;
    std::int64_t spooled_at_ms = 0;
    std::uint64_t seq = 0;
    bool spooled = false;
    delivery_done done;
    std::mutex mu;
    bool answered = false;
    std::size_t remaining = 0;
    std::vector<topic_ack> acks;
    std::vector<std::size_t> failed;  // message indexes Kafka did not take
    rd_kafka_resp_err_t last_error = RD_KAFKA_RESP_ERR_NO_ERROR;
    std::string last_error_text;
};

}  // namespace wire::pipeline

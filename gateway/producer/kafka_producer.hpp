#pragma once
// kafka_producer: the one librdkafka producer a gateway process shares.
//
// Lifecycle: create() builds and configures the handle; a poll thread owned by the object
// serves delivery reports until the destructor, which flushes within a bound and joins.
// Thread safety: produce() may be called from any thread; delivery callbacks run on the poll
// thread and must not block.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <librdkafka/rdkafka.h>

namespace wire::producer {

struct outgoing_message {
    std::string topic;
    std::string key;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string value;
};

/// What the broker said about one message. `error` is RD_KAFKA_RESP_ERR_NO_ERROR on success.
struct delivery_report {
    std::string topic;
    std::int32_t partition = -1;
    std::int64_t offset = -1;
    rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;
    std::string error_text;
    bool ok() const { return error == RD_KAFKA_RESP_ERR_NO_ERROR; }
};

using delivery_callback = std::function<void(const delivery_report&)>;

/// librdkafka's error events (broker down, fatal idempotence errors…), on the poll thread.
using error_callback = std::function<void(rd_kafka_resp_err_t err, const std::string& reason)>;

/// librdkafka properties; ours are applied first, the config's pass-through map may override.
using kafka_properties = std::map<std::string, std::string>;

/// The settings every wiregate producer starts from: idempotent, acks=all, compressed.
kafka_properties default_producer_properties(std::string brokers);

class kafka_producer {
  public:
    /// Builds a producer; on failure returns nullptr and fills `error` with the property at fault.
    static std::unique_ptr<kafka_producer> create(const kafka_properties& props,
                                                  std::string& error,
                                                  error_callback on_error = {});
    ~kafka_producer();
    kafka_producer(const kafka_producer&) = delete;
    kafka_producer& operator=(const kafka_producer&) = delete;

    /// Enqueues one message. The callback runs exactly once, on the poll thread, unless the
    /// enqueue itself fails: then the error is returned and the callback never runs.
    rd_kafka_resp_err_t produce(const outgoing_message& msg, delivery_callback on_delivery);

    /// Waits until every enqueued message has a delivery report or the timeout passes.
    rd_kafka_resp_err_t flush(std::chrono::milliseconds timeout);

    /// Messages enqueued but not yet reported.
    int queue_depth() const;

    /// True once librdkafka raised a fatal error (e.g. an idempotence guarantee broke): this
    /// producer can deliver nothing more and must be replaced.
    bool fatal() const;
    std::string fatal_reason() const;

    /// Flushes within `timeout`, then purges what is left so that every outstanding delivery
    /// callback runs (with an error) before this returns. Idempotent; the destructor calls it.
    void close(std::chrono::milliseconds timeout);

    rd_kafka_t* handle() const { return rk_; }

  private:
    struct callbacks;
    kafka_producer(rd_kafka_t* rk, std::unique_ptr<callbacks> cbs);
    void run_poll_loop();

    rd_kafka_t* rk_;
    std::unique_ptr<callbacks> callbacks_;
    struct poller;
    std::unique_ptr<poller> poller_;
};

}  // namespace wire::producer

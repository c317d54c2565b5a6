#include "producer/kafka_producer.hpp"

#include <atomic>
#include <mutex>
#include <thread>

namespace wire::producer {
namespace {

// Delivery report callback: librdkafka hands back the opaque we gave at produce time, which
// owns the caller's callback. It runs on the poll thread.
void on_delivery_report(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
    std::unique_ptr<delivery_callback> cb(static_cast<delivery_callback*>(m->_private));
    if (!cb || !*cb) return;
    delivery_report r;
    r.topic = rd_kafka_topic_name(m->rkt);
    r.partition = m->partition;
    r.offset = m->offset;
    r.error = m->err;
    if (m->err) r.error_text = rd_kafka_err2str(m->err);
    (*cb)(r);
}

}  // namespace

// Lives before the handle exists (rd_kafka_new needs the opaque) and outlives it.
struct kafka_producer::callbacks {
    error_callback on_error;
    std::atomic<bool> fatal{false};
};

struct kafka_producer::poller {
    std::atomic<bool> stop{false};
    std::thread thread;
};

kafka_properties default_producer_properties(std::string brokers) {
    return {
        {"bootstrap.servers", std::move(brokers)},
        {"enable.idempotence", "true"},  // implies acks=all, bounded in-flight, ordered retries
        {"acks", "all"},
        {"compression.type", "lz4"},
        {"linger.ms", "5"},
        {"message.timeout.ms", "30000"},
        {"client.id", "wiregate"},
    };
}

std::unique_ptr<kafka_producer> kafka_producer::create(const kafka_properties& props,
                                                       std::string& error,
                                                       error_callback on_error) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char errstr[512];
    for (const auto& [key, value] : props) {
        if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), errstr, sizeof errstr) !=
            RD_KAFKA_CONF_OK) {
            error = "kafka property '" + key + "': " + errstr;
            rd_kafka_conf_destroy(conf);
            return nullptr;
        }
    }
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery_report);
    auto cbs = std::make_unique<callbacks>();
    cbs->on_error = std::move(on_error);
    rd_kafka_conf_set_opaque(conf, cbs.get());
    rd_kafka_conf_set_error_cb(conf, [](rd_kafka_t*, int err, const char* reason, void* opaque) {
        auto* c = static_cast<callbacks*>(opaque);
        if (err == RD_KAFKA_RESP_ERR__FATAL) c->fatal = true;
        if (c->on_error) c->on_error(static_cast<rd_kafka_resp_err_t>(err), reason);
    });
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!rk) {  // rd_kafka_new frees conf only on success
        error = std::string("kafka producer: ") + errstr;
        rd_kafka_conf_destroy(conf);
        return nullptr;
    }
    return std::unique_ptr<kafka_producer>(new kafka_producer(rk, std::move(cbs)));
}

kafka_producer::kafka_producer(rd_kafka_t* rk, std::unique_ptr<callbacks> cbs)
    : rk_(rk), callbacks_(std::move(cbs)), poller_(std::make_unique<poller>()) {
    poller_->thread = std::thread([this] { run_poll_loop(); });
}

kafka_producer::~kafka_producer() {
    close(std::chrono::seconds(10));
    rd_kafka_destroy(rk_);
}

void kafka_producer::close(std::chrono::milliseconds timeout) {
    if (!poller_->thread.joinable()) return;
    rd_kafka_flush(rk_, static_cast<int>(timeout.count()));
    // Whatever is still queued or in flight fails now, so that every caller hears back
    // (nothing waits forever on a producer that is going away).
    rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    poller_->stop = true;
    poller_->thread.join();
    // Purged messages report on the next polls; bounded so a wedged handle cannot hang us.
    for (int i = 0; i < 50 && rd_kafka_outq_len(rk_) > 0; ++i) rd_kafka_poll(rk_, 100);
}

// The error callback only runs on the next poll; asking the handle too makes the flip immediate.
bool kafka_producer::fatal() const {
    return callbacks_->fatal.load() ||
           rd_kafka_fatal_error(rk_, nullptr, 0) != RD_KAFKA_RESP_ERR_NO_ERROR;
}

std::string kafka_producer::fatal_reason() const {
    if (!fatal()) return {};
    char buf[512];
    rd_kafka_fatal_error(rk_, buf, sizeof buf);
    return buf;
}

void kafka_producer::run_poll_loop() {
    while (!poller_->stop.load(std::memory_order_relaxed)) rd_kafka_poll(rk_, 100);
}

rd_kafka_resp_err_t kafka_producer::produce(const outgoing_message& msg,
                                            delivery_callback on_delivery) {
    rd_kafka_headers_t* hdrs = rd_kafka_headers_new(msg.headers.size());
    for (const auto& [name, value] : msg.headers)
        rd_kafka_header_add(hdrs, name.data(), static_cast<ssize_t>(name.size()), value.data(),
                            static_cast<ssize_t>(value.size()));
    auto cb = std::make_unique<delivery_callback>(std::move(on_delivery));
    rd_kafka_resp_err_t err = rd_kafka_producev(
        rk_, RD_KAFKA_V_TOPIC(msg.topic.c_str()), RD_KAFKA_V_KEY(msg.key.data(), msg.key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(msg.value.data()), msg.value.size()),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(hdrs),
        RD_KAFKA_V_OPAQUE(cb.get()), RD_KAFKA_V_END);
    if (err) {
        rd_kafka_headers_destroy(hdrs);  // ownership passes to librdkafka only on success
        return err;
    }
    cb.release();  // on_delivery_report takes it back
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

rd_kafka_resp_err_t kafka_producer::flush(std::chrono::milliseconds timeout) {
    return rd_kafka_flush(rk_, static_cast<int>(timeout.count()));
}

int kafka_producer::queue_depth() const { return rd_kafka_outq_len(rk_); }

}  // namespace wire::producer

#include "service/gateway_service.hpp"

#include <algorithm>
#include <chrono>

#include <boost/asio/signal_set.hpp>

#include "listeners/admin_handler.hpp"
#include "listeners/http_server.hpp"
#include "listeners/ingest_handler.hpp"
#include "listeners/stream_listener.hpp"
#include "log/json_log.hpp"
#include "producer/kafka_admin.hpp"
#include "version.hpp"

namespace wire::service {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

std::int64_t steady_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

std::vector<std::string> topics_of(const config::gateway_config& cfg) { return cfg.routing.topics; }

}  // namespace

gateway_service::gateway_service(config::gateway_config cfg, std::string config_path)
    : config_(std::make_shared<const config::gateway_config>(std::move(cfg))),
      config_path_(std::move(config_path)) {
    router_ = std::make_shared<const routing::router>(config_->routing);
    registry_.gauge_callback("wiregate_producer_queue_depth",
                             "Messages in the Kafka producer not yet acknowledged", [this] {
                                 auto p = producer();
                                 return p ? static_cast<double>(p->queue_depth()) : 0.0;
                             });
    registry_.counter("wiregate_producer_rebuilds_total",
                      "Producers replaced after a fatal librdkafka error");
    registry_.gauge_callback("wiregate_ready", "1 when /readyz answers 200",
                             [this] { return not_ready().empty() ? 1.0 : 0.0; });
    pipeline::pipeline_deps deps;
    deps.producer = [this] { return producer(); };
    deps.router = [this] { return router(); };
    deps.gateway_instance = config_->instance;
    deps.gateway_version = gateway::k_version;
    pipeline_ = std::make_unique<pipeline::pipeline>(std::move(deps), registry_);
}

gateway_service::~gateway_service() {
    if (started_) drain();
}

std::shared_ptr<const config::gateway_config> gateway_service::config() const {
    std::lock_guard lk(mu_);
    return config_;
}
std::shared_ptr<producer::kafka_producer> gateway_service::producer() const {
    std::lock_guard lk(mu_);
    return producer_;
}
std::shared_ptr<const routing::router> gateway_service::router() const {
    std::lock_guard lk(mu_);
    return router_;
}

std::string gateway_service::build_producer() {
    auto cfg = config();
    auto props = producer::default_producer_properties(cfg->kafka.brokers);
    props["message.timeout.ms"] = std::to_string(cfg->limits.publish_timeout_ms);
    props["client.id"] = cfg->instance;
    for (const auto& [k, v] : cfg->kafka.properties) props[k] = v;
    std::string error;
    auto p = producer::kafka_producer::create(
        props, error, [](rd_kafka_resp_err_t err, const std::string& reason) {
            log::warn(log::event("kafka_error")
                          .field("code", rd_kafka_err2name(err))
                          .field("reason", reason));
        });
    if (!p) return error;
    std::lock_guard lk(mu_);
    producer_ = std::shared_ptr<producer::kafka_producer>(std::move(p));
    return {};
}

std::string gateway_service::start() {
    auto cfg = config();
    if (auto err = build_producer(); !err.empty()) return err;
    if (cfg->kafka.create_topics_partitions > 0) {
        auto err = producer::create_missing_topics(producer()->handle(), topics_of(*cfg),
                                                   cfg->kafka.create_topics_partitions,
                                                   cfg->kafka.create_topics_replication, 15s);
        if (!err.empty()) return "creating topics: " + err;
    }
    try {
        listeners::ingest_context ictx;
        ictx.config = [this] { return config(); };
        ictx.pipeline = pipeline_.get();
        ictx.unavailable = [this] { return unavailable(); };
        ingest_ = std::make_shared<listeners::ingest_handler>(std::move(ictx), registry_);
        listeners::http_server_limits lim{cfg->limits.max_header_bytes, cfg->limits.max_body_bytes,
                                          cfg->limits.read_timeout_ms, cfg->limits.idle_timeout_ms,
                                          cfg->limits.max_connections};
        for (const auto& l : cfg->http) {
            std::shared_ptr<asio::ssl::context> tls;
            if (l.tls) tls = listeners::make_tls_context(l.tls->cert_file, l.tls->key_file);
            http_.push_back(std::make_shared<listeners::http_server>(io_, l.address, l.port, tls,
                                                                     ingest_, lim, l.name));
        }
        auto admin =
            std::make_shared<listeners::admin_handler>(registry_, [this] { return not_ready(); });
        admin_ = std::make_shared<listeners::http_server>(io_, cfg->admin.address, cfg->admin.port,
                                                          nullptr, admin, lim, "admin");
        auto smetrics = std::make_shared<listeners::stream_metrics>(registry_);
        for (const auto& s : cfg->streams)
            streams_.push_back(std::make_shared<listeners::stream_listener>(
                io_, s, listeners::stream_context{[this] { return config(); }, pipeline_.get()},
                smetrics));
    } catch (const std::exception& e) {
        http_.clear();
        admin_.reset();
        streams_.clear();
        std::lock_guard lk(mu_);
        producer_.reset();
        return e.what();
    }
    for (auto& s : http_) s->start();
    admin_->start();
    for (auto& s : streams_) s->start();
    check_health();  // readiness is known before the first request
    health_thread_ = std::thread([this] { health_loop(); });
    const unsigned n = std::max(2u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < n; ++i) io_threads_.emplace_back([this] { io_.run(); });
    started_ = true;
    auto ev = log::event("started");
    ev.field("instance", cfg->instance).field("version", gateway::k_version);
    for (std::size_t i = 0; i < http_.size(); ++i)
        ev.field(http_[i]->name() + "_port", static_cast<int>(http_[i]->port()));
    ev.field("admin_port", static_cast<int>(admin_->port()));
    log::info(ev);
    return {};
}

int gateway_service::run() {
    asio::signal_set signals(io_, SIGINT, SIGTERM, SIGHUP);
    std::mutex m;
    std::condition_variable cv;
    bool stop = false;
    std::function<void(const boost::system::error_code&, int)> on_signal =
        [&](const boost::system::error_code& ec, int sig) {
            if (ec) return;
            if (sig == SIGHUP) {
                std::thread([this] { reload(); }).detach();  // reload blocks on file I/O
                signals.async_wait(on_signal);
                return;
            }
            log::info(log::event("signal").field("signal", sig == SIGINT ? "SIGINT" : "SIGTERM"));
            std::lock_guard lk(m);
            stop = true;
            cv.notify_all();
        };
    signals.async_wait(on_signal);
    {
        std::unique_lock lk(m);
        cv.wait(lk, [&] { return stop; });
    }
    boost::system::error_code ec;
    signals.cancel(ec);
    return drain() ? 0 : 1;
}

bool gateway_service::drain() {
    if (drained_.exchange(true)) return true;
    auto cfg = config();
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(cfg->drain_timeout_ms);
    draining_ = true;
    log::info(log::event("draining").field("timeout_ms", static_cast<int>(cfg->drain_timeout_ms)));
    for (auto& s : http_) s->drain();
    for (auto& s : streams_) s->drain();
    auto busy = [&] {
        std::size_t n = ingest_ ? ingest_->inflight_requests() : 0;
        for (auto& s : streams_) n += s->inflight();
        return n;
    };
    // In-flight work completes through delivery reports; poll them to zero within the bound.
    while (busy() > 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(10ms);
    bool clean = busy() == 0;
    if (auto p = producer()) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (p->flush(std::max(left, 0ms)) != RD_KAFKA_RESP_ERR_NO_ERROR) clean = false;
    }
    if (admin_) admin_->drain();
    stop_threads();
    {
        std::lock_guard lk(mu_);
        producer_.reset();  // closes: anything left is reported as failed, never dropped silently
    }
    log::info(log::event("stopped").field("clean", clean ? "true" : "false"));
    return clean;
}

void gateway_service::stop_threads() {
    {
        std::lock_guard lk(health_mu_);
        stopping_ = true;
    }
    health_cv_.notify_all();
    if (health_thread_.joinable()) health_thread_.join();
    io_.stop();
    for (auto& t : io_threads_) t.join();
    io_threads_.clear();
}

std::vector<config::config_problem> gateway_service::reload() {
    if (config_path_.empty()) return {{"", "no config file to reload"}};
    auto loaded = config::load_config(config_path_);
    if (!loaded.config) {
        for (const auto& p : loaded.problems)
            log::error(
                log::event("reload_refused").field("path", p.path).field("problem", p.message));
        return loaded.problems;
    }
    apply(std::move(*loaded.config));
    return {};
}

void gateway_service::apply(config::gateway_config cfg) {
    auto old = config();
    if (cfg.http.size() != old->http.size() || cfg.streams.size() != old->streams.size() ||
        cfg.admin.port != old->admin.port || cfg.kafka.brokers != old->kafka.brokers ||
        cfg.kafka.properties != old->kafka.properties)
        log::warn(log::event("reload_partial")
                      .field("reason", "listener and Kafka changes take effect at restart"));
    auto next = std::make_shared<config::gateway_config>(std::move(cfg));
    // Listeners and Kafka keep their running settings; feeds, routing and limits change now.
    next->http = old->http;
    next->streams = old->streams;
    next->admin = old->admin;
    next->kafka = old->kafka;
    auto r = std::make_shared<const routing::router>(next->routing);
    {
        std::lock_guard lk(mu_);
        config_ = next;
        router_ = r;
    }
    log::info(log::event("reloaded")
                  .field("feeds", next->feeds.size())
                  .field("rules", next->routing.rules.size()));
    health_cv_.notify_all();  // new topics: check them now
}

void gateway_service::health_loop() {
    std::unique_lock lk(health_mu_);
    while (!stopping_) {
        auto period = std::chrono::milliseconds(std::max<std::uint32_t>(
            100, std::min<std::uint32_t>(config()->kafka.metadata_refresh_ms, 1000)));
        health_cv_.wait_for(lk, period);
        if (stopping_) break;
        lk.unlock();
        check_health();
        lk.lock();
    }
}

// Runs on the health thread (and once in start()): metadata freshness, missing topics, and the
// fatal-producer rebuild.
void gateway_service::check_health() {
    auto cfg = config();
    auto p = producer();
    if (p && p->fatal()) {
        rebuilding_ = true;
        log::error(log::event("producer_fatal").field("reason", p->fatal_reason()));
        auto err = build_producer();  // new messages go to the new producer from here on
        if (err.empty()) {
            p->close(1s);  // what the old one still held is reported as failed
            rebuilding_ = false;
            registry_
                .counter("wiregate_producer_rebuilds_total",
                         "Producers replaced after a fatal librdkafka error")
                .inc({});
            log::info(log::event("producer_rebuilt"));
        } else {
            log::error(log::event("producer_rebuild_failed").field("reason", err));
        }
        p = producer();
    }
    if (!p) return;
    const std::int64_t since = steady_ms() - metadata_ok_ms_.load();
    if (since < static_cast<std::int64_t>(cfg->kafka.metadata_refresh_ms) &&
        metadata_ok_ms_.load() != 0)
        return;
    std::string error;
    auto topics = producer::list_topics(p->handle(), 5s, error);
    std::vector<std::string> missing;
    if (topics) {
        for (const auto& t : cfg->routing.topics)
            if (!topics->count(t)) missing.push_back(t);
        if (!missing.empty() && cfg->kafka.create_topics_partitions > 0) {
            error = producer::create_missing_topics(p->handle(), missing,
                                                    cfg->kafka.create_topics_partitions,
                                                    cfg->kafka.create_topics_replication, 15s);
            if (error.empty()) missing.clear();
        }
        metadata_ok_ms_ = steady_ms();
    }
    std::lock_guard lk(health_mu_);
    missing_topics_ = std::move(missing);
    kafka_error_ = topics ? error : "Kafka metadata: " + error;
}

std::string gateway_service::unavailable() const {
    if (draining_) return "the gateway is draining";
    auto p = producer();
    if (!p || p->fatal() || rebuilding_) return "the Kafka producer failed and is being rebuilt";
    auto cfg = config();
    if (static_cast<std::size_t>(p->queue_depth()) >= cfg->limits.producer_queue_high_water)
        return "the Kafka producer queue is above its high-water mark";
    const std::int64_t stale = 3 * static_cast<std::int64_t>(cfg->kafka.metadata_refresh_ms);
    if (metadata_ok_ms_.load() == 0 || steady_ms() - metadata_ok_ms_.load() > stale)
        return "Kafka is unreachable (no fresh metadata)";
    return {};
}

std::vector<std::string> gateway_service::not_ready() const {
    std::vector<std::string> reasons;
    if (auto why = unavailable(); !why.empty()) reasons.push_back(why);
    auto cfg = config();
    if (ingest_ && ingest_->inflight_requests() >= cfg->limits.max_inflight_requests)
        reasons.push_back("in-flight requests at their limit");
    std::lock_guard lk(health_mu_);
    if (!missing_topics_.empty()) {
        std::string s = "topics missing in Kafka:";
        for (const auto& t : missing_topics_) s += " " + t;
        reasons.push_back(s);
    }
    if (!kafka_error_.empty()) reasons.push_back(kafka_error_);
    return reasons;
}

std::uint16_t gateway_service::http_port(std::size_t i) const {
    return i < http_.size() ? http_[i]->port() : 0;
}
std::uint16_t gateway_service::admin_port() const { return admin_ ? admin_->port() : 0; }
std::uint16_t gateway_service::stream_port(const std::string& feed) const {
    for (const auto& s : streams_)
        if (s->feed() == feed) return s->port();
    return 0;
}

}  // namespace wire::service

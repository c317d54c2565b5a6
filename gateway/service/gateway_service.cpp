#include "service/gateway_service.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include <boost/asio/signal_set.hpp>

#include "clock/wall_clock.hpp"
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

producer::kafka_properties producer_properties(const config::gateway_config& cfg) {
    auto props = producer::default_producer_properties(cfg.kafka.brokers);
    // With a spool, librdkafka retries for as long as Kafka is away (0 = no timeout): every
    // queued message is also on disk, and the idempotent producer keeps them in order without
    // doubles. Without one, the sender is told after publish_timeout_ms and retries itself.
    props["message.timeout.ms"] =
        cfg.spool.dir.empty() ? std::to_string(cfg.limits.publish_timeout_ms) : "0";
    props["client.id"] = cfg.instance;
    for (const auto& [k, v] : cfg.kafka.properties) props[k] = v;
    return props;
}

// The spool id names this spool directory in every message's wiregate-record header, so that
// reading topics back after a crash finds this spool's records and no other instance's.
std::string spool_id(const std::string& dir) {
    const auto path = std::filesystem::path(dir) / "spool.id";
    std::ifstream in(path);
    std::string id;
    if (in >> id && id.size() == 16) return id;
    std::random_device rd;
    char buf[17];
    std::snprintf(buf, sizeof buf, "%08x%08x", rd(), rd());
    std::ofstream out(path, std::ios::trunc);
    out << buf << "\n";
    return out ? std::string(buf) : std::string();
}

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
    // Registered now so /metrics lists them (at 0) before the first reload.
    registry_.counter("wiregate_config_reload_failures_total",
                      "Reloads refused because the config file had problems");
    registry_.counter("wiregate_tls_reloads_total",
                      "TLS contexts rebuilt on reload, per listener and result",
                      {"listener", "result"});
    registry_.gauge_callback("wiregate_ready", "1 when /readyz answers 200",
                             [this] { return not_ready().empty() ? 1.0 : 0.0; });
    registry_.gauge_callback(
        "wiregate_spool_depth", "Spooled stories Kafka has not acknowledged",
        [this] { return spool_ ? static_cast<double>(spool_->depth()) : 0.0; });
    registry_.gauge_callback(
        "wiregate_spool_bytes", "Bytes of spool segment files on disk",
        [this] { return spool_ ? static_cast<double>(spool_->bytes()) : 0.0; });
    registry_.gauge_callback(
        "wiregate_spool_oldest_age_seconds", "Age of the oldest story Kafka has not acknowledged",
        [this] {
            auto oldest = spool_ ? spool_->oldest_pending_ms() : 0;
            return oldest == 0 ? 0.0 : static_cast<double>(wallclock::unix_ms() - oldest) / 1000.0;
        });
    registry_.gauge_callback("wiregate_spool_full", "1 when the spool refuses new stories",
                             [this] { return spool_ && spool_->full() ? 1.0 : 0.0; });
    registry_.gauge_callback(
        "wiregate_stories_held", "Embargoed stories held in the spool",
        [this] { return delivery_ ? static_cast<double>(delivery_->held()) : 0.0; });
    registry_.gauge_callback("wiregate_dedup_entries", "Story versions in the dedup window",
                             [this] { return dedup_ ? static_cast<double>(dedup_->size()) : 0.0; });
    // http_ is filled in start() before the admin listener serves a scrape, then left alone.
    registry_.gauge_callback("wiregate_http_open_connections", "Open ingest connections", [this] {
        double n = 0;
        for (const auto& s : http_) n += static_cast<double>(s->open_connections());
        return n;
    });
}

std::string gateway_service::open_spool() {
    auto cfg = config();
    pipeline::delivery_deps dd;
    dd.producer = [this] { return producer(); };
    dd.ack_wait = std::chrono::milliseconds(cfg->spool.ack_wait_ms);
    dd.kafka = producer_properties(*cfg);
    if (!cfg->spool.dir.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(cfg->spool.dir, ec);
        if (ec) return "spool.dir " + cfg->spool.dir + ": " + ec.message();
        spool::spool_options so;
        so.dir = cfg->spool.dir;
        so.max_bytes = cfg->spool.max_bytes;
        so.segment_bytes = cfg->spool.segment_bytes;
        so.fsync = cfg->spool.fsync == "never"      ? spool::fsync_policy::never
                   : cfg->spool.fsync == "interval" ? spool::fsync_policy::interval
                                                    : spool::fsync_policy::always;
        so.fsync_interval_ms = cfg->spool.fsync_interval_ms;
        spool::recovery_report report;
        std::string error;
        spool_ = spool::spool::open(so, report, error);
        if (!spool_) return "spool: " + error;
        for (const auto& p : report.problems)
            log::error(log::event("spool_corrupt").field("problem", p));
        log::info(log::event("spool_opened")
                      .field("dir", so.dir)
                      .field("segments", report.segments)
                      .field("pending", report.pending)
                      .field("corrupt_regions", report.corrupt_regions));
        auto id = spool_id(so.dir);
        if (id.empty()) return "spool.dir " + so.dir + ": cannot write spool.id";
        dd.record_prefix = id + ":";
        dd.spool = spool_.get();
        if (cfg->dedup.enabled) {
            dedup::dedup_options o;
            o.path = (std::filesystem::path(so.dir) / "dedup.log").string();
            o.max_entries = cfg->dedup.max_entries;
            o.window_ms = static_cast<std::int64_t>(cfg->dedup.window_hours) * 3600 * 1000;
            dedup_ = dedup::dedup_store::open(o, error);
            if (!dedup_) return "dedup: " + error;
        }
    } else if (cfg->dedup.enabled) {
        // No spool: the window lives in memory and does not survive a restart.
        dedup::dedup_options o;
        o.max_entries = cfg->dedup.max_entries;
        o.window_ms = static_cast<std::int64_t>(cfg->dedup.window_hours) * 3600 * 1000;
        std::string error;
        dedup_ = dedup::dedup_store::open(o, error);
        if (!dedup_) return "dedup: " + error;
    }
    dd.dedup = dedup_.get();
    delivery_ = std::make_unique<pipeline::delivery>(std::move(dd), registry_);
    pipeline::pipeline_deps deps;
    deps.router = [this] { return router(); };
    deps.deliver = delivery_.get();
    deps.dedup = dedup_.get();
    deps.can_hold = spool_ != nullptr;
    deps.gateway_instance = cfg->instance;
    deps.gateway_version = gateway::k_version;
    pipeline_ = std::make_unique<pipeline::pipeline>(std::move(deps), registry_);
    return {};
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
    auto props = producer_properties(*cfg);
    std::string error;
    auto p = producer::kafka_producer::create(
        props, error, [this](rd_kafka_resp_err_t err, const std::string& reason) {
            // librdkafka says so as soon as its last broker connection drops: readiness
            // follows at once rather than when the metadata goes stale.
            if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
                all_brokers_down_ = true;
                health_cv_.notify_all();
            }
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
    // Nothing here waits for Kafka: the producer connects in the background, the health thread
    // creates missing topics when Kafka answers, and the delivery replays the spool when it can
    // read the topics back. Meanwhile the listeners accept into the spool.
    if (auto err = build_producer(); !err.empty()) return err;
    if (auto err = open_spool(); !err.empty()) {
        std::lock_guard lk(mu_);
        producer_.reset();
        return err;
    }
    // What a previous run accepted but Kafka had not acknowledged goes first, before any new
    // story, so that versions stay in order (the delivery's gate).
    delivery_->load_spool();
    try {
        listeners::ingest_context ictx;
        ictx.config = [this] { return config(); };
        ictx.pipeline = pipeline_.get();
        ictx.unavailable = [this] { return unavailable(); };
        ingest_ = std::make_shared<listeners::ingest_handler>(std::move(ictx), registry_);
        listeners::http_server_limits lim{cfg->limits.max_header_bytes, cfg->limits.max_body_bytes,
                                          cfg->limits.read_timeout_ms, cfg->limits.idle_timeout_ms,
                                          cfg->limits.max_connections};
        // The ingest listeners count connections per address together; the admin port does not
        // (one scraper, on loopback unless allowed otherwise).
        auto ingest_lim = lim;
        ingest_lim.max_connections_per_address = cfg->limits.max_connections_per_address;
        auto per_address = std::make_shared<listeners::address_counts>();
        for (const auto& l : cfg->http) {
            listeners::tls_settings tls;
            if (l.tls) tls = listeners::make_tls_context(*l.tls, l.name);
            http_.push_back(std::make_shared<listeners::http_server>(
                io_, l.address, l.port, tls, ingest_, ingest_lim, l.name, per_address));
        }
        auto admin =
            std::make_shared<listeners::admin_handler>(registry_, [this] { return not_ready(); });
        admin_ = std::make_shared<listeners::http_server>(io_, cfg->admin.address, cfg->admin.port,
                                                          listeners::tls_settings{}, admin, lim,
                                                          "admin");
        auto smetrics = std::make_shared<listeners::stream_metrics>(registry_);
        listeners::stream_context sctx;  // one per-address count and frame budget for all
        sctx.config = [this] { return config(); };
        sctx.pipeline = pipeline_.get();
        registry_.gauge_callback(
            "wiregate_stream_open_frame_bytes",
            "Bytes of telex frames being received, over every stream connection",
            [budget = sctx.frame_bytes] { return static_cast<double>(budget->held()); });
        for (const auto& s : cfg->streams)
            streams_.push_back(
                std::make_shared<listeners::stream_listener>(io_, s, sctx, smetrics));
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
    health_thread_ = std::thread([this] { health_loop(); });
    io_.start();
    started_ = true;
    auto ev = log::event("started");
    ev.field("instance", cfg->instance).field("version", gateway::k_version);
    for (std::size_t i = 0; i < http_.size(); ++i)
        ev.field(http_[i]->name() + "_port", static_cast<int>(http_[i]->port()));
    ev.field("admin_port", static_cast<int>(admin_->port()));
    for (const auto& s : streams_)
        ev.field("stream_" + s->feed() + "_port", static_cast<int>(s->port()));
    log::info(ev);
    return {};
}

int gateway_service::run() {
    asio::signal_set signals(io_.first(), SIGINT, SIGTERM, SIGHUP);
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
    // Stories accepted behind the restart's gate were never produced: they wait in the spool.
    if (delivery_ && !delivery_->recovery_wait().empty()) clean = false;
    if (auto p = producer()) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (p->flush(std::max(left, 0ms)) != RD_KAFKA_RESP_ERR_NO_ERROR) clean = false;
    }
    // http_server::drain() only posts the close of idle keep-alive connections: let the I/O
    // threads run those closes before stopping them, or a client would never see its EOF.
    const auto closes_deadline = std::max(deadline, std::chrono::steady_clock::now() + 1s);
    auto open_http = [&] {
        std::size_t n = 0;
        for (auto& s : http_) n += s->open_connections();
        return n;
    };
    while (open_http() > 0 && std::chrono::steady_clock::now() < closes_deadline)
        std::this_thread::sleep_for(10ms);
    if (admin_) admin_->drain();
    stop_threads();
    if (pipeline_) pipeline_->stop();
    if (delivery_) delivery_->stop();
    {
        std::lock_guard lk(mu_);
        producer_.reset();  // closes: anything left is reported as failed, never dropped silently
    }
    // What Kafka did not acknowledge stays in the spool for the next start.
    spool_.reset();
    if (dedup_) dedup_->sync();
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
}

std::vector<config::config_problem> gateway_service::reload() {
    if (config_path_.empty()) return {{"", "no config file to reload"}};
    auto loaded = config::load_config(config_path_);
    if (!loaded.config) {
        registry_
            .counter("wiregate_config_reload_failures_total",
                     "Reloads refused because the config file had problems")
            .inc({});
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
    auto tls = reload_tls(*old, cfg);
    auto next = std::make_shared<config::gateway_config>(std::move(cfg));
    // Listeners and Kafka keep their running settings (but for the TLS files just reloaded);
    // feeds, routing and limits change now.
    next->http = old->http;
    for (std::size_t i = 0; i < next->http.size() && i < tls.size(); ++i)
        if (tls[i]) next->http[i].tls = tls[i];
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

std::vector<std::optional<config::tls_config>> gateway_service::reload_tls(
    const config::gateway_config& old, const config::gateway_config& cfg) {
    // The certificate, key and client CA files are read again into a new context that new
    // connections use; open connections keep theirs. Files that do not load leave the listener
    // on its old context: logged and counted, never fatal.
    auto& reloads = registry_.counter("wiregate_tls_reloads_total",
                                      "TLS contexts rebuilt on reload, per listener and result",
                                      {"listener", "result"});
    std::vector<std::optional<config::tls_config>> loaded(old.http.size());
    for (std::size_t i = 0; i < http_.size() && i < old.http.size() && i < cfg.http.size(); ++i) {
        if (!old.http[i].tls || !cfg.http[i].tls) continue;  // HTTP <-> HTTPS needs a restart
        const auto& name = old.http[i].name;
        try {
            http_[i]->set_tls(listeners::make_tls_context(*cfg.http[i].tls, name));
            loaded[i] = cfg.http[i].tls;
            reloads.inc({name, "ok"});
            log::info(log::event("tls_reloaded").field("listener", name));
        } catch (const std::exception& e) {
            reloads.inc({name, "error"});
            log::error(log::event("tls_reload_failed")
                           .field("listener", name)
                           .field("error", e.what())
                           .field("kept", "the previous certificate and client CA"));
        }
    }
    return loaded;
}

void gateway_service::health_loop() {
    std::unique_lock lk(health_mu_);
    while (!stopping_) {
        lk.unlock();
        check_health();
        lk.lock();
        auto period = std::chrono::milliseconds(std::max<std::uint32_t>(
            100, std::min<std::uint32_t>(config()->kafka.metadata_refresh_ms, 1000)));
        health_cv_.wait_for(lk, period);
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
        metadata_ok_ms_.load() != 0 && !all_brokers_down_)
        return;
    std::string error;
    // While every broker is down, ask often and briefly: readiness returns soon after Kafka.
    auto topics = producer::list_topics(p->handle(), all_brokers_down_ ? 1s : 5s, error);
    if (topics) all_brokers_down_ = false;
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

bool gateway_service::kafka_stale() const {
    if (all_brokers_down_) return true;
    const std::int64_t stale = 3 * static_cast<std::int64_t>(config()->kafka.metadata_refresh_ms);
    return metadata_ok_ms_.load() == 0 || steady_ms() - metadata_ok_ms_.load() > stale;
}

std::string gateway_service::unavailable() const {
    if (draining_) return "the gateway is draining";
    auto p = producer();
    if (!p || p->fatal() || rebuilding_) return "the Kafka producer failed and is being rebuilt";
    auto cfg = config();
    if (static_cast<std::size_t>(p->queue_depth()) >= cfg->limits.producer_queue_high_water)
        return "the Kafka producer queue is above its high-water mark";
    if (spool_ && spool_->full()) return "the spool is full";
    // With a spool, an absent Kafka is what the spool is for: keep accepting onto disk.
    if (!spool_ && kafka_stale()) return "Kafka is unreachable (no fresh metadata)";
    return {};
}

std::vector<std::string> gateway_service::not_ready() const {
    std::vector<std::string> reasons;
    if (auto why = unavailable(); !why.empty()) reasons.push_back(why);
    if (spool_ && kafka_stale() && reasons.empty())
        reasons.push_back("Kafka is unreachable (no fresh metadata); stories are spooled");
    if (delivery_)
        if (auto wait = delivery_->recovery_wait(); !wait.empty()) reasons.push_back(wait);
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

#pragma once
// gateway_service: everything `wiregate serve` runs, in one object so that tests can run it in
// process on ephemeral ports: the I/O threads, the ingest/admin/stream listeners, the pipeline,
// the shared producer (rebuilt after a fatal error), a health thread that keeps broker metadata
// fresh, SIGHUP reload and SIGTERM drain.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "config/config.hpp"
#include "dedup/dedup_store.hpp"
#include "listeners/io_pool.hpp"
#include "metrics/metrics.hpp"
#include "pipeline/delivery.hpp"
#include "pipeline/pipeline.hpp"
#include "producer/kafka_producer.hpp"
#include "routing/router.hpp"
#include "spool/spool.hpp"

namespace wire::listeners {
class http_server;
class stream_listener;
class ingest_handler;
}  // namespace wire::listeners

namespace wire::service {

class gateway_service {
  public:
    /// `config_path` is what reload() reads again ("" = reload impossible).
    gateway_service(config::gateway_config cfg, std::string config_path);
    ~gateway_service();
    gateway_service(const gateway_service&) = delete;
    gateway_service& operator=(const gateway_service&) = delete;

    /// Builds the producer, opens the spool, binds every listener and starts the threads,
    /// without waiting for Kafka: topics are created and the spool replayed in the background
    /// once Kafka answers (/readyz says what is awaited). Returns "" or what went wrong (then
    /// nothing is left running).
    std::string start();
    /// Installs SIGINT/SIGTERM (drain) and SIGHUP (reload) handlers; run() then blocks until a
    /// stop signal and drains. Returns the process exit status.
    int run();

    /// Drains and stops: stop accepting, finish in-flight work, flush the producer, all within
    /// drain_timeout_ms. Returns true when nothing was left unfinished. Idempotent.
    bool drain();
    /// Re-reads the config file: routing, feeds and credentials change in place without
    /// dropping connections, and HTTPS listeners load their certificate, key and client CA
    /// files again for new connections (a file that fails to load keeps the old ones: logged,
    /// counted in wiregate_tls_reloads_total{result="error"}); other listener and Kafka
    /// changes are logged as needing a restart.
    /// Returns the problems (empty = reloaded).
    std::vector<config::config_problem> reload();
    /// Same, from an already loaded config (tests).
    void apply(config::gateway_config cfg);

    /// Why the gateway is not ready (empty = ready): the body of /readyz.
    std::vector<std::string> not_ready() const;

    std::uint16_t http_port(std::size_t i = 0) const;
    std::uint16_t admin_port() const;
    std::uint16_t stream_port(const std::string& feed) const;
    metrics::registry& registry() { return registry_; }
    /// The producer in use now (it changes after a fatal error): for tests and diagnostics.
    std::shared_ptr<producer::kafka_producer> current_producer() const { return producer(); }

  private:
    std::shared_ptr<const config::gateway_config> config() const;
    std::shared_ptr<producer::kafka_producer> producer() const;
    std::shared_ptr<const routing::router> router() const;
    std::string build_producer();
    std::string unavailable() const;
    std::string open_spool();
    bool kafka_stale() const;  // no fresh broker metadata  // spool, dedup window and delivery; ""
                               // or what went wrong
    // New TLS contexts for the HTTPS listeners of `cfg`; the settings of each one loaded.
    std::vector<std::optional<config::tls_config>> reload_tls(const config::gateway_config& old,
                                                              const config::gateway_config& cfg);
    void health_loop();
    void check_health();
    void stop_threads();

    mutable std::mutex mu_;  // guards the three snapshots below
    std::shared_ptr<const config::gateway_config> config_;
    std::shared_ptr<const routing::router> router_;
    std::shared_ptr<producer::kafka_producer> producer_;
    std::string config_path_;

    metrics::registry registry_;
    // Declared so that the spool is destroyed before the delivery that its callbacks call.
    std::unique_ptr<dedup::dedup_store> dedup_;
    std::unique_ptr<pipeline::delivery> delivery_;
    std::unique_ptr<spool::spool> spool_;
    std::unique_ptr<pipeline::pipeline> pipeline_;
    listeners::io_pool io_{std::max(2u, std::thread::hardware_concurrency())};
    std::shared_ptr<listeners::ingest_handler> ingest_;
    std::vector<std::shared_ptr<listeners::http_server>> http_;
    std::shared_ptr<listeners::http_server> admin_;
    std::vector<std::shared_ptr<listeners::stream_listener>> streams_;

    // Health: written by the health thread, read by not_ready()/unavailable().
    std::thread health_thread_;
    std::condition_variable health_cv_;
    mutable std::mutex health_mu_;
    bool stopping_ = false;
    std::atomic<std::int64_t> metadata_ok_ms_{0};  // steady-clock ms of the last good fetch
    std::atomic<bool> all_brokers_down_{false};    // librdkafka said so; cleared by a fetch
    std::vector<std::string> missing_topics_;      // guarded by health_mu_
    std::string kafka_error_;                      // guarded by health_mu_
    std::atomic<bool> rebuilding_{false};
    std::atomic<bool> draining_{false};
    std::atomic<bool> drained_{false};
    bool started_ = false;
};

}  // namespace wire::service

#pragma once
// The gateway side of a fault scenario: the real `wiregate serve` binary as a child process
// with a generated YAML config, killable with -9 and restartable on the same config (same
// ports, same spool folder), stopped by the destructor even when an assertion failed.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>

namespace wire::faults {

/// A port that was free a moment ago (bound to 0 and closed). Fixed ports rather than port 0 in
/// the config because a restarted gateway must come back where the senders are knocking.
std::uint16_t free_port();

// ---------------------------------------------------------------------------------------------
// The gateway's `spool:` section for a scenario (segments kept small so that a full disk gets
// its space back as Kafka acknowledges).
// ---------------------------------------------------------------------------------------------
std::string spool_section(const std::string& dir, std::uint64_t max_bytes);
/// True when spool_section() returns a section (the gateway under test has a spool).
bool spool_enabled();

struct gateway_options {
    std::string scenario;  // the gateway's instance name
    std::string brokers;
    std::string topic;    // the scenario topic: allow-listed and the default route
    int replication = 1;  // for the topics the gateway creates itself (wire.rejected)
    std::filesystem::path spool_dir;
    std::uint64_t spool_max_bytes = 1ull << 30;
    bool create_topics = true;  // false: the production configs' way (topics made by the test)
};

/// The feed every scenario pushes to, and its API key.
inline constexpr const char* k_feed = "faults";
inline constexpr const char* k_api_key = "faults-dev-key";

class gateway_process {
  public:
    /// Picks the ports and writes <dir>/config.yaml; start() runs it.
    gateway_process(const std::filesystem::path& dir, const gateway_options& opts);
    ~gateway_process();
    gateway_process(const gateway_process&) = delete;
    gateway_process& operator=(const gateway_process&) = delete;

    /// Spawns `wiregate serve` and waits up to `timeout` for GET /readyz 200 on the admin port.
    /// Throws with the log's tail when it exits or is not ready in time.
    void start(std::chrono::seconds timeout = std::chrono::seconds(60));
    /// Spawns it and waits only until its listeners answer (GET /healthz 200): what a sender
    /// needs, whether or not Kafka is reachable.
    void start_listening(std::chrono::seconds timeout = std::chrono::seconds(60));
    /// GET /readyz now: status (0 when not listening) and body.
    std::pair<int, std::string> readyz();
    /// kill -9, then reaps it.
    void kill9();
    /// SIGTERM (drain), then SIGKILL after 30 s; returns the exit status (-1 if killed).
    int stop();
    bool running();

    std::uint16_t ingest_port() const { return ingest_port_; }
    std::uint16_t admin_port() const { return admin_port_; }
    std::filesystem::path config_path() const { return dir_ / "config.yaml"; }
    std::filesystem::path log_path() const { return dir_ / "gateway.log"; }
    std::string log_tail(std::size_t bytes = 4000) const;

  private:
    void spawn();
    void wait_for_admin(const std::string& path, std::chrono::seconds timeout);
    std::filesystem::path dir_;
    std::uint16_t ingest_port_ = 0, admin_port_ = 0;
    pid_t pid_ = -1;
};

}  // namespace wire::faults

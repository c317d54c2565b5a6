#pragma once
// The gateway side of a fault scenario: the real `wiregate serve` binary as a child process
// with a generated YAML config, killable with -9 and restartable on the same config (same
// ports, same spool folder), stopped by the destructor even when an assertion failed.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

namespace wire::faults {

/// A port that was free a moment ago (bound to 0 and closed). Fixed ports rather than port 0 in
/// the config because a restarted gateway must come back where the senders are knocking.
std::uint16_t free_port();

// ---------------------------------------------------------------------------------------------
// SPOOL SWITCH. The `spool:` config section of the durable spool being built on the delivery
// branch. It returns "" for now: the binary this branch builds does not know the key yet, and
// `check-config` refuses unknown keys. When the spool lands, return the section below (and only
// here): the scenarios then run with it, and SpoolDiskFillsUp can pass.
//
//   spool:
//     dir: <dir>
//     max_bytes: <max_bytes>
//     fsync: always        # always | interval | never
//     ack_wait_ms: 2000    # a request waits this long for Kafka, then answers "spooled" (2xx)
//
// The delivery branch's spool also reads segment_bytes (default 64 MiB). Should it reserve
// whole segments up front, SpoolDiskFillsUp's 4 MiB tmpfs needs `segment_bytes: 1048576` here
// too, or the disk is "full" before the first story.
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
};

/// The feed every scenario pushes to, and its API key.
inline constexpr const char* k_feed = "faults";
inline constexpr const char* k_api_key = "faults-dev-key";

class gateway_process {
  public:
    /// Picks the ports and writes <dir>/gateway.yaml; start() runs it.
    gateway_process(const std::filesystem::path& dir, const gateway_options& opts);
    ~gateway_process();
    gateway_process(const gateway_process&) = delete;
    gateway_process& operator=(const gateway_process&) = delete;

    /// Spawns `wiregate serve` and waits up to `timeout` for GET /readyz 200 on the admin port.
    /// Throws with the log's tail when it exits or is not ready in time.
    void start(std::chrono::seconds timeout = std::chrono::seconds(60));
    /// kill -9, then reaps it.
    void kill9();
    /// SIGTERM (drain), then SIGKILL after 30 s; returns the exit status (-1 if killed).
    int stop();
    bool running();

    std::uint16_t ingest_port() const { return ingest_port_; }
    std::uint16_t admin_port() const { return admin_port_; }
    std::filesystem::path config_path() const { return dir_ / "gateway.yaml"; }
    std::filesystem::path log_path() const { return dir_ / "gateway.log"; }
    std::string log_tail(std::size_t bytes = 4000) const;

  private:
    std::filesystem::path dir_;
    std::uint16_t ingest_port_ = 0, admin_port_ = 0;
    pid_t pid_ = -1;
};

}  // namespace wire::faults

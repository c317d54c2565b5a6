#include "gateway_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "gateway_test_env.hpp"

namespace wire::faults {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::uint16_t free_port() {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor a(
        io, {boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(0)});
    return a.local_endpoint().port();
}

std::string spool_section(const std::string& dir, std::uint64_t max_bytes) {
    // Small segments: acknowledged ones are deleted as the broker catches up, so a spool on a
    // full disk gets its space back (the active segment is never deleted).
    return "spool:\n  dir: " + dir + "\n  max_bytes: " + std::to_string(max_bytes) +
           "\n  segment_bytes: 262144\n  fsync: always\n  ack_wait_ms: 2000\n";
}

bool spool_enabled() { return !spool_section("/", 1).empty(); }

namespace {

// log_level info: one `story` line per item, which is what one reads after a failed count.
// publish_timeout_ms stays at the production default so that an outage shorter than it is ridden
// out inside the producer; retry_after_seconds 1 because our senders retry sooner anyway.
constexpr const char* k_config_template =
    R"(gateway: {instance: faults-@SCENARIO@, log_level: info, drain_timeout_ms: 10000}
listeners:
  http: [{name: ingest, address: 127.0.0.1, port: @INGEST@}]
  admin: {address: 127.0.0.1, port: @ADMIN@}
feeds:
  - id: @FEED@
    agency: faults
    format: ninjs
    profile: generic
    auth: {api_keys: [{value: @KEY@}]}
routing:
  topics: [@TOPIC@, wire.rejected]
  default_topics: [@TOPIC@]
  rejected_topic: wire.rejected
kafka:
  brokers: @BROKERS@
  create_topics: {partitions: 3, replication_factor: @RF@}
  metadata_refresh_ms: 2000
limits:
  publish_timeout_ms: 30000
  retry_after_seconds: 1
)";

std::string config_yaml(const gateway_options& o, std::uint16_t ingest, std::uint16_t admin) {
    std::string y = k_config_template;
    const std::pair<std::string, std::string> vars[] = {{"@SCENARIO@", o.scenario},
                                                        {"@INGEST@", std::to_string(ingest)},
                                                        {"@ADMIN@", std::to_string(admin)},
                                                        {"@FEED@", k_feed},
                                                        {"@KEY@", k_api_key},
                                                        {"@TOPIC@", o.topic},
                                                        {"@BROKERS@", o.brokers},
                                                        {"@RF@", std::to_string(o.replication)}};
    for (const auto& [name, value] : vars)
        for (auto at = y.find(name); at != std::string::npos; at = y.find(name, at + value.size()))
            y.replace(at, name.size(), value);
    if (!o.create_topics) {
        const auto at = y.find("  create_topics:");
        y.erase(at, y.find('\n', at) + 1 - at);
    }
    return y + spool_section(o.spool_dir.string(), o.spool_max_bytes);
}

}  // namespace

gateway_process::gateway_process(const fs::path& dir, const gateway_options& opts)
    : dir_(dir), ingest_port_(free_port()), admin_port_(free_port()) {
    while (admin_port_ == ingest_port_) admin_port_ = free_port();
    fs::create_directories(dir_);
    std::ofstream(config_path(), std::ios::trunc) << config_yaml(opts, ingest_port_, admin_port_);
}

gateway_process::~gateway_process() {
    if (pid_ > 0) stop();
}

void gateway_process::start(std::chrono::seconds timeout) {
    spawn();
    wait_for_admin("/readyz", timeout);
}

void gateway_process::start_listening(std::chrono::seconds timeout) {
    spawn();
    wait_for_admin("/healthz", timeout);
}

std::pair<int, std::string> gateway_process::readyz() {
    try {
        testing::http_client admin(admin_port_);
        auto r = admin.request("GET", "/readyz", "");
        return {r.status, r.body};
    } catch (const std::exception&) {
        return {0, ""};
    }
}

void gateway_process::spawn() {
    if (pid_ > 0) throw std::runtime_error("gateway already running");
    // Everything the child needs is prepared before fork(): the test is multi-threaded (the
    // senders keep going while the gateway restarts), so the child may only exec.
    const std::string bin = WIREGATE_BINARY, cfg = config_path().string();
    const char* argv[] = {bin.c_str(), "serve", "--config", cfg.c_str(), nullptr};
    // A file, not a pipe: thousands of log lines under load would fill an unread pipe and stall
    // the gateway. O_APPEND keeps the log of every run of this gateway.
    int log = ::open(log_path().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log < 0) throw std::runtime_error("cannot open " + log_path().string());
    const pid_t parent = getpid();
    pid_ = fork();
    if (pid_ == 0) {
        // Dies with the test (even a ctest timeout's SIGKILL) instead of holding the ports.
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);
        dup2(log, STDOUT_FILENO);
        dup2(log, STDERR_FILENO);
        execv(bin.c_str(), const_cast<char* const*>(argv));
        _exit(127);
    }
    ::close(log);
    if (pid_ < 0) throw std::runtime_error("fork failed");
}

void gateway_process::wait_for_admin(const std::string& path, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (!running())
            throw std::runtime_error("wiregate serve exited during start-up; log:\n" + log_tail());
        try {
            testing::http_client admin(admin_port_);
            if (admin.request("GET", path, "").status == 200) return;
        } catch (const std::exception&) {
            // not listening yet
        }
        if (std::chrono::steady_clock::now() > deadline)
            throw std::runtime_error("wiregate: no 200 on " + path + " within " +
                                     std::to_string(timeout.count()) + " s; log:\n" + log_tail());
        std::this_thread::sleep_for(20ms);  // poll interval of a bounded wait
    }
}

void gateway_process::kill9() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
}

int gateway_process::stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            kill9();
            return -1;
        }
        std::this_thread::sleep_for(20ms);
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool gateway_process::running() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
    }
    return true;
}

std::string gateway_process::log_tail(std::size_t bytes) const {
    std::ifstream in(log_path(), std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    return s.size() > bytes ? s.substr(s.size() - bytes) : s;
}

}  // namespace wire::faults

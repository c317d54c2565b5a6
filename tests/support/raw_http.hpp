#pragma once
// Raw-socket helpers for the hostile-input catalogue (tests/integration/hostile_*_test.cpp):
// a client that sends exactly the bytes given (broken requests a real HTTP client would never
// write) and reads back what the server answers, the value of one Prometheus sample, and the
// memory figures of a process.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "gateway_test_env.hpp"

namespace wire::testing {

/// One TCP connection to 127.0.0.1:<port>, with blocking sends and reads bounded by poll(2).
class raw_client {
  public:
    explicit raw_client(std::uint16_t port);
    /// The same from another source address: any of 127.0.0.0/8 is this host on Linux, so
    /// tests can be several clients ("127.0.0.2") for per-address limits.
    raw_client(std::uint16_t port, const std::string& from);
    ~raw_client();
    raw_client(const raw_client&) = delete;
    raw_client& operator=(const raw_client&) = delete;
    raw_client(raw_client&& o) noexcept;

    /// Sends all bytes; false when the server closed or reset the connection first.
    bool send(std::string_view bytes);
    /// The next HTTP response on the connection (status 0: none came before EOF or `timeout`).
    /// Pipelined answers are read one call each.
    http_answer read_answer(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    /// True when the server closes (EOF or reset) within `timeout`; bytes it sends meanwhile
    /// are kept for read_answer().
    bool closed_by_server(std::chrono::milliseconds timeout);
    bool connected() const { return fd_ >= 0; }

  private:
    // Reads what is there into in_; false at EOF/reset or when nothing came before `deadline`.
    bool fill(std::chrono::steady_clock::time_point deadline);
    int fd_ = -1;
    bool eof_ = false;
    std::string in_;
};

/// Sends `bytes` on a fresh connection and reads the first answer.
http_answer raw_exchange(std::uint16_t port, std::string_view bytes,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10));
/// The same from source address `from`.
http_answer raw_exchange_from(const std::string& from, std::uint16_t port, std::string_view bytes,
                              std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// "POST <target> HTTP/1.1" with Host, the given header lines (each "Name: value") and a
/// Content-Length for `body`.
std::string raw_post(std::string_view target, std::string_view header_lines, std::string_view body);

/// The value of the sample `series` (`name{label="v",…}` exactly as rendered) in Prometheus
/// text, 0 when the series is absent.
double metric_value(const std::string& text, const std::string& series);

/// A field of /proc/<pid>/status in KiB ("VmRSS", "VmHWM"), -1 when unreadable.
long proc_status_kib(pid_t pid, const char* field);

}  // namespace wire::testing

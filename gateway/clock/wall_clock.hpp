#pragma once
// The gateway's one wall clock: every received_at, dedup and spool timestamp, HMAC window and
// embargo check reads it, in milliseconds, and received_at is always RFC 3339 with milliseconds.
// Tests freeze it (frozen_wall_clock) to make times deterministic. Intervals and deadlines
// (timeouts, drains) measure with std::chrono::steady_clock instead, which no test needs to move.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace wire::wallclock {

namespace detail {
inline std::atomic<std::int64_t> frozen_ms{-1};  // -1: the system clock runs
}

/// Milliseconds since the Unix epoch.
inline std::int64_t unix_ms() {
    const std::int64_t frozen = detail::frozen_ms.load(std::memory_order_relaxed);
    if (frozen >= 0) return frozen;
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// Whole seconds since the Unix epoch.
inline std::int64_t unix_s() { return unix_ms() / 1000; }

/// "2026-12-06T23:29:21.123Z" for a time in Unix milliseconds.
std::string rfc3339_ms(std::int64_t unix_ms);

/// rfc3339_ms(unix_ms()): what received_at carries.
inline std::string now_rfc3339_ms() { return rfc3339_ms(unix_ms()); }

/// Stops the clock at `unix_ms` for its lifetime (tests); advance() moves it on.
class frozen_wall_clock {
  public:
    explicit frozen_wall_clock(std::int64_t unix_ms) { detail::frozen_ms.store(unix_ms); }
    ~frozen_wall_clock() { detail::frozen_ms.store(-1); }
    frozen_wall_clock(const frozen_wall_clock&) = delete;
    frozen_wall_clock& operator=(const frozen_wall_clock&) = delete;
    void advance(std::chrono::milliseconds by) { detail::frozen_ms.fetch_add(by.count()); }
};

}  // namespace wire::wallclock

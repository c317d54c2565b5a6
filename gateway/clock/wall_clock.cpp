#include "clock/wall_clock.hpp"

#include <cstdio>

#include "core/datetime.hpp"

namespace wire::wallclock {

std::string rfc3339_ms(std::int64_t unix_ms) {
    const std::int64_t seconds = unix_ms >= 0 ? unix_ms / 1000 : (unix_ms - 999) / 1000;
    const int millis = static_cast<int>(unix_ms - seconds * 1000);
    std::string s = adapters::utc_time::from_epoch(seconds).rfc3339();  // …:SSZ
    char frac[8];
    std::snprintf(frac, sizeof frac, ".%03dZ", millis);
    s.pop_back();
    return s + frac;
}

}  // namespace wire::wallclock

// The gateway's one wall clock: milliseconds, RFC 3339 with milliseconds, frozen by tests.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>

#include "clock/wall_clock.hpp"

using namespace wire::wallclock;

namespace {

TEST(WallClock, Rfc3339HasMillisecondsAndUtc) {
    EXPECT_EQ(rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
    EXPECT_EQ(rfc3339_ms(1796600531526), "2026-12-06T23:42:11.526Z");
    EXPECT_EQ(rfc3339_ms(1796600531005), "2026-12-06T23:42:11.005Z");
}

TEST(WallClock, AFrozenClockStandsStillAndMovesOnlyWhenAdvanced) {
    {
        frozen_wall_clock frozen(1796600531526);
        EXPECT_EQ(unix_ms(), 1796600531526);
        EXPECT_EQ(unix_s(), 1796600531);
        EXPECT_EQ(now_rfc3339_ms(), "2026-12-06T23:42:11.526Z");
        frozen.advance(std::chrono::milliseconds(1500));
        EXPECT_EQ(now_rfc3339_ms(), "2026-12-06T23:42:13.026Z");
    }
    // Thawed: the system clock again.
    const auto system = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    EXPECT_LE(std::abs(unix_ms() - system), 1000);
}

}  // namespace

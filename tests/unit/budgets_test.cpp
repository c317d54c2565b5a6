// The listeners' shares (listeners/budgets.hpp): connections per address, body bytes per feed
// and per address with each feed's floor, bytes of open telex frames.
#include <gtest/gtest.h>

#include "listeners/budgets.hpp"

using namespace wire::listeners;

namespace {

constexpr std::size_t k_mib = 1u << 20;

// 40 MiB in all, 3 feeds with a 4 MiB floor each: 28 MiB shared above the floors.
byte_limits limits(std::size_t per_feed = 64 * k_mib, std::size_t per_address = 64 * k_mib) {
    return {40 * k_mib, per_feed, per_address, 4 * k_mib, 3};
}

TEST(AddressCounts, CapsEachAddressAndFreesOnRemove) {
    address_counts c;
    EXPECT_TRUE(c.try_add("10.0.0.1", 2));
    EXPECT_TRUE(c.try_add("10.0.0.1", 2));
    EXPECT_FALSE(c.try_add("10.0.0.1", 2));
    EXPECT_TRUE(c.try_add("10.0.0.2", 2));
    c.remove("10.0.0.1");
    EXPECT_EQ(c.count("10.0.0.1"), 1u);
    EXPECT_TRUE(c.try_add("10.0.0.1", 2));
    c.remove("10.0.0.2");
    EXPECT_EQ(c.count("10.0.0.2"), 0u);
}

TEST(ByteBudget, AFeedUnderItsFloorIsNeverRefusedForWhatOthersHold) {
    byte_budget b;
    // Feed a takes everything it can: its floor and the whole shared rest.
    EXPECT_TRUE(b.reserve("a", "1", 32 * k_mib, limits()));
    EXPECT_FALSE(b.reserve("a", "1", 1, limits()));
    // b and c still have their floors, to the byte.
    EXPECT_TRUE(b.reserve("b", "2", 4 * k_mib, limits()));
    EXPECT_FALSE(b.reserve("b", "2", 1, limits()));
    EXPECT_TRUE(b.reserve("c", "3", 4 * k_mib, limits()));
    EXPECT_EQ(b.held(), 40 * k_mib);
    // What a frees, the others may take above their floors.
    b.release("a", "1", 10 * k_mib);
    EXPECT_TRUE(b.reserve("b", "2", 10 * k_mib, limits()));
    EXPECT_FALSE(b.reserve("c", "3", 1, limits()));
    EXPECT_EQ(b.held_by_feed("b"), 14 * k_mib);
}

TEST(ByteBudget, PerFeedAndPerAddressCapsHold) {
    byte_budget b;
    EXPECT_TRUE(b.reserve("a", "1", 10 * k_mib, limits(12 * k_mib)));
    EXPECT_FALSE(b.reserve("a", "2", 3 * k_mib, limits(12 * k_mib)));  // per feed
    EXPECT_TRUE(b.reserve("b", "1", 6 * k_mib, limits(64 * k_mib, 16 * k_mib)));
    EXPECT_FALSE(b.reserve("c", "1", 1 * k_mib, limits(64 * k_mib, 16 * k_mib)));  // address
    EXPECT_TRUE(b.reserve("c", "2", 1 * k_mib, limits(64 * k_mib, 16 * k_mib)));
    b.release("a", "1", 10 * k_mib);
    b.release("b", "1", 6 * k_mib);
    b.release("c", "2", 1 * k_mib);
    EXPECT_EQ(b.held(), 0u);
}

TEST(ByteBudget, FloorsNeverSetAsideMoreThanTheTotal) {
    byte_budget b;
    // 10 feeds with a 4 MiB floor in 20 MiB: each has 2 MiB it can always take.
    const byte_limits many{20 * k_mib, 64 * k_mib, 64 * k_mib, 4 * k_mib, 10};
    EXPECT_TRUE(b.reserve("a", "1", 2 * k_mib, many));
    EXPECT_FALSE(b.reserve("a", "1", 1, many));
}

TEST(FrameBudget, RefusesPastTheLimitAndGivesBack) {
    frame_budget f;
    EXPECT_TRUE(f.reserve(60, 100));
    EXPECT_FALSE(f.reserve(41, 100));
    EXPECT_TRUE(f.reserve(40, 100));
    f.release(100);
    EXPECT_EQ(f.held(), 0u);
}

}  // namespace

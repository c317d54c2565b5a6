#include <gtest/gtest.h>

#include "core/story_errc.hpp"

namespace {
using wire::adapters::story_errc;

TEST(StoryErrc, NamesAreStableSnakeCase) {
    EXPECT_EQ(wire::adapters::to_string(story_errc::malformed), "malformed");
    EXPECT_EQ(wire::adapters::to_string(story_errc::missing_required), "missing_required");
    EXPECT_EQ(wire::adapters::to_string(story_errc::bad_charset), "bad_charset");
    EXPECT_EQ(wire::adapters::to_string(story_errc::too_large), "too_large");
}

TEST(StoryErrc, ConvertsToErrorCodeOfItsOwnCategory) {
    std::error_code ec = story_errc::unsupported;
    EXPECT_TRUE(ec);
    EXPECT_EQ(ec.category().name(), std::string("wire.story"));
    EXPECT_EQ(ec.message(), "unsupported");
    EXPECT_FALSE(std::error_code(story_errc::ok));
}
}  // namespace

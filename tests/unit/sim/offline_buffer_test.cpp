#include "firmware-sim/offline_buffer.hpp"

#include <gtest/gtest.h>

namespace sy::sim {
namespace {

TEST(OfflineBuffer, KeepsOrderAndEmptiesOnTake) {
    OfflineBuffer b(10);
    EXPECT_TRUE(b.push("a"));
    EXPECT_TRUE(b.push("b"));
    EXPECT_TRUE(b.push("c"));
    EXPECT_EQ(b.size(), 3u);
    auto all = b.take_all();
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0], "a");
    EXPECT_EQ(all[2], "c");
    EXPECT_EQ(b.size(), 0u);
    EXPECT_TRUE(b.take_all().empty());
}

TEST(OfflineBuffer, FullDropsTheOldest) {
    OfflineBuffer b(2);
    b.push("1");
    b.push("2");
    EXPECT_FALSE(b.push("3"));
    EXPECT_EQ(b.dropped(), 1u);
    auto all = b.take_all();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0], "2");
    EXPECT_EQ(all[1], "3");
}

TEST(OfflineBuffer, ZeroCapacityKeepsNothing) {
    OfflineBuffer b(0);
    EXPECT_FALSE(b.push("x"));
    EXPECT_EQ(b.size(), 0u);
    EXPECT_EQ(b.dropped(), 1u);
}

}  // namespace
}  // namespace sy::sim

#include "firmware-sim/timer_queue.hpp"

#include <gtest/gtest.h>

namespace sy::sim {
namespace {

using Clock = TimerQueue::Clock;
using std::chrono::milliseconds;

TEST(TimerQueue, PopsInTimeOrderOnlyWhenDue) {
    TimerQueue q(3);
    const Clock::time_point t0{};
    q.schedule(0, t0 + milliseconds(30));
    q.schedule(1, t0 + milliseconds(10));
    q.schedule(2, t0 + milliseconds(20));
    EXPECT_EQ(q.next(), t0 + milliseconds(10));
    EXPECT_FALSE(q.pop_due(t0 + milliseconds(5)));
    EXPECT_EQ(q.pop_due(t0 + milliseconds(25)), 1u);
    EXPECT_EQ(q.pop_due(t0 + milliseconds(25)), 2u);
    EXPECT_FALSE(q.pop_due(t0 + milliseconds(25)));
    EXPECT_EQ(q.pop_due(t0 + milliseconds(30)), 0u);
    EXPECT_EQ(q.next(), Clock::time_point::max());
}

TEST(TimerQueue, RescheduleReplacesTheEarlierWish) {
    TimerQueue q(2);
    const Clock::time_point t0{};
    q.schedule(0, t0 + milliseconds(10));
    q.schedule(0, t0 + milliseconds(50));
    q.schedule(1, t0 + milliseconds(20));
    EXPECT_EQ(q.pop_due(t0 + milliseconds(30)), 1u);
    EXPECT_FALSE(q.pop_due(t0 + milliseconds(30)));  // device 0's old 10 ms entry is stale
    EXPECT_EQ(q.next(), t0 + milliseconds(50));
    q.schedule(0, Clock::time_point::max());
    EXPECT_EQ(q.next(), Clock::time_point::max());
}

TEST(TimerQueue, BackAndForthDoesNotPopTwice) {
    TimerQueue q(1);
    const Clock::time_point t0{};
    q.schedule(0, t0 + milliseconds(10));
    q.schedule(0, t0 + milliseconds(20));
    q.schedule(0, t0 + milliseconds(10));
    EXPECT_EQ(q.pop_due(t0 + milliseconds(100)), 0u);
    EXPECT_FALSE(q.pop_due(t0 + milliseconds(100)));
}

}  // namespace
}  // namespace sy::sim

#include "firmware-sim/backoff.hpp"

#include <gtest/gtest.h>

#include <set>

namespace sy::sim {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, DoublesWithinHalfToFullStepUpToTheCap) {
    Backoff b(milliseconds(100), milliseconds(1000), 1);
    const std::int64_t steps[] = {100, 200, 400, 800, 1000, 1000, 1000};
    for (std::int64_t step : steps) {
        const auto d = b.next().count();
        EXPECT_GE(d, step / 2) << "step " << step;
        EXPECT_LE(d, step) << "step " << step;
    }
    EXPECT_EQ(b.attempts(), 7u);
}

TEST(Backoff, ResetStartsOver) {
    Backoff b(milliseconds(100), milliseconds(10000), 1);
    for (int i = 0; i < 5; ++i) b.next();
    b.reset();
    EXPECT_LE(b.next().count(), 100);
}

TEST(Backoff, JitterSpreadsDevicesApart) {
    std::set<std::int64_t> first_delays;
    for (std::uint64_t seed = 0; seed < 50; ++seed) {
        Backoff b(milliseconds(1000), milliseconds(30000), seed);
        first_delays.insert(b.next().count());
    }
    EXPECT_GT(first_delays.size(), 40u);
}

TEST(Backoff, ManyFailuresDoNotOverflow) {
    Backoff b(milliseconds(500), milliseconds(30000), 3);
    for (int i = 0; i < 200; ++i) {
        const auto d = b.next().count();
        EXPECT_GT(d, 0);
        EXPECT_LE(d, 30000);
    }
}

TEST(Backoff, SameSeedSameDelays) {
    Backoff a(milliseconds(100), milliseconds(5000), 11);
    Backoff b(milliseconds(100), milliseconds(5000), 11);
    for (int i = 0; i < 10; ++i) EXPECT_EQ(a.next(), b.next());
}

}  // namespace
}  // namespace sy::sim

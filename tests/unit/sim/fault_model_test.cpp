#include "firmware-sim/fault_model.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace sy::sim {
namespace {

Reading at(double t, double temp = 21.0, double hum = 45.0) {
    return Reading{temp, hum, 90.0, t};
}

TEST(FaultModel, NoProbabilitiesNoFaults) {
    FaultModel f(FaultParams{}, 1);
    for (int i = 0; i < 1000; ++i) {
        auto r = f.apply(at(i, 20 + i * 0.01));
        ASSERT_TRUE(r);
        EXPECT_EQ(r->temp_c, 20 + i * 0.01);
    }
    EXPECT_EQ(f.started(), 0u);
}

TEST(FaultModel, StuckRepeatsTheFirstValuesUntilItEnds) {
    FaultModel f(FaultParams{}, 1);
    f.force(FaultKind::Stuck, 10, 100);
    EXPECT_EQ(f.active(100), FaultKind::Stuck);
    auto first = f.apply(at(100, 21.5, 40));
    auto later = f.apply(at(105, 25.0, 50));
    ASSERT_TRUE(first && later);
    EXPECT_EQ(later->temp_c, 21.5);
    EXPECT_EQ(later->hum_pct, 40);
    EXPECT_EQ(later->time_s, 105);  // the clock goes on
    auto after = f.apply(at(110, 25.0, 50));
    ASSERT_TRUE(after);
    EXPECT_EQ(after->temp_c, 25.0);
    EXPECT_EQ(f.active(110), FaultKind::None);
}

TEST(FaultModel, SingleSpikeHitsOneReading) {
    FaultParams p;
    p.spike_magnitude_c = 15;
    FaultModel f(p, 1);
    f.force(FaultKind::Spike, 0, 100);
    auto spiked = f.apply(at(100));
    ASSERT_TRUE(spiked);
    EXPECT_NEAR(std::abs(spiked->temp_c - 21.0), 15.0, 1e-9);
    auto next = f.apply(at(101));
    ASSERT_TRUE(next);
    EXPECT_EQ(next->temp_c, 21.0);
}

TEST(FaultModel, DropoutPublishesNothingForItsDuration) {
    FaultModel f(FaultParams{}, 1);
    f.force(FaultKind::Dropout, 5, 0);
    EXPECT_FALSE(f.apply(at(0)));
    EXPECT_FALSE(f.apply(at(4.9)));
    EXPECT_TRUE(f.apply(at(5)));
}

TEST(FaultModel, NoneClearsAForcedFault) {
    FaultModel f(FaultParams{}, 1);
    f.force(FaultKind::Dropout, 100, 0);
    f.force(FaultKind::None, 0, 1);
    EXPECT_TRUE(f.apply(at(2)));
}

TEST(FaultModel, RandomFaultsStartAtAboutTheirProbability) {
    FaultParams p;
    p.spike_probability = 0.01;
    FaultModel f(p, 9);
    int spikes = 0;
    const int n = 100000;
    for (int i = 0; i < n; ++i) {
        auto r = f.apply(at(i));
        ASSERT_TRUE(r);
        if (r->temp_c != 21.0) ++spikes;
    }
    EXPECT_EQ(static_cast<std::uint64_t>(spikes), f.started());
    EXPECT_NEAR(spikes, n * 0.01, n * 0.01 * 0.15);
}

TEST(FaultModel, SameSeedSameFaults) {
    FaultParams p;
    p.stuck_probability = 0.05;
    p.spike_probability = 0.05;
    p.dropout_probability = 0.05;
    p.stuck_duration_s = 3;
    p.dropout_duration_s = 3;
    FaultModel a(p, 5);
    FaultModel b(p, 5);
    for (int i = 0; i < 2000; ++i) {
        auto ra = a.apply(at(i, 20 + (i % 7)));
        auto rb = b.apply(at(i, 20 + (i % 7)));
        ASSERT_EQ(ra.has_value(), rb.has_value());
        if (ra) {
            EXPECT_EQ(ra->temp_c, rb->temp_c);
        }
    }
    EXPECT_GT(a.started(), 100u);
}

TEST(FaultModel, KindNames) {
    EXPECT_EQ(fault_kind_from("stuck"), FaultKind::Stuck);
    EXPECT_EQ(fault_kind_from("none"), FaultKind::None);
    EXPECT_FALSE(fault_kind_from("melted"));
    EXPECT_EQ(to_string(FaultKind::Dropout), "dropout");
}

}  // namespace
}  // namespace sy::sim

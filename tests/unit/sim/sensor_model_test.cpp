#include "firmware-sim/sensor_model.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace sy::sim {
namespace {

// 2023-11-14 00:00:00 UTC: a day boundary, so day fractions are easy to place.
constexpr double kMidnight = 1699920000;

SensorParams quiet() {
    SensorParams p;
    p.temp_noise_c = 0;
    p.hum_noise_pct = 0;
    p.temp_spread_c = 0;
    p.hum_spread_pct = 0;
    p.temp_drift_c_per_h = 0;
    p.hum_drift_pct_per_h = 0;
    p.battery_spread_pct = 0;
    return p;
}

TEST(SensorModel, SameSeedSameReadings) {
    SensorModel a(SensorParams{}, 42, kMidnight);
    SensorModel b(SensorParams{}, 42, kMidnight);
    SensorModel c(SensorParams{}, 43, kMidnight);
    bool differs = false;
    for (int i = 0; i < 50; ++i) {
        const double t = kMidnight + i * 10.0;
        Reading ra = a.sample(t);
        Reading rb = b.sample(t);
        Reading rc = c.sample(t);
        EXPECT_EQ(ra.temp_c, rb.temp_c);
        EXPECT_EQ(ra.hum_pct, rb.hum_pct);
        EXPECT_EQ(ra.battery_pct, rb.battery_pct);
        differs = differs || ra.temp_c != rc.temp_c;
    }
    EXPECT_TRUE(differs);
}

TEST(SensorModel, DailyCycleWarmestMidAfternoon) {
    SensorModel m(quiet(), 1, kMidnight);
    const Reading afternoon = m.sample(kMidnight + 15 * 3600);
    const Reading night = m.sample(kMidnight + 3 * 3600);
    EXPECT_NEAR(afternoon.temp_c, 21.0 + 3.0, 1e-9);
    EXPECT_NEAR(night.temp_c, 21.0 - 3.0, 1e-9);
    // Humidity moves the other way.
    EXPECT_NEAR(afternoon.hum_pct, 45.0 - 8.0, 1e-9);
    EXPECT_NEAR(night.hum_pct, 45.0 + 8.0, 1e-9);
    EXPECT_EQ(afternoon.time_s, kMidnight + 15 * 3600);
}

TEST(SensorModel, ShortDayRepeats) {
    SensorParams p = quiet();
    p.day_length_s = 600;
    SensorModel m(p, 1, kMidnight);
    EXPECT_NEAR(m.sample(kMidnight + 100).temp_c, m.sample(kMidnight + 700).temp_c, 1e-9);
}

TEST(SensorModel, DriftIsPerDeviceAndLinear) {
    SensorParams p = quiet();
    p.temp_daily_amplitude_c = 0;
    p.temp_drift_c_per_h = 0.5;
    SensorModel m(p, 7, kMidnight);
    const double rate = m.temp_drift_c_per_h();
    EXPECT_LE(std::abs(rate), 0.5);
    EXPECT_NEAR(m.sample(kMidnight + 2 * 3600).temp_c, 21.0 + 2 * rate, 1e-9);
    EXPECT_NEAR(m.sample(kMidnight + 4 * 3600).temp_c, 21.0 + 4 * rate, 1e-9);
}

TEST(SensorModel, DevicesSpreadAroundTheMean) {
    SensorParams p = quiet();
    p.temp_spread_c = 2;
    p.temp_daily_amplitude_c = 0;
    double low = 100;
    double high = -100;
    for (std::uint64_t seed = 0; seed < 200; ++seed) {
        SensorModel m(p, seed, kMidnight);
        const double t = m.sample(kMidnight).temp_c;
        EXPECT_LE(std::abs(t - 21.0), 2.0);
        low = std::min(low, t);
        high = std::max(high, t);
    }
    EXPECT_GT(high - low, 3.0);  // 200 devices cover most of the +/- 2 range
}

TEST(SensorModel, BatteryDrainsAndStopsAtZero) {
    SensorParams p = quiet();
    p.battery_drain_pct_per_h = 10;
    SensorModel m(p, 1, kMidnight);
    EXPECT_NEAR(m.sample(kMidnight).battery_pct, 100, 1e-9);
    EXPECT_NEAR(m.sample(kMidnight + 3 * 3600).battery_pct, 70, 1e-9);
    EXPECT_EQ(m.sample(kMidnight + 20 * 3600).battery_pct, 0);
}

TEST(SensorModel, NoiseHasTheConfiguredSpreadAndHumidityStaysInRange) {
    SensorParams p = quiet();
    p.temp_noise_c = 0.5;
    p.temp_daily_amplitude_c = 0;
    p.hum_mean_pct = 99;
    p.hum_noise_pct = 5;
    SensorModel m(p, 3, kMidnight);
    double sum = 0;
    double sum_sq = 0;
    const int n = 20000;
    for (int i = 0; i < n; ++i) {
        const Reading r = m.sample(kMidnight);
        sum += r.temp_c;
        sum_sq += r.temp_c * r.temp_c;
        EXPECT_GE(r.hum_pct, 0);
        EXPECT_LE(r.hum_pct, 100);
    }
    const double mean = sum / n;
    EXPECT_NEAR(mean, 21.0, 0.02);
    EXPECT_NEAR(std::sqrt(sum_sq / n - mean * mean), 0.5, 0.02);
}

}  // namespace
}  // namespace sy::sim

#pragma once
// The sensors of one simulated device: temperature and humidity that follow a daily cycle, drift
// slowly and carry noise, and a battery that drains. Every device gets its own offsets and drift
// from its seed, so a fleet does not report one curve. Pure: time comes in as an argument and
// randomness from the seed, so a test can replay a device exactly.

#include "firmware-sim/reading.hpp"

#include <cstdint>
#include <random>

namespace sy::sim {

struct SensorParams {
    double temp_mean_c = 21.0;
    double temp_spread_c = 2.0;  // each device's mean is off by up to this much either way
    double temp_daily_amplitude_c = 3.0;
    double temp_drift_c_per_h = 0.05;  // each device drifts by up to this much per hour, up or down
    double temp_noise_c = 0.2;         // standard deviation of the noise on each sample
    double hum_mean_pct = 45.0;
    double hum_spread_pct = 5.0;
    double hum_daily_amplitude_pct = 8.0;  // humidity peaks when temperature bottoms out
    double hum_drift_pct_per_h = 0.1;
    double hum_noise_pct = 1.0;
    double battery_start_pct = 100.0;
    double battery_spread_pct = 20.0;  // devices start between start - spread and start
    double battery_drain_pct_per_h = 1.0;
    double day_length_s = 86400.0;  // a shorter "day" makes the cycle visible in a demo
};

class SensorModel {
public:
    // `start_s` is the UNIX time the device boots; drift and battery drain count from it.
    SensorModel(const SensorParams& params, std::uint64_t seed, double start_s);

    // The sensors at UNIX time `time_s` (not before start). Each call draws fresh noise.
    Reading sample(double time_s);

    double temp_offset_c() const noexcept { return temp_offset_c_; }
    double temp_drift_c_per_h() const noexcept { return temp_drift_c_per_h_; }

private:
    SensorParams params_;
    std::mt19937_64 rng_;
    double start_s_;
    double temp_offset_c_;
    double hum_offset_pct_;
    double temp_drift_c_per_h_;
    double hum_drift_pct_per_h_;
    double battery_start_pct_;
};

}  // namespace sy::sim

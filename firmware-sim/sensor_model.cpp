#include "firmware-sim/sensor_model.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace sy::sim {
namespace {

// Outdoor-like timing: the warmest moment of the day is mid-afternoon (15:00 UTC).
constexpr double kWarmestDayFraction = 15.0 / 24.0;

double uniform(std::mt19937_64& rng, double low, double high) {
    return std::uniform_real_distribution<double>(low, high)(rng);
}

double noise(std::mt19937_64& rng, double stddev) {
    if (stddev <= 0) return 0;
    return std::normal_distribution<double>(0.0, stddev)(rng);
}

}  // namespace

SensorModel::SensorModel(const SensorParams& params, std::uint64_t seed, double start_s)
    : params_(params), rng_(seed), start_s_(start_s) {
    temp_offset_c_ = uniform(rng_, -1.0, 1.0) * params_.temp_spread_c;
    hum_offset_pct_ = uniform(rng_, -1.0, 1.0) * params_.hum_spread_pct;
    temp_drift_c_per_h_ = uniform(rng_, -1.0, 1.0) * params_.temp_drift_c_per_h;
    hum_drift_pct_per_h_ = uniform(rng_, -1.0, 1.0) * params_.hum_drift_pct_per_h;
    battery_start_pct_ =
        params_.battery_start_pct - uniform(rng_, 0.0, 1.0) * params_.battery_spread_pct;
}

Reading SensorModel::sample(double time_s) {
    const double hours = std::max(0.0, time_s - start_s_) / 3600.0;
    double day_fraction = std::fmod(time_s, params_.day_length_s) / params_.day_length_s;
    // 1 at the warmest moment of the day, -1 twelve (day-length) hours later.
    const double cycle = std::cos(2.0 * std::numbers::pi * (day_fraction - kWarmestDayFraction));

    Reading r;
    r.time_s = time_s;
    r.temp_c = params_.temp_mean_c + temp_offset_c_ + params_.temp_daily_amplitude_c * cycle +
               temp_drift_c_per_h_ * hours + noise(rng_, params_.temp_noise_c);
    r.hum_pct = params_.hum_mean_pct + hum_offset_pct_ - params_.hum_daily_amplitude_pct * cycle +
                hum_drift_pct_per_h_ * hours + noise(rng_, params_.hum_noise_pct);
    r.hum_pct = std::clamp(r.hum_pct, 0.0, 100.0);
    r.battery_pct =
        std::clamp(battery_start_pct_ - params_.battery_drain_pct_per_h * hours, 0.0, 100.0);
    return r;
}

}  // namespace sy::sim

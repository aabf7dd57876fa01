#pragma once
// Sensor faults of one simulated device, so that a dashboard's alerts have something to catch:
// a stuck sensor repeats its last values, a spike jumps the temperature for one reading, a
// dropout publishes nothing for a while. Faults start at random (a probability per reading) or
// on command. Pure: time comes in with each reading, randomness from the seed.

#include "firmware-sim/reading.hpp"

#include <cstdint>
#include <optional>
#include <random>
#include <string_view>

namespace sy::sim {

enum class FaultKind { None, Stuck, Spike, Dropout };

std::string_view to_string(FaultKind kind) noexcept;
// "none", "stuck", "spike" or "dropout"; empty for anything else.
std::optional<FaultKind> fault_kind_from(std::string_view name) noexcept;

struct FaultParams {
    // Chances that a reading starts a fault, while none is active. Their sum is at most 1.
    double stuck_probability = 0;
    double spike_probability = 0;
    double dropout_probability = 0;
    double stuck_duration_s = 60;
    double dropout_duration_s = 30;
    double spike_magnitude_c = 15;  // added to or taken from the temperature
};

class FaultModel {
public:
    FaultModel(const FaultParams& params, std::uint64_t seed);

    // The reading as the faulty sensor reports it, or nothing during a dropout. Starts a random
    // fault first when none is active, and ends one whose time is up (by the reading's time).
    std::optional<Reading> apply(const Reading& reading);

    // A fault set by command, replacing the active one. A spike with duration 0 hits the next
    // reading only; FaultKind::None clears.
    void force(FaultKind kind, double duration_s, double now_s);

    // The fault in effect at `now_s`.
    FaultKind active(double now_s) const noexcept;
    std::uint64_t started() const noexcept { return started_; }

private:
    void start(FaultKind kind, double duration_s, double now_s);
    void maybe_start_random(double now_s);

    FaultParams params_;
    std::mt19937_64 rng_;
    FaultKind kind_ = FaultKind::None;
    double until_s_ = 0;
    bool single_spike_ = false;      // a spike that ends after one reading
    std::optional<Reading> frozen_;  // what a stuck sensor keeps reporting
    std::uint64_t started_ = 0;
};

}  // namespace sy::sim

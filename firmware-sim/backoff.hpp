#pragma once
// Reconnect delays of one device: exponential, capped, with jitter so that a fleet that lost
// its broker does not come back in one synchronized wave. "Equal jitter": half of each step is
// fixed, half random, so a delay never collapses to zero.

#include <chrono>
#include <cstdint>
#include <random>

namespace sy::sim {

class Backoff {
public:
    Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, std::uint64_t seed);

    // The delay before the next attempt; each call doubles the step, up to `max`.
    std::chrono::milliseconds next();
    // After a successful connection: the next delay starts from `initial` again.
    void reset() noexcept { attempts_ = 0; }
    unsigned attempts() const noexcept { return attempts_; }

private:
    std::chrono::milliseconds initial_;
    std::chrono::milliseconds max_;
    std::mt19937_64 rng_;
    unsigned attempts_ = 0;
};

}  // namespace sy::sim

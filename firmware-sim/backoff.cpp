#include "firmware-sim/backoff.hpp"

#include <algorithm>

namespace sy::sim {

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max,
                 std::uint64_t seed)
    : initial_(std::max(initial, std::chrono::milliseconds(1))),
      max_(std::max(max, initial_)),
      rng_(seed) {}

std::chrono::milliseconds Backoff::next() {
    // Doubling stops mattering once the step reaches max; the shift is capped so it never
    // overflows however many attempts fail.
    const unsigned shift = std::min(attempts_, 30u);
    ++attempts_;
    const auto step_ms = std::min<std::int64_t>(max_.count(), initial_.count() << shift);
    const std::int64_t half = step_ms / 2;
    const auto extra = std::uniform_int_distribution<std::int64_t>(0, step_ms - half)(rng_);
    return std::chrono::milliseconds(half + extra);
}

}  // namespace sy::sim

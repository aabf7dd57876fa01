#pragma once
// What one subscriber saw: which (publisher, sequence) pairs arrived, how often, and how late.
// on_message() runs on the endpoint's callback thread; the main thread polls unique() for
// progress and reads the rest once the subscriber is disconnected.

#include "firmware-sim/latency_histogram.hpp"

#include <atomic>
#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

namespace sy::sim {

class SubscriberTally {
public:
    SubscriberTally(std::uint32_t run_tag, std::uint32_t publishers,
                    std::uint64_t msgs_per_publisher);

    void on_message(std::span<const std::byte> payload);

    // Distinct bench messages so far; safe to call from any thread.
    std::uint64_t unique() const noexcept { return unique_.load(std::memory_order_relaxed); }

    struct Snapshot {
        std::uint64_t received = 0;  // every bench message, duplicates included
        std::uint64_t unique = 0;
        std::uint64_t duplicates = 0;  // a (publisher, sequence) pair seen again
        std::uint64_t foreign = 0;     // not from this run, or a stamp out of range
        std::int64_t first_ns = 0;     // steady_clock of the first and last bench message
        std::int64_t last_ns = 0;
        LatencyHistogram latency;
    };
    Snapshot snapshot() const;

private:
    const std::uint32_t run_tag_;
    const std::uint32_t publishers_;
    const std::uint64_t msgs_per_publisher_;
    mutable std::mutex mutex_;  // uncontended while running: only taken by the callback thread
    std::vector<std::uint64_t> seen_bits_;  // bit p * msgs + seq
    Snapshot state_;
    std::atomic<std::uint64_t> unique_{0};
};

}  // namespace sy::sim

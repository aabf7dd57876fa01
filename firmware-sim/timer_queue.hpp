#pragma once
// When each device wants to run next, for the fleet's single thread: a min-heap of (time,
// device) with lazy removal. Rescheduling a device pushes a new entry; the old one is skipped
// when it surfaces, because it no longer matches the device's current time.

#include <chrono>
#include <cstdint>
#include <optional>
#include <queue>
#include <vector>

namespace sy::sim {

class TimerQueue {
public:
    using Clock = std::chrono::steady_clock;

    explicit TimerQueue(std::size_t devices) : due_(devices, Clock::time_point::max()) {}

    // Device `index` wants to run at `at` (replacing any earlier wish); time_point::max() for
    // never.
    void schedule(std::uint32_t index, Clock::time_point at);

    // A device whose time has come by `now`, removed from the queue; empty when none.
    std::optional<std::uint32_t> pop_due(Clock::time_point now);

    // The earliest wish, or time_point::max() when nobody waits.
    Clock::time_point next();

    Clock::time_point due(std::uint32_t index) const { return due_[index]; }

private:
    struct Entry {
        Clock::time_point at;
        std::uint32_t index;
        bool operator>(const Entry& other) const { return at > other.at; }
    };
    void drop_stale();

    std::vector<Clock::time_point> due_;
    std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap_;
};

}  // namespace sy::sim

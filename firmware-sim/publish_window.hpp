#pragma once
// Bounds the publishes one publisher has queued but not yet seen complete, so that a fast
// publisher cannot make the client buffer without limit. The publisher thread acquires a slot per
// message; Paho's thread releases it on completion. When the window is full the publisher sleeps
// until it has drained to half, which keeps wake-ups rare at high rates.

#include "firmware-sim/mqtt_endpoint.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

namespace sy::sim {

class PublishWindow final : public PublishListener {
public:
    explicit PublishWindow(std::uint32_t capacity);

    // Checked while waiting; true means stop waiting (say, the connection is gone).
    using GiveUp = std::function<bool()>;

    // Takes a slot, waiting while the window is full. False if no completion arrived for
    // `stall_limit` (a stuck broker) or if `give_up` said so.
    bool acquire(std::chrono::steady_clock::duration stall_limit, const GiveUp& give_up);

    // Gives back a slot that was acquired but not used (the publish could not be queued).
    void cancel() noexcept;

    // Waits until every acquired slot completed; false as for acquire().
    bool drain(std::chrono::steady_clock::duration stall_limit, const GiveUp& give_up);

    void on_publish_done(bool ok) noexcept override;

    // Publishes that completed successfully; failures only free their slot.
    std::uint64_t completed() const noexcept { return completed_.load(); }
    // steady_clock nanoseconds of the latest completion; 0 if none yet.
    std::int64_t last_completion_ns() const noexcept { return last_completion_ns_.load(); }

private:
    bool wait_until_at_most(std::uint32_t level, std::chrono::steady_clock::duration stall_limit,
                            const GiveUp& give_up);
    void release() noexcept;

    const std::uint32_t capacity_;
    std::atomic<std::uint32_t> in_flight_{0};
    // The in-flight level the waiting publisher wants to be woken at; kNobody when none waits,
    // which no level can reach, so completions skip the mutex entirely.
    static constexpr std::int64_t kNobody = -1;
    std::atomic<std::int64_t> wake_level_{kNobody};
    std::atomic<std::uint64_t> completed_{0};
    std::atomic<std::int64_t> last_completion_ns_{0};
    std::mutex mutex_;
    std::condition_variable cv_;
};

}  // namespace sy::sim

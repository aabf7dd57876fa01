#include "firmware-sim/publish_window.hpp"

#include "core/model/assert.hpp"

#include <algorithm>

namespace sy::sim {

PublishWindow::PublishWindow(std::uint32_t capacity)
    : capacity_(std::max<std::uint32_t>(1, capacity)) {}

bool PublishWindow::acquire(std::chrono::steady_clock::duration stall_limit,
                            const GiveUp& give_up) {
    if (in_flight_.load() >= capacity_ &&
        !wait_until_at_most(capacity_ / 2, stall_limit, give_up)) {
        return false;
    }
    in_flight_.fetch_add(1);
    return true;
}

void PublishWindow::cancel() noexcept {
    release();
}

bool PublishWindow::drain(std::chrono::steady_clock::duration stall_limit, const GiveUp& give_up) {
    return wait_until_at_most(0, stall_limit, give_up);
}

void PublishWindow::on_publish_done(bool ok) noexcept {
    if (ok) {
        completed_.fetch_add(1, std::memory_order_relaxed);
    }
    last_completion_ns_.store(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                  std::chrono::steady_clock::now().time_since_epoch())
                                  .count(),
                              std::memory_order_relaxed);
    release();
}

// Only the publisher thread waits, so one wake level is enough. The waiter publishes its level
// before re-reading in_flight_, and release() decrements before reading the level; with
// sequentially consistent atomics one of the two always sees the other, so no wake-up is lost.
// The waiter also wakes every kPoll to check `give_up` and the stall limit.
bool PublishWindow::wait_until_at_most(std::uint32_t level,
                                       std::chrono::steady_clock::duration stall_limit,
                                       const GiveUp& give_up) {
    constexpr auto kPoll = std::chrono::milliseconds(50);
    std::unique_lock lock(mutex_);
    wake_level_.store(level);
    std::uint32_t last_seen = in_flight_.load();
    auto last_progress = std::chrono::steady_clock::now();
    bool ok = true;
    while (last_seen > level) {
        cv_.wait_for(lock, kPoll);
        const std::uint32_t now_seen = in_flight_.load();
        if (now_seen < last_seen) {
            last_seen = now_seen;
            last_progress = std::chrono::steady_clock::now();
            continue;
        }
        if ((give_up && give_up()) ||
            std::chrono::steady_clock::now() - last_progress >= stall_limit) {
            ok = false;
            break;
        }
    }
    wake_level_.store(kNobody);
    return ok;
}

void PublishWindow::release() noexcept {
    const std::uint32_t before = in_flight_.fetch_sub(1);
    SY_ASSERT(before > 0);
    if (static_cast<std::int64_t>(before) - 1 <= wake_level_.load()) {
        std::lock_guard lock(mutex_);
        cv_.notify_one();
    }
}

}  // namespace sy::sim

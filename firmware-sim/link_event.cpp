#include "firmware-sim/link_event.hpp"

#include <utility>

namespace sy::sim {

void EventQueue::post(LinkEvent event) {
    bool was_empty = false;
    {
        std::lock_guard lock(mutex_);
        was_empty = events_.empty();
        events_.push_back(std::move(event));
    }
    // The taker sleeps only while the queue is empty, so one wake-up per batch is enough.
    if (was_empty) cv_.notify_one();
}

bool EventQueue::take(std::chrono::steady_clock::time_point deadline, std::vector<LinkEvent>& out) {
    out.clear();
    std::unique_lock lock(mutex_);
    if (!cv_.wait_until(lock, deadline, [this] { return !events_.empty(); })) return false;
    out.swap(events_);
    return true;
}

}  // namespace sy::sim

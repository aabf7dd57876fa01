#include "firmware-sim/timer_queue.hpp"

namespace sy::sim {

void TimerQueue::schedule(std::uint32_t index, Clock::time_point at) {
    if (due_[index] == at) return;
    due_[index] = at;
    if (at != Clock::time_point::max()) heap_.push(Entry{at, index});
}

void TimerQueue::drop_stale() {
    while (!heap_.empty() && due_[heap_.top().index] != heap_.top().at) heap_.pop();
}

std::optional<std::uint32_t> TimerQueue::pop_due(Clock::time_point now) {
    drop_stale();
    if (heap_.empty() || heap_.top().at > now) return std::nullopt;
    const std::uint32_t index = heap_.top().index;
    heap_.pop();
    due_[index] = Clock::time_point::max();
    return index;
}

TimerQueue::Clock::time_point TimerQueue::next() {
    drop_stale();
    return heap_.empty() ? Clock::time_point::max() : heap_.top().at;
}

}  // namespace sy::sim

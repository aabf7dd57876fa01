#include "firmware-sim/subscriber_tally.hpp"

#include "firmware-sim/payload_stamp.hpp"

#include <chrono>

namespace sy::sim {

SubscriberTally::SubscriberTally(std::uint32_t run_tag, std::uint32_t publishers,
                                 std::uint64_t msgs_per_publisher)
    : run_tag_(run_tag),
      publishers_(publishers),
      msgs_per_publisher_(msgs_per_publisher),
      seen_bits_((publishers * msgs_per_publisher + 63) / 64) {}

void SubscriberTally::on_message(std::span<const std::byte> payload) {
    const std::int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                    std::chrono::steady_clock::now().time_since_epoch())
                                    .count();
    const auto stamp = read_stamp(payload);
    std::lock_guard lock(mutex_);
    if (!stamp || stamp->run_tag != run_tag_ || stamp->publisher >= publishers_ ||
        stamp->sequence >= msgs_per_publisher_) {
        ++state_.foreign;
        return;
    }
    if (state_.received++ == 0) {
        state_.first_ns = now_ns;
    }
    state_.last_ns = now_ns;
    state_.latency.record(
        now_ns > stamp->sent_ns ? static_cast<std::uint64_t>(now_ns - stamp->sent_ns) : 0);
    const std::uint64_t bit = stamp->publisher * msgs_per_publisher_ + stamp->sequence;
    std::uint64_t& word = seen_bits_[bit / 64];
    const std::uint64_t mask = std::uint64_t{1} << (bit % 64);
    if ((word & mask) != 0) {
        ++state_.duplicates;
        return;
    }
    word |= mask;
    ++state_.unique;
    unique_.store(state_.unique, std::memory_order_relaxed);
}

SubscriberTally::Snapshot SubscriberTally::snapshot() const {
    std::lock_guard lock(mutex_);
    return state_;
}

}  // namespace sy::sim

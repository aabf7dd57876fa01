#pragma once
// Readings a device took while it had no connection, kept in order until it reconnects, as
// firmware keeps them in a ring buffer in RAM: when full, the oldest reading makes room.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>

namespace sy::sim {

class OfflineBuffer {
public:
    // A capacity of 0 keeps nothing: every reading taken offline is dropped.
    explicit OfflineBuffer(std::size_t capacity) : capacity_(capacity) {}

    // Keeps `payload`; returns false when that dropped a reading (the oldest, or this one when
    // the capacity is 0).
    bool push(std::string payload);

    // Everything kept, oldest first; the buffer is empty afterwards.
    std::deque<std::string> take_all();

    std::size_t size() const noexcept { return payloads_.size(); }
    std::size_t capacity() const noexcept { return capacity_; }
    std::uint64_t dropped() const noexcept { return dropped_; }

private:
    std::size_t capacity_;
    std::deque<std::string> payloads_;
    std::uint64_t dropped_ = 0;
};

}  // namespace sy::sim

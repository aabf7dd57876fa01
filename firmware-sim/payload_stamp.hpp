#pragma once
// The bench header at the front of every payload: which run, which publisher, which message, and
// when it was sent. Subscribers read it back to measure latency and to find lost or duplicate
// messages. The rest of the payload is padding up to --size.
//
// Layout (little-endian): run tag u32 | publisher u32 | sequence u64 | send time ns i64.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace sy::sim {

inline constexpr std::size_t kStampSize = 24;

struct PayloadStamp {
    std::uint32_t run_tag = 0;    // tells this run's messages from anyone else's on the topic
    std::uint32_t publisher = 0;  // publisher index, 0..pubs-1
    std::uint64_t sequence = 0;   // 0..msgs-1 per publisher
    std::int64_t sent_ns = 0;     // steady_clock at publish; sender and receiver share a host
};

// Writes the stamp into the first kStampSize bytes; `payload` must be at least that long.
void write_stamp(std::span<std::byte> payload, const PayloadStamp& stamp) noexcept;

// Empty if the payload is too short to hold a stamp.
std::optional<PayloadStamp> read_stamp(std::span<const std::byte> payload) noexcept;

}  // namespace sy::sim

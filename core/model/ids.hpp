#pragma once
// Strong ids: each wraps an integer so a packet id cannot be passed where a delivery tag is
// expected.

#include <compare>
#include <cstdint>
#include <functional>

namespace sy::core {

template <class Tag, class Rep>
struct StrongId {
    Rep value{};
    constexpr StrongId() = default;
    constexpr explicit StrongId(Rep v) : value(v) {}
    constexpr auto operator<=>(const StrongId&) const = default;
};

using MessageId = StrongId<struct MessageIdTag, std::uint64_t>;
using DeliveryTag = StrongId<struct DeliveryTagTag, std::uint64_t>;
using ConsumerId = StrongId<struct ConsumerIdTag, std::uint64_t>;
using QueueId = StrongId<struct QueueIdTag, std::uint64_t>;
using PacketId = StrongId<struct PacketIdTag, std::uint16_t>;

}  // namespace sy::core

template <class Tag, class Rep>
struct std::hash<sy::core::StrongId<Tag, Rep>> {
    std::size_t operator()(const sy::core::StrongId<Tag, Rep>& id) const noexcept {
        return std::hash<Rep>{}(id.value);
    }
};

#include "firmware-sim/payload_stamp.hpp"

#include "core/model/assert.hpp"

#include <bit>
#include <cstring>

namespace sy::sim {
namespace {

template <class T>
void put_le(std::byte* out, T value) noexcept {
    if constexpr (std::endian::native == std::endian::big) {
        value = std::byteswap(value);
    }
    std::memcpy(out, &value, sizeof value);
}

template <class T>
T get_le(const std::byte* in) noexcept {
    T value;
    std::memcpy(&value, in, sizeof value);
    if constexpr (std::endian::native == std::endian::big) {
        value = std::byteswap(value);
    }
    return value;
}

}  // namespace

void write_stamp(std::span<std::byte> payload, const PayloadStamp& stamp) noexcept {
    SY_ASSERT(payload.size() >= kStampSize);
    std::byte* p = payload.data();
    put_le(p, stamp.run_tag);
    put_le(p + 4, stamp.publisher);
    put_le(p + 8, stamp.sequence);
    put_le(p + 16, stamp.sent_ns);
}

std::optional<PayloadStamp> read_stamp(std::span<const std::byte> payload) noexcept {
    if (payload.size() < kStampSize) {
        return std::nullopt;
    }
    const std::byte* p = payload.data();
    return PayloadStamp{
        .run_tag = get_le<std::uint32_t>(p),
        .publisher = get_le<std::uint32_t>(p + 4),
        .sequence = get_le<std::uint64_t>(p + 8),
        .sent_ns = get_le<std::int64_t>(p + 16),
    };
}

}  // namespace sy::sim

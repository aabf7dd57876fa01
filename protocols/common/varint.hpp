#pragma once
// Base-128 variable-length integers, least significant group first, as used for MQTT's
// remaining length and v5 "Variable Byte Integer" (section 1.5.5 / 2.2.3): seven value bits
// per byte, the top bit says another byte follows, four bytes at most.

#include <cstddef>
#include <cstdint>
#include <span>

namespace sy {

inline constexpr std::size_t kVarintMaxBytes = 4;
inline constexpr std::uint32_t kVarintMax = 268'435'455;  // 2^28 - 1

enum class VarintStatus : std::uint8_t { Ok, NeedMore, Malformed };

struct VarintRead {
    VarintStatus status = VarintStatus::NeedMore;
    std::uint32_t value = 0;
    std::size_t length = 0;  // bytes used when Ok
};

// Reads from the front of in. NeedMore means every byte present had the continuation bit and
// fewer than four were seen; Malformed means the fourth byte still had it.
constexpr VarintRead read_varint(std::span<const std::byte> in) {
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < kVarintMaxBytes; ++i) {
        if (i == in.size()) {
            return {VarintStatus::NeedMore, 0, 0};
        }
        const auto b = std::to_integer<std::uint32_t>(in[i]);
        value |= (b & 0x7Fu) << (7 * i);
        if ((b & 0x80u) == 0) {
            return {VarintStatus::Ok, value, i + 1};
        }
    }
    return {VarintStatus::Malformed, 0, 0};
}

constexpr std::size_t varint_size(std::uint32_t v) {
    std::size_t n = 1;
    while (v >= 0x80u) {
        v >>= 7;
        ++n;
    }
    return n;
}

// Writes the shortest encoding. The caller keeps v <= kVarintMax; larger values would need a
// fifth byte, which no reader accepts.
template <class Sink>
void write_varint(Sink& out, std::uint32_t v) {
    do {
        auto b = static_cast<std::uint8_t>(v & 0x7Fu);
        v >>= 7;
        if (v != 0) {
            b = static_cast<std::uint8_t>(b | 0x80u);
        }
        out.u8(b);
    } while (v != 0);
}

}  // namespace sy

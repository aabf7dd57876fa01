#pragma once
// Whether outgoing bytes may go in a WebSocket text frame: browsers fail the connection on a
// text message that is not UTF-8 (RFC 6455 section 8.1). Runs over every byte a text-capable
// endpoint sends, so ASCII (nearly all STOMP) is skipped eight bytes at a time; the rest is
// the shared well-formedness check.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "protocols/common/utf8.hpp"

namespace sy::transport {

inline bool is_utf8_text(std::span<const std::byte> bytes) {
    const auto* p = reinterpret_cast<const char*>(bytes.data());
    const std::string_view s(p, bytes.size());
    constexpr std::uint64_t kHighBits = 0x8080808080808080ull;
    std::size_t i = 0;
    while (i < s.size()) {
        if (s.size() - i >= 8) {
            std::uint64_t word;
            std::memcpy(&word, p + i, sizeof word);
            if ((word & kHighBits) == 0) {
                i += 8;
                continue;
            }
        }
        if (static_cast<std::uint8_t>(s[i]) < 0x80u) {
            ++i;
            continue;
        }
        const std::size_t len = utf8_detail::sequence_length(s, i);
        if (len == 0) return false;
        i += len;
    }
    return true;
}

}  // namespace sy::transport

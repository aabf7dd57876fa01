#pragma once
// UTF-8 well-formedness as RFC 3629 and Unicode table 3-7 define it: no overlong forms, no
// UTF-16 surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequences. Protocol
// rules on top (MQTT forbids U+0000, STOMP escapes ':') belong to each codec.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sy {

namespace utf8_detail {

inline bool is_continuation(std::uint8_t b) { return (b & 0xC0u) == 0x80u; }

// Length of the sequence starting at s[i] if it is well-formed, else 0.
inline std::size_t sequence_length(std::string_view s, std::size_t i) {
    const auto lead = static_cast<std::uint8_t>(s[i]);
    std::size_t len = 0;
    // The second byte's range is what excludes overlong forms, surrogates and values past
    // U+10FFFF; later bytes only need to be continuations.
    std::uint8_t lo = 0x80;
    std::uint8_t hi = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        len = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        len = 3;
        lo = lead == 0xE0 ? 0xA0 : 0x80;
        hi = lead == 0xED ? 0x9F : 0xBF;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        len = 4;
        lo = lead == 0xF0 ? 0x90 : 0x80;
        hi = lead == 0xF4 ? 0x8F : 0xBF;
    } else {
        return 0;  // 0x80..0xC1 and 0xF5..0xFF never start a sequence
    }
    if (s.size() - i < len) {
        return 0;
    }
    const auto second = static_cast<std::uint8_t>(s[i + 1]);
    if (second < lo || second > hi) {
        return 0;
    }
    for (std::size_t k = 2; k < len; ++k) {
        if (!is_continuation(static_cast<std::uint8_t>(s[i + k]))) {
            return 0;
        }
    }
    return len;
}

}  // namespace utf8_detail

inline bool is_valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        if (static_cast<std::uint8_t>(s[i]) < 0x80u) {
            ++i;
            continue;
        }
        const std::size_t len = utf8_detail::sequence_length(s, i);
        if (len == 0) {
            return false;
        }
        i += len;
    }
    return true;
}

}  // namespace sy

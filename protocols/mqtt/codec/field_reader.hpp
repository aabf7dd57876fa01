#pragma once
// Private to the codec: MQTT field readers over one packet's body, and the Fault every decode
// step returns. A Fault converts to true when something is wrong, so steps chain as
// `if (Fault f = step()) return f;`.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "protocols/common/byte_reader.hpp"
#include "protocols/mqtt/codec/codec.hpp"

namespace sy::mqtt::detail {

struct [[nodiscard]] Fault {
    const char* what = nullptr;
    std::uint8_t reason = 0;
    DecodeStatus status = DecodeStatus::Complete;

    explicit operator bool() const { return what != nullptr; }
};

// The bytes break the packet grammar: reason 0x81.
inline Fault malformed(const char* what) {
    return {what, reason::kMalformedPacket, DecodeStatus::Malformed};
}

// The bytes parse but break a rule the v5 spec calls a Protocol Error: reason 0x82. The
// connection is closed either way, so the status stays Malformed.
inline Fault protocol_error(const char* what) {
    return {what, reason::kProtocolError, DecodeStatus::Malformed};
}

class FieldReader {
public:
    explicit FieldReader(std::span<const std::byte> body) : in_(body) {}

    std::size_t remaining() const { return in_.remaining(); }
    bool empty() const { return in_.empty(); }

    Fault u8(std::uint8_t& v);
    Fault u16(std::uint16_t& v);
    Fault u32(std::uint32_t& v);
    Fault varint(std::uint32_t& v);
    // A packet identifier where one is required must be non-zero [MQTT-2.3.1-1].
    Fault packet_id(std::uint16_t& v);
    // Two-byte length then bytes, taken as they are.
    Fault binary(std::string& v);
    // Two-byte length then UTF-8 that is well-formed and free of U+0000 [MQTT-1.5.3-1,2].
    Fault utf8(std::string& v);
    // Everything left (a PUBLISH payload).
    void rest(std::string& v);
    // Splits off the next n bytes as their own reader (a v5 property list).
    Fault split(std::size_t n, FieldReader& out);

private:
    ByteReader in_;
};

}  // namespace sy::mqtt::detail

// The protocol header a client opens with (section 4.2.2).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "protocols/amqp/codec/codec.hpp"

namespace sy::amqp {

HeaderResult read_protocol_header(std::span<const std::byte> input) {
    static constexpr char kAmqp[] = "AMQP";
    for (std::size_t i = 0; i < 4 && i < input.size(); ++i) {
        if (std::to_integer<char>(input[i]) != kAmqp[i]) {
            return {HeaderStatus::NotAmqp, 0, {}};
        }
    }
    if (input.size() < kProtocolHeaderSize) {
        return {HeaderStatus::NeedMore, 0, {}};
    }
    const auto at = [&](std::size_t i) { return std::to_integer<std::uint8_t>(input[i]); };
    const ProtocolHeader received{at(4), at(5), at(6), at(7)};
    if (received != kSupportedProtocol) {
        return {HeaderStatus::Unsupported, 0, received};
    }
    return {HeaderStatus::Supported, kProtocolHeaderSize, received};
}

void encode_protocol_header(ByteWriter& out) {
    out.bytes(std::string_view("AMQP"));
    out.u8(kSupportedProtocol.protocol_id);
    out.u8(kSupportedProtocol.major);
    out.u8(kSupportedProtocol.minor);
    out.u8(kSupportedProtocol.revision);
}

}  // namespace sy::amqp

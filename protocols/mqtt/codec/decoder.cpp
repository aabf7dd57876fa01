// Framing: the fixed header, the remaining length and the size limit, then dispatch to the
// per-packet body decoders in decode_*.cpp.

#include <cstddef>
#include <cstdint>
#include <span>
#include <variant>

#include "protocols/common/varint.hpp"
#include "protocols/mqtt/codec/codec.hpp"
#include "protocols/mqtt/codec/decode_packets.hpp"
#include "protocols/mqtt/codec/field_reader.hpp"
#include "protocols/mqtt/codec/properties.hpp"

namespace sy::mqtt {

namespace detail {

Fault decode_disconnect(FieldReader& in, bool v5, Disconnect& out) {
    // 3.1.1 DISCONNECT has no body. In v5 a remaining length of 0 means reason 0x00 and
    // below 2 means no property length (section 3.14.2.1).
    if (!v5 || in.empty()) {
        return {};
    }
    if (Fault f = in.u8(out.reason)) {
        return f;
    }
    if (in.empty()) {
        return {};
    }
    return read_properties(in, PropertyContext::Disconnect, out.props);
}

Fault decode_auth(FieldReader& in, Auth& out) {
    // Remaining length 0 means reason 0x00 with no properties (section 3.15.2.1); a lone reason
    // byte is read the same way DISCONNECT reads it.
    if (in.empty()) {
        return {};
    }
    if (Fault f = in.u8(out.reason)) {
        return f;
    }
    if (in.empty()) {
        return {};
    }
    return read_properties(in, PropertyContext::Auth, out.props);
}

}  // namespace detail

namespace {

using detail::Fault;
using detail::FieldReader;
using detail::malformed;

constexpr std::uint8_t kPublish = static_cast<std::uint8_t>(PacketType::Publish);
constexpr std::uint8_t kPubrel = static_cast<std::uint8_t>(PacketType::Pubrel);
constexpr std::uint8_t kSubscribe = static_cast<std::uint8_t>(PacketType::Subscribe);
constexpr std::uint8_t kUnsubscribe = static_cast<std::uint8_t>(PacketType::Unsubscribe);
constexpr std::uint8_t kAuth = static_cast<std::uint8_t>(PacketType::Auth);

// Everything byte 1 alone can tell, checked before waiting for the rest of the packet.
Fault check_first_byte(std::uint8_t first, bool v5) {
    const auto type = static_cast<std::uint8_t>(first >> 4);
    const auto flags = static_cast<std::uint8_t>(first & 0x0F);
    // Type 0 is reserved in both versions; type 15 is reserved in 3.1.1 and AUTH in v5.
    if (type == 0 || (type == kAuth && !v5)) {
        return malformed("reserved packet type");
    }
    if (type == kPublish) {
        const auto qos = (flags >> 1) & 0x03;
        if (qos == 3) {
            return malformed("PUBLISH with QoS 3 [MQTT-3.3.1-4]");
        }
        if (qos == 0 && (flags & 0x08) != 0) {
            return malformed("DUP set on a QoS 0 PUBLISH [MQTT-3.3.1-2]");
        }
        return {};
    }
    // [MQTT-3.6.1-1], [MQTT-3.8.1-1], [MQTT-3.10.1-1] fix these three at 0b0010.
    const bool two = type == kPubrel || type == kSubscribe || type == kUnsubscribe;
    if (flags != (two ? 0x02 : 0x00)) {
        return malformed("reserved fixed header flags [MQTT-2.2.2-1,2]");
    }
    return {};
}

Fault decode_body(std::uint8_t first, bool v5, FieldReader& in, Packet& out) {
    const auto type = static_cast<PacketType>(first >> 4);
    switch (type) {
    case PacketType::Connect:
        return detail::decode_connect(in, out.emplace<Connect>());
    case PacketType::Connack:
        return detail::decode_connack(in, v5, out.emplace<Connack>());
    case PacketType::Publish:
        return detail::decode_publish(in, static_cast<std::uint8_t>(first & 0x0F), v5,
                                      out.emplace<Publish>());
    case PacketType::Puback:
    case PacketType::Pubrec:
    case PacketType::Pubrel:
    case PacketType::Pubcomp: {
        auto& ack = out.emplace<PubAckLike>();
        ack.type = type;
        return detail::decode_pub_ack(in, v5, ack);
    }
    case PacketType::Subscribe:
        return detail::decode_subscribe(in, v5, out.emplace<Subscribe>());
    case PacketType::Suback:
        return detail::decode_suback(in, v5, out.emplace<Suback>());
    case PacketType::Unsubscribe:
        return detail::decode_unsubscribe(in, v5, out.emplace<Unsubscribe>());
    case PacketType::Unsuback:
        return detail::decode_unsuback(in, v5, out.emplace<Unsuback>());
    case PacketType::Pingreq:
        out.emplace<Pingreq>();
        return {};
    case PacketType::Pingresp:
        out.emplace<Pingresp>();
        return {};
    case PacketType::Disconnect:
        return detail::decode_disconnect(in, v5, out.emplace<Disconnect>());
    case PacketType::Auth:
        return detail::decode_auth(in, out.emplace<Auth>());
    }
    return malformed("reserved packet type");
}

DecodeResult failure(const Fault& f) { return {f.status, 0, f.what, f.reason}; }

}  // namespace

DecodeResult Decoder::decode(std::span<const std::byte> input, Packet& out) {
    if (input.empty()) {
        return {};
    }
    const auto first = std::to_integer<std::uint8_t>(input[0]);
    const bool v5 = version_ == ProtocolVersion::V5;
    if (Fault f = check_first_byte(first, v5)) {
        return failure(f);
    }
    const VarintRead length = read_varint(input.subspan(1));
    if (length.status == VarintStatus::NeedMore) {
        return {};
    }
    if (length.status == VarintStatus::Malformed) {
        return failure(malformed("remaining length longer than four bytes"));
    }
    // Judged from the fixed header alone, so a hostile length is refused before any of the
    // body is buffered.
    const std::uint64_t total = 1 + length.length + std::uint64_t{length.value};
    if (total > limits_.max_packet_size) {
        return {DecodeStatus::TooLarge, 0, "packet larger than the maximum packet size",
                reason::kPacketTooLarge};
    }
    if (input.size() < total) {
        return {};
    }
    FieldReader body(input.subspan(1 + length.length, length.value));
    Fault f = decode_body(first, v5, body, out);
    if (!f && !body.empty()) {
        f = malformed("bytes after the end of the packet");
    }
    if (f) {
        return failure(f);
    }
    if (const auto* connect = std::get_if<Connect>(&out)) {
        version_ = connect->version;
    }
    return {DecodeStatus::Complete, static_cast<std::size_t>(total), nullptr, 0};
}

}  // namespace sy::mqtt

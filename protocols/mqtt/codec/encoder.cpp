// Encoding. Each body writer is a template run twice: over a ByteCounter to learn the remaining
// length, then over the output, so the fixed header goes out first and nothing is moved.
//
// Preconditions (the sessions guarantee them; a decoded packet always meets them): strings and
// binary fields fit a two-byte length, and the remaining length fits four varint bytes.

#include <cassert>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <variant>

#include "protocols/common/byte_counter.hpp"
#include "protocols/common/varint.hpp"
#include "protocols/mqtt/codec/codec.hpp"
#include "protocols/mqtt/codec/properties.hpp"

namespace sy::mqtt {

namespace {

using detail::PropertyContext;
using detail::property_list_size;
using detail::write_properties;

template <class Sink>
void put_string(Sink& out, std::string_view s) {
    assert(s.size() <= 0xFFFF);
    out.u16(static_cast<std::uint16_t>(s.size()));
    out.bytes(s);
}

constexpr std::uint8_t type_bits(PacketType t) {
    return static_cast<std::uint8_t>(static_cast<std::uint8_t>(t) << 4);
}

// ---- fixed header byte 1 ----

std::uint8_t first_byte(const Connect&) { return type_bits(PacketType::Connect); }
std::uint8_t first_byte(const Connack&) { return type_bits(PacketType::Connack); }
std::uint8_t first_byte(const PublishView& p) {
    const auto flags = (p.dup ? 0x08 : 0) | ((p.qos & 0x03) << 1) | (p.retain ? 0x01 : 0);
    return static_cast<std::uint8_t>(type_bits(PacketType::Publish) | flags);
}
std::uint8_t first_byte(const PubAckLike& p) {
    // PUBREL carries 0b0010 in its reserved flags [MQTT-3.6.1-1].
    const std::uint8_t flags = p.type == PacketType::Pubrel ? 0x02 : 0x00;
    return static_cast<std::uint8_t>(type_bits(p.type) | flags);
}
std::uint8_t first_byte(const Subscribe&) { return type_bits(PacketType::Subscribe) | 0x02; }
std::uint8_t first_byte(const Suback&) { return type_bits(PacketType::Suback); }
std::uint8_t first_byte(const Unsubscribe&) { return type_bits(PacketType::Unsubscribe) | 0x02; }
std::uint8_t first_byte(const Unsuback&) { return type_bits(PacketType::Unsuback); }
std::uint8_t first_byte(const Pingreq&) { return type_bits(PacketType::Pingreq); }
std::uint8_t first_byte(const Pingresp&) { return type_bits(PacketType::Pingresp); }
std::uint8_t first_byte(const Disconnect&) { return type_bits(PacketType::Disconnect); }
std::uint8_t first_byte(const Auth&) { return type_bits(PacketType::Auth); }

// ---- bodies ----

std::uint8_t connect_flags(const Connect& p) {
    unsigned flags = p.clean_start ? 0x02u : 0x00u;
    if (p.will) {
        flags |= 0x04u | ((p.will->qos & 0x03u) << 3) | (p.will->retain ? 0x20u : 0x00u);
    }
    flags |= p.password ? 0x40u : 0x00u;
    flags |= p.username ? 0x80u : 0x00u;
    return static_cast<std::uint8_t>(flags);
}

// CONNECT states its own version, so it is written by that rather than the argument.
template <class Sink>
void write_body(Sink& out, const Connect& p, bool) {
    const bool v5 = p.version == ProtocolVersion::V5;
    put_string(out, p.protocol_name);
    out.u8(static_cast<std::uint8_t>(p.version));
    out.u8(connect_flags(p));
    out.u16(p.keep_alive);
    if (v5) {
        write_properties(out, p.props, PropertyContext::Connect);
    }
    put_string(out, p.client_id);
    if (p.will) {
        if (v5) {
            write_properties(out, p.will->props, PropertyContext::Will);
        }
        put_string(out, p.will->topic);
        put_string(out, p.will->payload);
    }
    if (p.username) {
        put_string(out, *p.username);
    }
    if (p.password) {
        put_string(out, *p.password);
    }
}

template <class Sink>
void write_body(Sink& out, const Connack& p, bool v5) {
    out.u8(p.session_present ? 0x01 : 0x00);
    out.u8(p.code);
    if (v5) {
        write_properties(out, p.props, PropertyContext::Connack);
    }
}

template <class Sink>
void write_body(Sink& out, const PublishView& p, bool v5) {
    put_string(out, p.topic);
    if (p.qos > 0) {
        out.u16(p.packet_id);
    }
    if (v5) {
        static const Properties kNone;
        write_properties(out, p.props ? *p.props : kNone, PropertyContext::Publish);
    }
    out.bytes(p.payload);
}

PublishView view_of(const Publish& p) {
    return {p.dup, p.qos, p.retain, p.topic, p.packet_id, p.payload, &p.props};
}

// v5 reason code and properties in their shortest form: both left out for success with no
// properties, the property length left out when there are none. PUBACK-likes and DISCONNECT
// allow both shortenings (sections 3.4.2.1, 3.14.2.1).
template <class Sink>
void write_reason_tail(Sink& out, std::uint8_t reason, const Properties& props,
                       PropertyContext ctx) {
    const bool has_props = property_list_size(props, ctx) != 0;
    if (reason == 0 && !has_props) {
        return;
    }
    out.u8(reason);
    if (has_props) {
        write_properties(out, props, ctx);
    }
}

template <class Sink>
void write_body(Sink& out, const PubAckLike& p, bool v5) {
    out.u16(p.packet_id);
    if (v5) {
        write_reason_tail(out, p.reason, p.props, PropertyContext::PubAck);
    }
}

std::uint8_t options_byte(const SubscriptionOptions& o, bool v5) {
    unsigned b = o.qos & 0x03u;
    if (v5) {
        b |= (o.no_local ? 0x04u : 0x00u) | (o.retain_as_published ? 0x08u : 0x00u) |
             ((o.retain_handling & 0x03u) << 4);
    }
    return static_cast<std::uint8_t>(b);
}

template <class Sink>
void write_body(Sink& out, const Subscribe& p, bool v5) {
    out.u16(p.packet_id);
    if (v5) {
        write_properties(out, p.props, PropertyContext::Subscribe);
    }
    for (const auto& [filter, options] : p.filters) {
        put_string(out, filter);
        out.u8(options_byte(options, v5));
    }
}

template <class Sink>
void write_body(Sink& out, const Suback& p, bool v5) {
    out.u16(p.packet_id);
    if (v5) {
        write_properties(out, p.props, PropertyContext::Suback);
    }
    for (std::uint8_t code : p.codes) {
        out.u8(code);
    }
}

template <class Sink>
void write_body(Sink& out, const Unsubscribe& p, bool v5) {
    out.u16(p.packet_id);
    if (v5) {
        write_properties(out, p.props, PropertyContext::Unsubscribe);
    }
    for (const auto& filter : p.filters) {
        put_string(out, filter);
    }
}

template <class Sink>
void write_body(Sink& out, const Unsuback& p, bool v5) {
    out.u16(p.packet_id);
    // 3.1.1 has no payload here; v5 has one reason code per filter.
    if (!v5) {
        return;
    }
    write_properties(out, p.props, PropertyContext::Unsuback);
    for (std::uint8_t code : p.codes) {
        out.u8(code);
    }
}

template <class Sink>
void write_body(Sink&, const Pingreq&, bool) {}

template <class Sink>
void write_body(Sink&, const Pingresp&, bool) {}

template <class Sink>
void write_body(Sink& out, const Disconnect& p, bool v5) {
    if (v5) {
        write_reason_tail(out, p.reason, p.props, PropertyContext::Disconnect);
    }
}

// AUTH exists only in v5, so it is written in v5 form whatever the argument. Only the fully
// empty form is a documented shortening (section 3.15.2.1).
template <class Sink>
void write_body(Sink& out, const Auth& p, bool) {
    if (p.reason == 0 && property_list_size(p.props, PropertyContext::Auth) == 0) {
        return;
    }
    out.u8(p.reason);
    write_properties(out, p.props, PropertyContext::Auth);
}

template <class P>
void emit(const P& packet, bool v5, ByteWriter& out) {
    ByteCounter counter;
    write_body(counter, packet, v5);
    assert(counter.size() <= kVarintMax);
    const auto remaining = static_cast<std::uint32_t>(counter.size());
    out.reserve(out.size() + 1 + varint_size(remaining) + remaining);
    out.u8(first_byte(packet));
    write_varint(out, remaining);
    write_body(out, packet, v5);
}

}  // namespace

void encode(const Packet& packet, ProtocolVersion version, ByteWriter& out) {
    const bool v5 = version == ProtocolVersion::V5;
    std::visit(
        [&](const auto& p) {
            if constexpr (std::is_same_v<std::decay_t<decltype(p)>, Publish>) {
                emit(view_of(p), v5, out);
            } else {
                emit(p, v5, out);
            }
        },
        packet);
}

void encode_publish(const PublishView& publish, ProtocolVersion version, ByteWriter& out) {
    emit(publish, version == ProtocolVersion::V5, out);
}

}  // namespace sy::mqtt

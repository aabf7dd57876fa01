// CONNECT and CONNACK bodies.

#include <cstdint>
#include <string>

#include "protocols/mqtt/codec/decode_packets.hpp"
#include "protocols/mqtt/codec/properties.hpp"

namespace sy::mqtt::detail {

namespace {

constexpr std::uint8_t kReservedFlag = 0x01;
constexpr std::uint8_t kCleanStartFlag = 0x02;
constexpr std::uint8_t kWillFlag = 0x04;
constexpr std::uint8_t kWillQosMask = 0x18;
constexpr std::uint8_t kWillRetainFlag = 0x20;
constexpr std::uint8_t kPasswordFlag = 0x40;
constexpr std::uint8_t kUsernameFlag = 0x80;

Fault unsupported(const char* what) {
    return {what, reason::kUnsupportedProtocolVersion, DecodeStatus::Unsupported};
}

// Protocol name and level. "MQIsdp" level 3 is MQTT 3.1, read as 3.1.1 from here on; any
// other pairing gets Unsupported so the session can refuse it with CONNACK 0x01 / 0x84
// [MQTT-3.1.2-2].
Fault read_protocol(FieldReader& in, Connect& out) {
    std::uint8_t level = 0;
    if (Fault f = in.utf8(out.protocol_name)) {
        return f;
    }
    if (Fault f = in.u8(level)) {
        return f;
    }
    if (out.protocol_name == "MQTT") {
        if (level != 4 && level != 5) {
            return unsupported("unsupported protocol level");
        }
    } else if (out.protocol_name == "MQIsdp") {
        if (level != 3) {
            return unsupported("unsupported protocol level");
        }
    } else {
        return unsupported("unknown protocol name [MQTT-3.1.2-1]");
    }
    out.version = static_cast<ProtocolVersion>(level);
    return {};
}

Fault check_connect_flags(std::uint8_t flags, ProtocolVersion version) {
    if ((flags & kReservedFlag) != 0) {
        return malformed("reserved connect flag set [MQTT-3.1.2-3]");
    }
    const auto will_qos = (flags & kWillQosMask) >> 3;
    if ((flags & kWillFlag) == 0) {
        if (will_qos != 0) {
            return malformed("will QoS without a will [MQTT-3.1.2-11,13]");
        }
        if ((flags & kWillRetainFlag) != 0) {
            return malformed("will retain without a will [MQTT-3.1.2-15]");
        }
    } else if (will_qos == 3) {
        return malformed("will QoS 3 [MQTT-3.1.2-14]");
    }
    // v5 dropped this rule so a password can carry a token without a user name.
    if (version != ProtocolVersion::V5 && (flags & kPasswordFlag) != 0 &&
        (flags & kUsernameFlag) == 0) {
        return malformed("password without user name [MQTT-3.1.2-22]");
    }
    return {};
}

Fault read_will(FieldReader& in, std::uint8_t flags, bool v5, Will& will) {
    will.qos = static_cast<std::uint8_t>((flags & kWillQosMask) >> 3);
    will.retain = (flags & kWillRetainFlag) != 0;
    if (v5) {
        if (Fault f = read_properties(in, PropertyContext::Will, will.props)) {
            return f;
        }
    }
    // Wildcards in the will topic are left to the session, which can answer v5 clients with
    // CONNACK 0x90 rather than closing on a malformed packet.
    if (Fault f = in.utf8(will.topic)) {
        return f;
    }
    return in.binary(will.payload);
}

Fault read_connect_properties(FieldReader& in, Properties& props) {
    if (Fault f = read_properties(in, PropertyContext::Connect, props)) {
        return f;
    }
    if (props.authentication_data && !props.authentication_method) {
        return protocol_error("authentication data without a method");
    }
    return {};
}

}  // namespace

Fault decode_connect(FieldReader& in, Connect& out) {
    if (Fault f = read_protocol(in, out)) {
        return f;
    }
    const bool v5 = out.version == ProtocolVersion::V5;
    std::uint8_t flags = 0;
    if (Fault f = in.u8(flags)) {
        return f;
    }
    if (Fault f = check_connect_flags(flags, out.version)) {
        return f;
    }
    out.clean_start = (flags & kCleanStartFlag) != 0;
    if (Fault f = in.u16(out.keep_alive)) {
        return f;
    }
    if (v5) {
        if (Fault f = read_connect_properties(in, out.props)) {
            return f;
        }
    }
    // Payload order is fixed: client id, will, user name, password (section 3.1.3).
    if (Fault f = in.utf8(out.client_id)) {
        return f;
    }
    if ((flags & kWillFlag) != 0) {
        if (Fault f = read_will(in, flags, v5, out.will.emplace())) {
            return f;
        }
    }
    if ((flags & kUsernameFlag) != 0) {
        if (Fault f = in.utf8(out.username.emplace())) {
            return f;
        }
    }
    if ((flags & kPasswordFlag) != 0) {
        return in.binary(out.password.emplace());
    }
    return {};
}

Fault decode_connack(FieldReader& in, bool v5, Connack& out) {
    std::uint8_t flags = 0;
    if (Fault f = in.u8(flags)) {
        return f;
    }
    // Bits 7-1 of the acknowledge flags are reserved (section 3.2.2.1).
    if ((flags & 0xFE) != 0) {
        return malformed("reserved CONNACK flags set");
    }
    out.session_present = (flags & 0x01) != 0;
    if (Fault f = in.u8(out.code)) {
        return f;
    }
    if (out.session_present && out.code != 0) {
        return malformed("session present on a refused connection [MQTT-3.2.2-4]");
    }
    if (v5) {
        return read_properties(in, PropertyContext::Connack, out.props);
    }
    return {};
}

}  // namespace sy::mqtt::detail

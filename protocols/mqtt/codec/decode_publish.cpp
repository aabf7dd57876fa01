// PUBLISH and the four acknowledgements of the QoS 1/2 flows.

#include <cstdint>
#include <string>

#include "protocols/mqtt/codec/decode_packets.hpp"
#include "protocols/mqtt/codec/properties.hpp"

namespace sy::mqtt::detail {

namespace {

Fault check_topic(const Publish& p, bool v5) {
    if (p.topic.find_first_of("+#") != std::string::npos) {
        return malformed("wildcard in a PUBLISH topic name [MQTT-3.3.2-2]");
    }
    if (p.props.topic_alias == std::uint16_t{0}) {
        return {"topic alias 0 [MQTT-3.3.2-8]", reason::kTopicAliasInvalid,
                DecodeStatus::Malformed};
    }
    if (p.topic.empty()) {
        // A v5 sender may leave the name out once it has bound an alias to it; the session
        // resolves the alias. 3.1.1 has no aliases [MQTT-4.7.3-1].
        if (!v5) {
            return malformed("empty topic name [MQTT-4.7.3-1]");
        }
        if (!p.props.topic_alias) {
            return protocol_error("empty topic name without a topic alias");
        }
    }
    return {};
}

}  // namespace

Fault decode_publish(FieldReader& in, std::uint8_t flags, bool v5, Publish& out) {
    out.dup = (flags & 0x08) != 0;
    out.qos = static_cast<std::uint8_t>((flags >> 1) & 0x03);
    out.retain = (flags & 0x01) != 0;
    if (Fault f = in.utf8(out.topic)) {
        return f;
    }
    if (out.qos > 0) {
        if (Fault f = in.packet_id(out.packet_id)) {
            return f;
        }
    }
    if (v5) {
        if (Fault f = read_properties(in, PropertyContext::Publish, out.props)) {
            return f;
        }
    }
    if (Fault f = check_topic(out, v5)) {
        return f;
    }
    in.rest(out.payload);
    return {};
}

Fault decode_pub_ack(FieldReader& in, bool v5, PubAckLike& out) {
    if (Fault f = in.packet_id(out.packet_id)) {
        return f;
    }
    // v5 shortens these: remaining length 2 means reason 0x00, and below 4 there is no
    // property length (section 3.4.2.1).
    if (!v5 || in.empty()) {
        return {};
    }
    if (Fault f = in.u8(out.reason)) {
        return f;
    }
    if (in.empty()) {
        return {};
    }
    return read_properties(in, PropertyContext::PubAck, out.props);
}

}  // namespace sy::mqtt::detail

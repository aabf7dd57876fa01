// SUBSCRIBE, SUBACK, UNSUBSCRIBE and UNSUBACK bodies. Filters are only checked as strings
// here: wildcard placement is the session's call, since it answers a bad filter with a
// per-filter failure code rather than closing the connection.

#include <cstdint>
#include <string>

#include "protocols/mqtt/codec/decode_packets.hpp"
#include "protocols/mqtt/codec/properties.hpp"

namespace sy::mqtt::detail {

namespace {

Fault read_options(FieldReader& in, bool v5, SubscriptionOptions& out) {
    std::uint8_t options = 0;
    if (Fault f = in.u8(options)) {
        return f;
    }
    out.qos = static_cast<std::uint8_t>(options & 0x03);
    if (out.qos == 3) {
        return malformed("subscription QoS 3 [MQTT-3-8.3-4]");
    }
    if (!v5) {
        if ((options & 0xFC) != 0) {
            return malformed("reserved subscription bits set [MQTT-3-8.3-4]");
        }
        return {};
    }
    if ((options & 0xC0) != 0) {
        return malformed("reserved subscription option bits set [MQTT-3.8.3-5]");
    }
    out.no_local = (options & 0x04) != 0;
    out.retain_as_published = (options & 0x08) != 0;
    out.retain_handling = static_cast<std::uint8_t>((options >> 4) & 0x03);
    if (out.retain_handling == 3) {
        return protocol_error("retain handling 3");
    }
    return {};
}

}  // namespace

Fault decode_subscribe(FieldReader& in, bool v5, Subscribe& out) {
    if (Fault f = in.packet_id(out.packet_id)) {
        return f;
    }
    if (v5) {
        if (Fault f = read_properties(in, PropertyContext::Subscribe, out.props)) {
            return f;
        }
    }
    if (in.empty()) {
        return protocol_error("SUBSCRIBE without a topic filter [MQTT-3.8.3-3]");
    }
    while (!in.empty()) {
        auto& [filter, options] = out.filters.emplace_back();
        if (Fault f = in.utf8(filter)) {
            return f;
        }
        if (Fault f = read_options(in, v5, options)) {
            return f;
        }
    }
    return {};
}

Fault decode_suback(FieldReader& in, bool v5, Suback& out) {
    if (Fault f = in.packet_id(out.packet_id)) {
        return f;
    }
    if (v5) {
        if (Fault f = read_properties(in, PropertyContext::Suback, out.props)) {
            return f;
        }
    }
    // One code per filter of the SUBSCRIBE, and that had at least one.
    if (in.empty()) {
        return protocol_error("SUBACK without return codes");
    }
    while (!in.empty()) {
        std::uint8_t code = 0;
        if (Fault f = in.u8(code)) {
            return f;
        }
        if (!v5 && code > 2 && code != 0x80) {
            return malformed("reserved SUBACK return code [MQTT-3.9.3-2]");
        }
        out.codes.push_back(code);
    }
    return {};
}

Fault decode_unsubscribe(FieldReader& in, bool v5, Unsubscribe& out) {
    if (Fault f = in.packet_id(out.packet_id)) {
        return f;
    }
    if (v5) {
        if (Fault f = read_properties(in, PropertyContext::Unsubscribe, out.props)) {
            return f;
        }
    }
    if (in.empty()) {
        return protocol_error("UNSUBSCRIBE without a topic filter [MQTT-3.10.3-2]");
    }
    while (!in.empty()) {
        if (Fault f = in.utf8(out.filters.emplace_back())) {
            return f;
        }
    }
    return {};
}

Fault decode_unsuback(FieldReader& in, bool v5, Unsuback& out) {
    if (Fault f = in.packet_id(out.packet_id)) {
        return f;
    }
    // A 3.1.1 UNSUBACK is the packet identifier alone.
    if (!v5) {
        return {};
    }
    if (Fault f = read_properties(in, PropertyContext::Unsuback, out.props)) {
        return f;
    }
    if (in.empty()) {
        return protocol_error("UNSUBACK without reason codes");
    }
    while (!in.empty()) {
        std::uint8_t code = 0;
        if (Fault f = in.u8(code)) {
            return f;
        }
        out.codes.push_back(code);
    }
    return {};
}

}  // namespace sy::mqtt::detail

#include "firmware-sim/mqtt_connect_packet.hpp"

namespace sy::sim {
namespace {

void put_varint(std::string& out, std::size_t value) {
    do {
        auto byte = static_cast<std::uint8_t>(value % 128);
        value /= 128;
        if (value > 0) byte |= 0x80;
        out.push_back(static_cast<char>(byte));
    } while (value > 0);
}

void put_u16(std::string& out, std::size_t value) {
    out.push_back(static_cast<char>((value >> 8) & 0xff));
    out.push_back(static_cast<char>(value & 0xff));
}

}  // namespace

std::string encode_connect(std::string_view client_id, std::uint16_t keepalive_s,
                           int mqtt_version) {
    const bool v5 = mqtt_version == 5;
    std::string body;
    put_u16(body, 4);
    body += "MQTT";
    body.push_back(static_cast<char>(v5 ? 5 : 4));  // protocol level [MQTT-3.1.2-2]
    body.push_back(0x02);                           // clean session / clean start
    put_u16(body, keepalive_s);
    if (v5) body.push_back(0);  // no properties
    put_u16(body, client_id.size());
    body += client_id;

    std::string packet(1, '\x10');
    put_varint(packet, body.size());
    return packet + body;
}

ConnackResult parse_connack(std::string_view bytes) {
    using Status = ConnackResult::Status;
    if (bytes.empty()) return {};
    if (static_cast<std::uint8_t>(bytes[0]) != 0x20) return {Status::Malformed, 0, 0};
    // Remaining length: at most four bytes of seven bits each [MQTT-2.2.3].
    std::size_t length = 0;
    std::size_t pos = 1;
    for (int shift = 0;; shift += 7) {
        if (pos >= bytes.size()) return {};
        if (shift > 21) return {Status::Malformed, 0, 0};
        const auto b = static_cast<std::uint8_t>(bytes[pos++]);
        length |= static_cast<std::size_t>(b & 0x7f) << shift;
        if ((b & 0x80) == 0) break;
    }
    if (length < 2) return {Status::Malformed, 0, 0};
    if (bytes.size() < pos + length) return {};
    const auto code = static_cast<std::uint8_t>(bytes[pos + 1]);
    return {code == 0 ? Status::Accepted : Status::Refused, code, pos + length};
}

}  // namespace sy::sim

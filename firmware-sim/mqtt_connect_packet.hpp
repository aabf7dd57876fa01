#pragma once
// The few MQTT packets the connection test needs, and nothing more: CONNECT out, CONNACK in,
// PINGREQ and DISCONNECT out. The test times the broker's answer to a bare TCP connect plus
// CONNECT, which a full client library cannot do (see README.md, "Design notes"). Pure; no I/O.

#include <cstdint>
#include <string>
#include <string_view>

namespace sy::sim {

// A clean-session (MQTT 5: clean-start) CONNECT with no will, no credentials, no properties.
// `mqtt_version` is 3 (3.1.1, protocol level 4) or 5.
std::string encode_connect(std::string_view client_id, std::uint16_t keepalive_s, int mqtt_version);

inline constexpr std::string_view kPingreq{"\xC0\x00", 2};
inline constexpr std::string_view kDisconnect{"\xE0\x00", 2};

struct ConnackResult {
    enum class Status { NeedMore, Accepted, Refused, Malformed } status = Status::NeedMore;
    std::uint8_t code = 0;  // the return code (3.1.1) or reason code (5)
    std::size_t size = 0;   // bytes of the packet, once complete
};

// Looks at the first bytes a broker sent after CONNECT [MQTT-3.2].
ConnackResult parse_connack(std::string_view bytes);

}  // namespace sy::sim

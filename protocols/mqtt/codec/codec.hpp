#pragma once
// Sans-I/O MQTT codec: bytes in, packets out, and back. No sockets, clocks, logging, global
// state or exceptions, so it can be fuzzed on its own.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "protocols/common/byte_writer.hpp"
#include "protocols/mqtt/codec/packets.hpp"

namespace sy::mqtt {

enum class DecodeStatus : std::uint8_t { Complete, NeedMore, Malformed, Unsupported, TooLarge };

struct DecodeResult {
    DecodeStatus status = DecodeStatus::NeedMore;
    std::size_t consumed = 0;  // bytes of the input used by a Complete packet
    // For Malformed/Unsupported/TooLarge: why, for the log and the v5 reason string.
    const char* error = nullptr;
    // The v5 reason code the broker should answer with (0x81 malformed, 0x82 protocol error,
    // 0x84 unsupported version, 0x95 too large ...).
    std::uint8_t reason = 0;
};

struct DecoderLimits {
    std::uint32_t max_packet_size = 268435460;  // whole packet, fixed header included
};

class Decoder {
public:
    explicit Decoder(DecoderLimits limits = {}) : limits_(limits) {}

    // The version decides how every packet after CONNECT is read. A server decoder starts
    // unknown and learns it from CONNECT; call set_version() for a client decoder.
    void set_version(ProtocolVersion v) { version_ = v; }
    ProtocolVersion version() const { return version_; }

    // Decodes at most one packet from the front of input. On Complete, out holds it and
    // result.consumed says how many bytes it took. A CONNECT sets the decoder's version.
    // Validation covers everything the spec requires of the bytes themselves: reserved
    // flag bits, remaining length, UTF-8 rules for strings [MQTT-1.5.3-1..3], QoS 3, a
    // zero packet id where one is required, an empty SUBSCRIBE, properties that are not
    // allowed on the packet or repeated, wildcards in a PUBLISH topic name.
    DecodeResult decode(std::span<const std::byte> input, Packet& out);

private:
    DecoderLimits limits_;
    ProtocolVersion version_ = ProtocolVersion::V311;
};

// Appends the encoding of packet, for the given protocol version, to out.
void encode(const Packet& packet, ProtocolVersion version, ByteWriter& out);

// A PUBLISH whose topic and payload are borrowed: the delivery hot path encodes from the
// stored message without first copying its payload into a Publish.
struct PublishView {
    bool dup = false;
    std::uint8_t qos = 0;
    bool retain = false;
    std::string_view topic;
    std::uint16_t packet_id = 0;
    std::string_view payload;
    const Properties* props = nullptr;  // v5 only; nullptr means none
};
void encode_publish(const PublishView& publish, ProtocolVersion version, ByteWriter& out);

// Topic rules shared by the codec and the sessions.
bool valid_topic_name(std::string_view topic);    // non-empty, no '+' or '#'
bool valid_topic_filter(std::string_view filter); // wildcard placement [MQTT-4.7.1-2,3]

}  // namespace sy::mqtt

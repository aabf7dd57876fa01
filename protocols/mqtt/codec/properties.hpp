#pragma once
// Private to the codec: MQTT 5 property lists (section 2.2.2). Which properties a packet may
// carry is a table here, used both ways: the decoder rejects the rest as malformed, the
// encoder leaves them out.

#include <cstdint>

#include "protocols/common/byte_counter.hpp"
#include "protocols/common/byte_writer.hpp"
#include "protocols/mqtt/codec/field_reader.hpp"
#include "protocols/mqtt/codec/packets.hpp"

namespace sy::mqtt::detail {

// Where a property list sits. The four PUBACK-like packets share one allow list.
enum class PropertyContext : std::uint16_t {
    Connect = 1u << 0,
    Will = 1u << 1,
    Connack = 1u << 2,
    Publish = 1u << 3,
    PubAck = 1u << 4,
    Subscribe = 1u << 5,
    Suback = 1u << 6,
    Unsubscribe = 1u << 7,
    Unsuback = 1u << 8,
    Disconnect = 1u << 9,
    Auth = 1u << 10,
};

// Reads the property length and the list it covers into props (which starts empty).
Fault read_properties(FieldReader& in, PropertyContext ctx, Properties& props);

// Bytes of the list alone, without its length prefix.
std::size_t property_list_size(const Properties& props, PropertyContext ctx);

// Length prefix and list. The counting overload lets body writers run over a ByteCounter.
void write_properties(ByteWriter& out, const Properties& props, PropertyContext ctx);
void write_properties(ByteCounter& out, const Properties& props, PropertyContext ctx);

}  // namespace sy::mqtt::detail

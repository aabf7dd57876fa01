#pragma once
// Private to the codec: one body decoder per packet type. Each gets a reader over exactly the
// packet's remaining-length bytes (fixed header already checked) and fills a fresh packet;
// Decoder::decode rejects any bytes a body decoder leaves unread.

#include <cstdint>

#include "protocols/mqtt/codec/field_reader.hpp"
#include "protocols/mqtt/codec/packets.hpp"

namespace sy::mqtt::detail {

Fault decode_connect(FieldReader& in, Connect& out);
Fault decode_connack(FieldReader& in, bool v5, Connack& out);
Fault decode_publish(FieldReader& in, std::uint8_t flags, bool v5, Publish& out);
Fault decode_pub_ack(FieldReader& in, bool v5, PubAckLike& out);
Fault decode_subscribe(FieldReader& in, bool v5, Subscribe& out);
Fault decode_suback(FieldReader& in, bool v5, Suback& out);
Fault decode_unsubscribe(FieldReader& in, bool v5, Unsubscribe& out);
Fault decode_unsuback(FieldReader& in, bool v5, Unsuback& out);
Fault decode_disconnect(FieldReader& in, bool v5, Disconnect& out);
Fault decode_auth(FieldReader& in, Auth& out);

}  // namespace sy::mqtt::detail

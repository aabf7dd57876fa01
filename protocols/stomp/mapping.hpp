#pragma once
// STOMP frames <-> the common message model (DESIGN.md mapping table, RabbitMQ's STOMP
// header names):
//   content-type, content-encoding, correlation-id   <-> the properties of the same name
//   reply-to     /topic/<key> <-> routing key <key> (what MQTT's response topic maps to);
//                any other destination is kept as written
//   persistent:true                                  <-> props.persistent (and QoS 1)
//   expiration   relative ms, as RabbitMQ            <-> props.expiration_ms
//   expires      absolute ms since the epoch (ActiveMQ), read on SEND, written on MESSAGE
//   priority, timestamp (s), amqp-message-id         <-> priority, timestamp_s, message_id
//   every other header                               <-> Message::headers (strings)
// Server-set headers (message-id, subscription, ack, destination, content-length,
// redelivered) always win: a publisher cannot forge them (LESSONS.md 8).

#include <cstdint>
#include <string>
#include <string_view>

#include "core/model/message.hpp"
#include "protocols/stomp/codec/frame.hpp"

namespace sy::stomp {

// The message a SEND frame publishes. exchange and routing_key come from its destination;
// reply-to is mapped as above (a /temp-queue/ is the connection's business, see Connection).
core::Message to_message(const Frame& send, std::string exchange, std::string routing_key,
                         std::int64_t now_wall_ms);

// Headers that configure queues on SEND and SUBSCRIBE (durable, auto-delete, exclusive and
// the x- arguments RabbitMQ reads): not message headers.
bool is_queue_header(std::string_view name);

// Whether a message header of this name is set by the server on MESSAGE frames (or is a
// frame-level header), so that a header of that name from elsewhere is dropped.
bool is_reserved_header(std::string_view name);

// reply-to as a MESSAGE shows it: a routing key becomes /topic/<key>.
std::string reply_to_header(const std::string& reply_to);

// Text of a header value for a STOMP header.
std::string header_text(const core::HeaderValue& v);

bool parse_uint(std::string_view text, std::uint64_t& out);

}  // namespace sy::stomp

#pragma once
// AMQP 0-9-1 <-> the common model (DESIGN.md mapping table). Field tables become typed headers;
// values the model cannot type (tables, arrays, decimals, timestamps, byte arrays, void) travel
// in their wire form, so AMQP-to-AMQP is exact. The basic properties the model has no slot for
// (type, app-id, user-id, cluster-id) ride in x-amqp-* headers that AMQP strips again.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/model/message.hpp"
#include "protocols/amqp/codec/frames.hpp"

namespace sy::amqp {

// exact: every value comes back with its own type letter (message headers, where AMQP
// consumers expect what was sent); otherwise integers and floats become plain numbers
// (arguments, which the broker reads).
core::Headers to_headers(const FieldTable& table, bool exact = false);
FieldTable to_field_table(const core::Headers& headers);

// The expiration property is milliseconds as a decimal string (RabbitMQ: digits only, fits
// 32 bits unsigned... we accept anything up to 64 bits). nullopt: not a valid expiration.
std::optional<std::uint64_t> parse_expiration(std::string_view text);

// A publish as the model's message. The caller has checked the properties (parse_expiration,
// user-id) already.
core::Message to_message(const BasicPublish& publish, BasicProperties&& props, std::string&& body);

// The properties a consumer sees. x-death, which the model keeps flat (core/broker/
// dead_letter.hpp), goes back to RabbitMQ's array of tables; MQTT publishes show their QoS in
// x-mqtt-publish-qos as RabbitMQ's MQTT plugin does.
BasicProperties to_properties(const core::Message& m);

inline constexpr std::string_view kAmqpHeaderPrefix = "x-amqp-";

}  // namespace sy::amqp

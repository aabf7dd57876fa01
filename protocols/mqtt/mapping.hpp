#pragma once
// MQTT <-> the common model (DESIGN.md mapping table). Topic levels keep their meaning in every
// direction: '/' and '.' swap places, as RabbitMQ does, so MQTT "a/b.c" is routing key "a.b/c"
// and back again exactly.

#include <optional>
#include <string>
#include <string_view>

#include "core/model/message.hpp"
#include "core/routing/topic_pattern.hpp"
#include "protocols/mqtt/codec/packets.hpp"

namespace sy::mqtt {

std::string topic_to_routing_key(std::string_view topic);
std::string routing_key_to_topic(std::string_view key);
// '+' and '#' whole levels become wildcards; anything else, '*' included, is literal.
core::TopicPattern filter_to_pattern(std::string_view filter);

// "$share/<group>/<filter>": a shared subscription, valid in 3.1.1 (as Mosquitto offers it)
// and 5.
struct SharedFilter {
    std::string group;
    std::string filter;
};
std::optional<SharedFilter> parse_shared(std::string_view filter);

core::Message to_message(Publish&& publish, const std::string& client_id,
                         const std::string& user);

// Headers whose names start with this carry MQTT-only facts through the common model (the
// payload format indicator); they are not shown as user properties.
inline constexpr std::string_view kMqttHeaderPrefix = "x-mqtt-";
inline constexpr std::string_view kPayloadFormatHeader = "x-mqtt-payload-format";

// The MQTT 5 PUBLISH properties of a message on its way to a subscriber: content type,
// response topic, correlation data, user properties, payload format and the expiry interval
// left at now_wall_ms [MQTT-3.3.2-6].
Properties outbound_properties(const core::Message& m, std::int64_t now_wall_ms);

}  // namespace sy::mqtt

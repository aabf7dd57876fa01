#pragma once
// MQTT <-> the common model (DESIGN.md mapping table). Topic levels keep their meaning in every
// direction: '/' and '.' swap places, as RabbitMQ does, so MQTT "a/b.c" is routing key "a.b/c"
// and back again exactly.

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

core::Message to_message(Publish&& publish, const std::string& client_id,
                         const std::string& user);

}  // namespace sy::mqtt

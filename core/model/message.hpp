#pragma once
// The one message model every protocol adapter translates into (DESIGN.md, "The common
// message model"). A Message is immutable once published and shared by every queue it is
// routed to, so a payload is stored once however many subscribers it has.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/model/ids.hpp"

namespace sy::core {

enum class Protocol : std::uint8_t { Internal, Mqtt, Amqp, Stomp, Bridge };

// A header value keeps the type the publisher gave it so AMQP field tables survive a round
// trip; MQTT user properties and STOMP headers are always strings.
using HeaderValue = std::variant<std::string, std::int64_t, double, bool>;
using Headers = std::vector<std::pair<std::string, HeaderValue>>;

struct Properties {
    std::optional<std::string> content_type;
    std::optional<std::string> content_encoding;
    std::optional<std::string> correlation_id;
    std::optional<std::string> reply_to;
    std::optional<std::string> message_id;
    std::optional<std::uint64_t> expiration_ms;  // relative, from the time of publish
    std::optional<std::uint64_t> timestamp_s;
    std::optional<std::uint8_t> priority;
    bool persistent = false;
};

struct Origin {
    Protocol protocol = Protocol::Internal;
    std::string client_id;
    std::string user;
};

struct Message {
    MessageId id;               // assigned by the broker on publish
    std::string exchange;       // "" is the default exchange
    // Routing key in AMQP form: levels separated by '.', a '/' inside a level stands for an
    // MQTT '.'. Protocol mappings convert at the edge so every round trip is exact.
    std::string routing_key;
    std::string payload;        // bytes; std::string is binary-safe
    Headers headers;
    Properties props;
    Origin origin;
    std::uint8_t qos = 0;       // publisher's QoS (AMQP: 1 when persistent)
    bool retain = false;
    std::int64_t published_at_ms = 0;  // broker clock, for TTL and expiry
};

using MessagePtr = std::shared_ptr<const Message>;

}  // namespace sy::core

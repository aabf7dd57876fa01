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

// A header value AMQP can express but the other types cannot (a table, an array, a decimal, a
// timestamp, a byte array, void): kept in its AMQP wire form (type letter, then the value) so
// an AMQP-to-AMQP trip is exact; MQTT and STOMP show `text`.
struct WireValue {
    std::string wire;
    std::string text;
    bool operator==(const WireValue&) const = default;
};

// A header value keeps the type the publisher gave it so AMQP field tables survive a round
// trip; MQTT user properties and STOMP headers are always strings.
using HeaderValue = std::variant<std::string, std::int64_t, double, bool, WireValue>;
using Headers = std::vector<std::pair<std::string, HeaderValue>>;

// A header value as text, for protocols whose headers are strings (MQTT user properties,
// STOMP headers): numbers in decimal, booleans as true/false.
inline std::string to_text(const HeaderValue& v) {
    if (const auto* s = std::get_if<std::string>(&v)) return *s;
    if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
    if (const auto* d = std::get_if<double>(&v)) return std::to_string(*d);
    if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
    return std::get<WireValue>(v).text;
}

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

#pragma once
// AMQP 0-9-1 frames as plain data (spec section 4.2.3): a method, a content header, a piece of
// content body, or a heartbeat. Content arrives as a method that carries content
// (carries_content()), then one header, then body frames until body_size octets have come;
// putting them together is the session's job.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "protocols/amqp/codec/constants.hpp"
#include "protocols/amqp/codec/field_table.hpp"
#include "protocols/amqp/codec/methods.hpp"

namespace sy::amqp {

// The 8 octets a client sends first (section 4.2.2): "AMQP", then protocol id, major, minor
// and revision. 0-9-1 is "AMQP" 0 0 9 1; 0-9 and 0-8 clients send "AMQP" 1 1 0 9 and
// "AMQP" 1 1 8 0, AMQP 1.0 clients "AMQP" 0|2|3 1 0 0.
struct ProtocolHeader {
    std::uint8_t protocol_id = 0;
    std::uint8_t major = 0;
    std::uint8_t minor = 9;
    std::uint8_t revision = 1;
    bool operator==(const ProtocolHeader&) const = default;
};
inline constexpr ProtocolHeader kSupportedProtocol{};
inline constexpr std::size_t kProtocolHeaderSize = 8;

// Bits of the content header's property-flags word; the first property is the highest bit.
// Bit 0 would announce a further flags word, which the basic class never needs.
namespace property_flag {
inline constexpr std::uint16_t kContentType = 0x8000;
inline constexpr std::uint16_t kContentEncoding = 0x4000;
inline constexpr std::uint16_t kHeaders = 0x2000;
inline constexpr std::uint16_t kDeliveryMode = 0x1000;
inline constexpr std::uint16_t kPriority = 0x0800;
inline constexpr std::uint16_t kCorrelationId = 0x0400;
inline constexpr std::uint16_t kReplyTo = 0x0200;
inline constexpr std::uint16_t kExpiration = 0x0100;
inline constexpr std::uint16_t kMessageId = 0x0080;
inline constexpr std::uint16_t kTimestamp = 0x0040;
inline constexpr std::uint16_t kType = 0x0020;
inline constexpr std::uint16_t kUserId = 0x0010;
inline constexpr std::uint16_t kAppId = 0x0008;
inline constexpr std::uint16_t kClusterId = 0x0004;
inline constexpr std::uint16_t kAll = 0xFFFC;
}  // namespace property_flag

// The basic class's 14 content properties. A property is on the wire, and its flag set,
// exactly when the optional holds a value (an empty string or table is still "present").
struct BasicProperties {
    std::optional<std::string> content_type;      // shortstr
    std::optional<std::string> content_encoding;  // shortstr
    std::optional<FieldTable> headers;
    std::optional<std::uint8_t> delivery_mode;    // 1 transient, 2 persistent
    std::optional<std::uint8_t> priority;         // 0..9
    std::optional<std::string> correlation_id;
    std::optional<std::string> reply_to;
    std::optional<std::string> expiration;        // milliseconds, as a decimal string
    std::optional<std::string> message_id;
    std::optional<std::uint64_t> timestamp;       // seconds since the epoch
    std::optional<std::string> type;
    std::optional<std::string> user_id;           // RabbitMQ checks it against the login
    std::optional<std::string> app_id;
    std::optional<std::string> cluster_id;        // reserved in 0-9-1, carried through
    bool operator==(const BasicProperties&) const = default;
};

// The property-flags word for props.
std::uint16_t property_flags(const BasicProperties& props);

struct MethodFrame {
    std::uint16_t channel = 0;
    Method method;
    bool operator==(const MethodFrame&) const = default;
};

struct ContentHeader {
    std::uint16_t channel = 0;  // never 0
    std::uint16_t class_id = kBasicClass;  // the decoder accepts only the basic class
    std::uint64_t body_size = 0;           // total octets of the body frames that follow
    BasicProperties properties;
    bool operator==(const ContentHeader&) const = default;
};

struct ContentBody {
    std::uint16_t channel = 0;  // never 0
    std::string payload;        // one piece of the body, at most frame_max - 8 octets
    bool operator==(const ContentBody&) const = default;
};

// Always on channel 0; a heartbeat on any other channel does not decode.
struct Heartbeat {
    bool operator==(const Heartbeat&) const = default;
};

using Frame = std::variant<MethodFrame, ContentHeader, ContentBody, Heartbeat>;

}  // namespace sy::amqp

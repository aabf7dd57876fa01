#pragma once
// MQTT 3.1.1 and 5.0 control packets as plain data. One struct per packet type, gathered in
// a std::variant. The codec fills and reads these; it never acts on them.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace sy::mqtt {

enum class ProtocolVersion : std::uint8_t { V31 = 3, V311 = 4, V5 = 5 };

enum class PacketType : std::uint8_t {
    Connect = 1, Connack, Publish, Puback, Pubrec, Pubrel, Pubcomp,
    Subscribe, Suback, Unsubscribe, Unsuback, Pingreq, Pingresp, Disconnect, Auth
};

// MQTT 5 properties (section 2.2.2.2). Only the ones a packet may carry are encoded; the
// decoder rejects a property that is not allowed on the packet it arrives in.
struct Properties {
    std::optional<std::uint8_t> payload_format_indicator;       // 0x01
    std::optional<std::uint32_t> message_expiry_interval;       // 0x02
    std::optional<std::string> content_type;                    // 0x03
    std::optional<std::string> response_topic;                  // 0x08
    std::optional<std::string> correlation_data;                // 0x09 (binary)
    std::vector<std::uint32_t> subscription_identifiers;        // 0x0B (varint, may repeat on PUBLISH)
    std::optional<std::uint32_t> session_expiry_interval;       // 0x11
    std::optional<std::string> assigned_client_identifier;      // 0x12
    std::optional<std::uint16_t> server_keep_alive;             // 0x13
    std::optional<std::string> authentication_method;           // 0x15
    std::optional<std::string> authentication_data;             // 0x16 (binary)
    std::optional<std::uint8_t> request_problem_information;    // 0x17
    std::optional<std::uint32_t> will_delay_interval;           // 0x18
    std::optional<std::uint8_t> request_response_information;   // 0x19
    std::optional<std::string> response_information;            // 0x1A
    std::optional<std::string> server_reference;                // 0x1C
    std::optional<std::string> reason_string;                   // 0x1F
    std::optional<std::uint16_t> receive_maximum;               // 0x21
    std::optional<std::uint16_t> topic_alias_maximum;           // 0x22
    std::optional<std::uint16_t> topic_alias;                   // 0x23
    std::optional<std::uint8_t> maximum_qos;                    // 0x24
    std::optional<std::uint8_t> retain_available;              // 0x25
    std::vector<std::pair<std::string, std::string>> user_properties;  // 0x26
    std::optional<std::uint32_t> maximum_packet_size;           // 0x27
    std::optional<std::uint8_t> wildcard_subscription_available;   // 0x28
    std::optional<std::uint8_t> subscription_identifier_available; // 0x29
    std::optional<std::uint8_t> shared_subscription_available;     // 0x2A
    bool operator==(const Properties&) const = default;
};

struct Will {
    std::string topic;
    std::string payload;  // binary
    std::uint8_t qos = 0;
    bool retain = false;
    Properties props;     // v5 will properties
    bool operator==(const Will&) const = default;
};

struct Connect {
    ProtocolVersion version = ProtocolVersion::V311;
    std::string protocol_name = "MQTT";  // "MQIsdp" for 3.1
    bool clean_start = true;             // "clean session" in 3.1.1
    std::uint16_t keep_alive = 0;        // seconds
    std::string client_id;
    std::optional<Will> will;
    std::optional<std::string> username;
    std::optional<std::string> password;  // binary
    Properties props;
    bool operator==(const Connect&) const = default;
};

struct Connack {
    bool session_present = false;
    std::uint8_t code = 0;  // 3.1.1 return code, or v5 reason code
    Properties props;
    bool operator==(const Connack&) const = default;
};

struct Publish {
    bool dup = false;
    std::uint8_t qos = 0;
    bool retain = false;
    std::string topic;
    std::uint16_t packet_id = 0;  // present only when qos > 0
    std::string payload;
    Properties props;
    bool operator==(const Publish&) const = default;
};

// PUBACK, PUBREC, PUBREL and PUBCOMP share one shape.
struct PubAckLike {
    PacketType type = PacketType::Puback;
    std::uint16_t packet_id = 0;
    std::uint8_t reason = 0;  // v5; 0 = success
    Properties props;
    bool operator==(const PubAckLike&) const = default;
};

struct SubscriptionOptions {
    std::uint8_t qos = 0;
    bool no_local = false;            // v5
    bool retain_as_published = false; // v5
    std::uint8_t retain_handling = 0; // v5: 0, 1 or 2
    bool operator==(const SubscriptionOptions&) const = default;
};

struct Subscribe {
    std::uint16_t packet_id = 0;
    std::vector<std::pair<std::string, SubscriptionOptions>> filters;
    Properties props;
    bool operator==(const Subscribe&) const = default;
};

struct Suback {
    std::uint16_t packet_id = 0;
    std::vector<std::uint8_t> codes;  // granted QoS or 0x80 (3.1.1) / reason codes (v5)
    Properties props;
    bool operator==(const Suback&) const = default;
};

struct Unsubscribe {
    std::uint16_t packet_id = 0;
    std::vector<std::string> filters;
    Properties props;
    bool operator==(const Unsubscribe&) const = default;
};

struct Unsuback {
    std::uint16_t packet_id = 0;
    std::vector<std::uint8_t> codes;  // v5 only; empty in 3.1.1
    Properties props;
    bool operator==(const Unsuback&) const = default;
};

struct Pingreq {
    bool operator==(const Pingreq&) const = default;
};
struct Pingresp {
    bool operator==(const Pingresp&) const = default;
};

struct Disconnect {
    std::uint8_t reason = 0;  // v5
    Properties props;
    bool operator==(const Disconnect&) const = default;
};

struct Auth {
    std::uint8_t reason = 0;
    Properties props;
    bool operator==(const Auth&) const = default;
};

using Packet = std::variant<Connect, Connack, Publish, PubAckLike, Subscribe, Suback,
                            Unsubscribe, Unsuback, Pingreq, Pingresp, Disconnect, Auth>;

// MQTT 3.1.1 CONNACK return codes (section 3.2.2.3).
namespace connack311 {
inline constexpr std::uint8_t kAccepted = 0x00;
inline constexpr std::uint8_t kBadProtocolVersion = 0x01;
inline constexpr std::uint8_t kIdentifierRejected = 0x02;
inline constexpr std::uint8_t kServerUnavailable = 0x03;
inline constexpr std::uint8_t kBadUsernameOrPassword = 0x04;
inline constexpr std::uint8_t kNotAuthorized = 0x05;
}  // namespace connack311

// MQTT 5 reason codes used by the broker (section 2.4).
namespace reason {
inline constexpr std::uint8_t kSuccess = 0x00;
inline constexpr std::uint8_t kGrantedQos1 = 0x01;
inline constexpr std::uint8_t kGrantedQos2 = 0x02;
inline constexpr std::uint8_t kDisconnectWithWill = 0x04;
inline constexpr std::uint8_t kNoMatchingSubscribers = 0x10;
inline constexpr std::uint8_t kNoSubscriptionExisted = 0x11;
inline constexpr std::uint8_t kUnspecifiedError = 0x80;
inline constexpr std::uint8_t kMalformedPacket = 0x81;
inline constexpr std::uint8_t kProtocolError = 0x82;
inline constexpr std::uint8_t kImplementationSpecificError = 0x83;
inline constexpr std::uint8_t kUnsupportedProtocolVersion = 0x84;
inline constexpr std::uint8_t kClientIdentifierNotValid = 0x85;
inline constexpr std::uint8_t kBadUserNameOrPassword = 0x86;
inline constexpr std::uint8_t kNotAuthorized = 0x87;
inline constexpr std::uint8_t kServerUnavailable = 0x88;
inline constexpr std::uint8_t kServerBusy = 0x89;
inline constexpr std::uint8_t kBadAuthenticationMethod = 0x8C;
inline constexpr std::uint8_t kSessionTakenOver = 0x8E;
inline constexpr std::uint8_t kKeepAliveTimeout = 0x8D;
inline constexpr std::uint8_t kTopicFilterInvalid = 0x8F;
inline constexpr std::uint8_t kTopicNameInvalid = 0x90;
inline constexpr std::uint8_t kPacketIdentifierInUse = 0x91;
inline constexpr std::uint8_t kPacketIdentifierNotFound = 0x92;
inline constexpr std::uint8_t kReceiveMaximumExceeded = 0x93;
inline constexpr std::uint8_t kTopicAliasInvalid = 0x94;
inline constexpr std::uint8_t kPacketTooLarge = 0x95;
inline constexpr std::uint8_t kQuotaExceeded = 0x97;
inline constexpr std::uint8_t kPayloadFormatInvalid = 0x99;
inline constexpr std::uint8_t kRetainNotSupported = 0x9A;
inline constexpr std::uint8_t kQosNotSupported = 0x9B;
inline constexpr std::uint8_t kSharedSubscriptionsNotSupported = 0x9E;
inline constexpr std::uint8_t kSubscriptionIdsNotSupported = 0xA1;
inline constexpr std::uint8_t kWildcardSubscriptionsNotSupported = 0xA2;
}  // namespace reason

}  // namespace sy::mqtt

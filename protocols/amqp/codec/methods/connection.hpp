#pragma once
// connection class (10): the handshake, tuning, close, and RabbitMQ's blocked/unblocked and
// update-secret extensions. Connection methods travel on channel 0 only (the session checks).

#include <cstdint>
#include <string>

#include "protocols/amqp/codec/constants.hpp"
#include "protocols/amqp/codec/field_table.hpp"

namespace sy::amqp {

struct ConnectionStart {
    static constexpr std::uint16_t kClassId = kConnectionClass, kMethodId = 10;
    static constexpr const char* kName = "connection.start";
    std::uint8_t version_major = 0;
    std::uint8_t version_minor = 9;
    FieldTable server_properties;
    std::string mechanisms;  // longstr, space-separated SASL names
    std::string locales;     // longstr, space-separated
    bool operator==(const ConnectionStart&) const = default;
};

struct ConnectionStartOk {
    static constexpr std::uint16_t kClassId = kConnectionClass, kMethodId = 11;
    static constexpr const char* kName = "connection.start-ok";
    FieldTable client_properties;
    std::string mechanism;  // shortstr
    std::string response;   // longstr: SASL response, for PLAIN "\0user\0password"
    std::string locale;     // shortstr
    bool operator==(const ConnectionStartOk&) const = default;
};

struct ConnectionSecure {
    static constexpr std::uint16_t kClassId = kConnectionClass, kMethodId = 20;
    static constexpr const char* kName = "connection.secure";
    std::string challenge;  // longstr
    bool operator==(const ConnectionSecure&) const = default;
};

struct ConnectionSecureOk {
    static constexpr std::uint16_t kClassId = kConnectionClass, kMethodId = 21;
    static constexpr const char* kName = "connection.secure-ok";
    std::string response;  // longstr
    bool operator==(const ConnectionSecureOk&) const = default;
};

struct ConnectionTune {
    static constexpr std::uint16_t kClassId = kConnectionClass, kMethodId = 30;
    static constexpr const char* kName = "connection.tune";
    std::uint16_t channel_max = 0;  // 0: no limit
    std::uint32_t frame_max = 0;    // 0: no limit
    std::uint16_t heartbeat = 0;    // seconds, 0: off
    bool operator==(const ConnectionTune&) const = default;
};

struct ConnectionTuneOk {
    static constexpr std::uint16_t kClassId = kConnectionClass, kMethodId = 31;
    static constexpr const char* kName = "connection.tune-ok";
    std::uint16_t channel_max = 0;
    std::uint32_t frame_max = 0;
    std::uint16_t heartbeat = 0;
    bool operator==(const ConnectionTuneOk&) const = default;
};

struct ConnectionOpen {
    static constexpr std::uint16_t kClassId = kConnectionClass, kMethodId = 40;
    static constexpr const char* kName = "connection.open";
    std::string virtual_host;  // shortstr
    std::string capabilities;  // shortstr, reserved-1 in 0-9-1
    bool insist = false;       // bit, reserved-2 in 0-9-1
    bool operator==(const ConnectionOpen&) const = default;
};

struct ConnectionOpenOk {
    static constexpr std::uint16_t kClassId = kConnectionClass, kMethodId = 41;
    static constexpr const char* kName = "connection.open-ok";
    std::string known_hosts;  // shortstr, reserved-1 in 0-9-1
    bool operator==(const ConnectionOpenOk&) const = default;
};

struct ConnectionClose {
    static constexpr std::uint16_t kClassId = kConnectionClass, kMethodId = 50;
    static constexpr const char* kName = "connection.close";
    std::uint16_t reply_code = 0;
    std::string reply_text;       // shortstr
    std::uint16_t class_id = 0;   // of the method that caused the close, or 0
    std::uint16_t method_id = 0;
    bool operator==(const ConnectionClose&) const = default;
};

struct ConnectionCloseOk {
    static constexpr std::uint16_t kClassId = kConnectionClass, kMethodId = 51;
    static constexpr const char* kName = "connection.close-ok";
    bool operator==(const ConnectionCloseOk&) const = default;
};

struct ConnectionBlocked {
    static constexpr std::uint16_t kClassId = kConnectionClass, kMethodId = 60;
    static constexpr const char* kName = "connection.blocked";
    std::string reason;  // shortstr
    bool operator==(const ConnectionBlocked&) const = default;
};

struct ConnectionUnblocked {
    static constexpr std::uint16_t kClassId = kConnectionClass, kMethodId = 61;
    static constexpr const char* kName = "connection.unblocked";
    bool operator==(const ConnectionUnblocked&) const = default;
};

struct ConnectionUpdateSecret {
    static constexpr std::uint16_t kClassId = kConnectionClass, kMethodId = 70;
    static constexpr const char* kName = "connection.update-secret";
    std::string new_secret;  // longstr
    std::string reason;      // shortstr
    bool operator==(const ConnectionUpdateSecret&) const = default;
};

struct ConnectionUpdateSecretOk {
    static constexpr std::uint16_t kClassId = kConnectionClass, kMethodId = 71;
    static constexpr const char* kName = "connection.update-secret-ok";
    bool operator==(const ConnectionUpdateSecretOk&) const = default;
};

}  // namespace sy::amqp

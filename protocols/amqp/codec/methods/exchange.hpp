#pragma once
// exchange class (40), with RabbitMQ's exchange-to-exchange bind/unbind extension. The
// 2-octet "ticket" fields are reserved-1 in 0-9-1 (access tickets of 0-8); clients send 0.

#include <cstdint>
#include <string>

#include "protocols/amqp/codec/constants.hpp"
#include "protocols/amqp/codec/field_table.hpp"

namespace sy::amqp {

struct ExchangeDeclare {
    static constexpr std::uint16_t kClassId = kExchangeClass, kMethodId = 10;
    static constexpr const char* kName = "exchange.declare";
    std::uint16_t ticket = 0;
    std::string exchange;  // shortstr
    std::string type;      // shortstr: direct, fanout, topic, headers
    bool passive = false;
    bool durable = false;
    bool auto_delete = false;  // RabbitMQ extension (reserved-2 in the spec)
    bool internal = false;     // RabbitMQ extension (reserved-3 in the spec)
    bool no_wait = false;
    FieldTable arguments;
    bool operator==(const ExchangeDeclare&) const = default;
};

struct ExchangeDeclareOk {
    static constexpr std::uint16_t kClassId = kExchangeClass, kMethodId = 11;
    static constexpr const char* kName = "exchange.declare-ok";
    bool operator==(const ExchangeDeclareOk&) const = default;
};

struct ExchangeDelete {
    static constexpr std::uint16_t kClassId = kExchangeClass, kMethodId = 20;
    static constexpr const char* kName = "exchange.delete";
    std::uint16_t ticket = 0;
    std::string exchange;
    bool if_unused = false;
    bool no_wait = false;
    bool operator==(const ExchangeDelete&) const = default;
};

struct ExchangeDeleteOk {
    static constexpr std::uint16_t kClassId = kExchangeClass, kMethodId = 21;
    static constexpr const char* kName = "exchange.delete-ok";
    bool operator==(const ExchangeDeleteOk&) const = default;
};

struct ExchangeBind {
    static constexpr std::uint16_t kClassId = kExchangeClass, kMethodId = 30;
    static constexpr const char* kName = "exchange.bind";
    std::uint16_t ticket = 0;
    std::string destination;
    std::string source;
    std::string routing_key;
    bool no_wait = false;
    FieldTable arguments;
    bool operator==(const ExchangeBind&) const = default;
};

struct ExchangeBindOk {
    static constexpr std::uint16_t kClassId = kExchangeClass, kMethodId = 31;
    static constexpr const char* kName = "exchange.bind-ok";
    bool operator==(const ExchangeBindOk&) const = default;
};

struct ExchangeUnbind {
    static constexpr std::uint16_t kClassId = kExchangeClass, kMethodId = 40;
    static constexpr const char* kName = "exchange.unbind";
    std::uint16_t ticket = 0;
    std::string destination;
    std::string source;
    std::string routing_key;
    bool no_wait = false;
    FieldTable arguments;
    bool operator==(const ExchangeUnbind&) const = default;
};

// 51, not 41: RabbitMQ's numbering for this extension method.
struct ExchangeUnbindOk {
    static constexpr std::uint16_t kClassId = kExchangeClass, kMethodId = 51;
    static constexpr const char* kName = "exchange.unbind-ok";
    bool operator==(const ExchangeUnbindOk&) const = default;
};

}  // namespace sy::amqp

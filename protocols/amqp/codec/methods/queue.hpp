#pragma once
// queue class (50).

#include <cstdint>
#include <string>

#include "protocols/amqp/codec/constants.hpp"
#include "protocols/amqp/codec/field_table.hpp"

namespace sy::amqp {

struct QueueDeclare {
    static constexpr std::uint16_t kClassId = kQueueClass, kMethodId = 10;
    static constexpr const char* kName = "queue.declare";
    std::uint16_t ticket = 0;
    std::string queue;  // empty: the server names it
    bool passive = false;
    bool durable = false;
    bool exclusive = false;
    bool auto_delete = false;
    bool no_wait = false;
    FieldTable arguments;
    bool operator==(const QueueDeclare&) const = default;
};

struct QueueDeclareOk {
    static constexpr std::uint16_t kClassId = kQueueClass, kMethodId = 11;
    static constexpr const char* kName = "queue.declare-ok";
    std::string queue;
    std::uint32_t message_count = 0;
    std::uint32_t consumer_count = 0;
    bool operator==(const QueueDeclareOk&) const = default;
};

struct QueueBind {
    static constexpr std::uint16_t kClassId = kQueueClass, kMethodId = 20;
    static constexpr const char* kName = "queue.bind";
    std::uint16_t ticket = 0;
    std::string queue;
    std::string exchange;
    std::string routing_key;
    bool no_wait = false;
    FieldTable arguments;
    bool operator==(const QueueBind&) const = default;
};

struct QueueBindOk {
    static constexpr std::uint16_t kClassId = kQueueClass, kMethodId = 21;
    static constexpr const char* kName = "queue.bind-ok";
    bool operator==(const QueueBindOk&) const = default;
};

struct QueuePurge {
    static constexpr std::uint16_t kClassId = kQueueClass, kMethodId = 30;
    static constexpr const char* kName = "queue.purge";
    std::uint16_t ticket = 0;
    std::string queue;
    bool no_wait = false;
    bool operator==(const QueuePurge&) const = default;
};

struct QueuePurgeOk {
    static constexpr std::uint16_t kClassId = kQueueClass, kMethodId = 31;
    static constexpr const char* kName = "queue.purge-ok";
    std::uint32_t message_count = 0;
    bool operator==(const QueuePurgeOk&) const = default;
};

struct QueueDelete {
    static constexpr std::uint16_t kClassId = kQueueClass, kMethodId = 40;
    static constexpr const char* kName = "queue.delete";
    std::uint16_t ticket = 0;
    std::string queue;
    bool if_unused = false;
    bool if_empty = false;
    bool no_wait = false;
    bool operator==(const QueueDelete&) const = default;
};

struct QueueDeleteOk {
    static constexpr std::uint16_t kClassId = kQueueClass, kMethodId = 41;
    static constexpr const char* kName = "queue.delete-ok";
    std::uint32_t message_count = 0;
    bool operator==(const QueueDeleteOk&) const = default;
};

struct QueueUnbind {
    static constexpr std::uint16_t kClassId = kQueueClass, kMethodId = 50;
    static constexpr const char* kName = "queue.unbind";
    std::uint16_t ticket = 0;
    std::string queue;
    std::string exchange;
    std::string routing_key;
    FieldTable arguments;  // no no-wait bit: queue.unbind always answers
    bool operator==(const QueueUnbind&) const = default;
};

struct QueueUnbindOk {
    static constexpr std::uint16_t kClassId = kQueueClass, kMethodId = 51;
    static constexpr const char* kName = "queue.unbind-ok";
    bool operator==(const QueueUnbindOk&) const = default;
};

}  // namespace sy::amqp

#pragma once
// basic class (60), with RabbitMQ's basic.nack and consumer-cancel notifications (a server-sent
// basic.cancel). publish, return, deliver and get-ok are followed by a content header and
// body frames on the same channel.

#include <cstdint>
#include <string>

#include "protocols/amqp/codec/constants.hpp"
#include "protocols/amqp/codec/field_table.hpp"

namespace sy::amqp {

struct BasicQos {
    static constexpr std::uint16_t kClassId = kBasicClass, kMethodId = 10;
    static constexpr const char* kName = "basic.qos";
    std::uint32_t prefetch_size = 0;   // octets, 0: no limit
    std::uint16_t prefetch_count = 0;  // messages, 0: no limit
    bool global = false;               // RabbitMQ: per channel rather than per consumer
    bool operator==(const BasicQos&) const = default;
};

struct BasicQosOk {
    static constexpr std::uint16_t kClassId = kBasicClass, kMethodId = 11;
    static constexpr const char* kName = "basic.qos-ok";
    bool operator==(const BasicQosOk&) const = default;
};

struct BasicConsume {
    static constexpr std::uint16_t kClassId = kBasicClass, kMethodId = 20;
    static constexpr const char* kName = "basic.consume";
    std::uint16_t ticket = 0;
    std::string queue;
    std::string consumer_tag;  // empty: the server makes one up
    bool no_local = false;
    bool no_ack = false;
    bool exclusive = false;
    bool no_wait = false;
    FieldTable arguments;
    bool operator==(const BasicConsume&) const = default;
};

struct BasicConsumeOk {
    static constexpr std::uint16_t kClassId = kBasicClass, kMethodId = 21;
    static constexpr const char* kName = "basic.consume-ok";
    std::string consumer_tag;
    bool operator==(const BasicConsumeOk&) const = default;
};

struct BasicCancel {
    static constexpr std::uint16_t kClassId = kBasicClass, kMethodId = 30;
    static constexpr const char* kName = "basic.cancel";
    std::string consumer_tag;
    bool no_wait = false;
    bool operator==(const BasicCancel&) const = default;
};

struct BasicCancelOk {
    static constexpr std::uint16_t kClassId = kBasicClass, kMethodId = 31;
    static constexpr const char* kName = "basic.cancel-ok";
    std::string consumer_tag;
    bool operator==(const BasicCancelOk&) const = default;
};

struct BasicPublish {
    static constexpr std::uint16_t kClassId = kBasicClass, kMethodId = 40;
    static constexpr const char* kName = "basic.publish";
    std::uint16_t ticket = 0;
    std::string exchange;
    std::string routing_key;
    bool mandatory = false;
    bool immediate = false;
    bool operator==(const BasicPublish&) const = default;
};

struct BasicReturn {
    static constexpr std::uint16_t kClassId = kBasicClass, kMethodId = 50;
    static constexpr const char* kName = "basic.return";
    std::uint16_t reply_code = 0;
    std::string reply_text;
    std::string exchange;
    std::string routing_key;
    bool operator==(const BasicReturn&) const = default;
};

struct BasicDeliver {
    static constexpr std::uint16_t kClassId = kBasicClass, kMethodId = 60;
    static constexpr const char* kName = "basic.deliver";
    std::string consumer_tag;
    std::uint64_t delivery_tag = 0;
    bool redelivered = false;
    std::string exchange;
    std::string routing_key;
    bool operator==(const BasicDeliver&) const = default;
};

struct BasicGet {
    static constexpr std::uint16_t kClassId = kBasicClass, kMethodId = 70;
    static constexpr const char* kName = "basic.get";
    std::uint16_t ticket = 0;
    std::string queue;
    bool no_ack = false;
    bool operator==(const BasicGet&) const = default;
};

struct BasicGetOk {
    static constexpr std::uint16_t kClassId = kBasicClass, kMethodId = 71;
    static constexpr const char* kName = "basic.get-ok";
    std::uint64_t delivery_tag = 0;
    bool redelivered = false;
    std::string exchange;
    std::string routing_key;
    std::uint32_t message_count = 0;  // messages left in the queue
    bool operator==(const BasicGetOk&) const = default;
};

struct BasicGetEmpty {
    static constexpr std::uint16_t kClassId = kBasicClass, kMethodId = 72;
    static constexpr const char* kName = "basic.get-empty";
    std::string cluster_id;  // shortstr, reserved-1 in 0-9-1
    bool operator==(const BasicGetEmpty&) const = default;
};

struct BasicAck {
    static constexpr std::uint16_t kClassId = kBasicClass, kMethodId = 80;
    static constexpr const char* kName = "basic.ack";
    std::uint64_t delivery_tag = 0;
    bool multiple = false;
    bool operator==(const BasicAck&) const = default;
};

struct BasicReject {
    static constexpr std::uint16_t kClassId = kBasicClass, kMethodId = 90;
    static constexpr const char* kName = "basic.reject";
    std::uint64_t delivery_tag = 0;
    bool requeue = false;
    bool operator==(const BasicReject&) const = default;
};

struct BasicRecoverAsync {
    static constexpr std::uint16_t kClassId = kBasicClass, kMethodId = 100;
    static constexpr const char* kName = "basic.recover-async";
    bool requeue = false;
    bool operator==(const BasicRecoverAsync&) const = default;
};

struct BasicRecover {
    static constexpr std::uint16_t kClassId = kBasicClass, kMethodId = 110;
    static constexpr const char* kName = "basic.recover";
    bool requeue = false;
    bool operator==(const BasicRecover&) const = default;
};

struct BasicRecoverOk {
    static constexpr std::uint16_t kClassId = kBasicClass, kMethodId = 111;
    static constexpr const char* kName = "basic.recover-ok";
    bool operator==(const BasicRecoverOk&) const = default;
};

struct BasicNack {
    static constexpr std::uint16_t kClassId = kBasicClass, kMethodId = 120;
    static constexpr const char* kName = "basic.nack";
    std::uint64_t delivery_tag = 0;
    bool multiple = false;
    bool requeue = false;
    bool operator==(const BasicNack&) const = default;
};

}  // namespace sy::amqp

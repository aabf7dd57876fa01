#pragma once
// channel class (20).

#include <cstdint>
#include <string>

#include "protocols/amqp/codec/constants.hpp"

namespace sy::amqp {

struct ChannelOpen {
    static constexpr std::uint16_t kClassId = kChannelClass, kMethodId = 10;
    static constexpr const char* kName = "channel.open";
    std::string out_of_band;  // shortstr, reserved-1 in 0-9-1
    bool operator==(const ChannelOpen&) const = default;
};

struct ChannelOpenOk {
    static constexpr std::uint16_t kClassId = kChannelClass, kMethodId = 11;
    static constexpr const char* kName = "channel.open-ok";
    std::string channel_id;  // longstr, reserved-1 in 0-9-1
    bool operator==(const ChannelOpenOk&) const = default;
};

struct ChannelFlow {
    static constexpr std::uint16_t kClassId = kChannelClass, kMethodId = 20;
    static constexpr const char* kName = "channel.flow";
    bool active = false;
    bool operator==(const ChannelFlow&) const = default;
};

struct ChannelFlowOk {
    static constexpr std::uint16_t kClassId = kChannelClass, kMethodId = 21;
    static constexpr const char* kName = "channel.flow-ok";
    bool active = false;
    bool operator==(const ChannelFlowOk&) const = default;
};

struct ChannelClose {
    static constexpr std::uint16_t kClassId = kChannelClass, kMethodId = 40;
    static constexpr const char* kName = "channel.close";
    std::uint16_t reply_code = 0;
    std::string reply_text;  // shortstr
    std::uint16_t class_id = 0;
    std::uint16_t method_id = 0;
    bool operator==(const ChannelClose&) const = default;
};

struct ChannelCloseOk {
    static constexpr std::uint16_t kClassId = kChannelClass, kMethodId = 41;
    static constexpr const char* kName = "channel.close-ok";
    bool operator==(const ChannelCloseOk&) const = default;
};

}  // namespace sy::amqp

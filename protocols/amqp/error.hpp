#pragma once
// An AMQP exception raised while handling a method: the reply code and text for
// channel.close or connection.close, and the method that caused it. Whether it closes the
// channel or the connection follows from the code (is_channel_error), as in the spec.

#include <cstdint>
#include <string>

#include "protocols/amqp/codec/constants.hpp"

namespace sy::amqp {

struct Error {
    std::uint16_t code = 0;  // 0: no error
    std::string text;        // RabbitMQ's wording after the code name
    std::uint16_t class_id = 0;
    std::uint16_t method_id = 0;

    explicit operator bool() const { return code != 0; }
};

// 311, 312, 313, 403, 404, 405, 406: soft errors that close only the channel.
constexpr bool is_channel_error(std::uint16_t code) {
    return code == reply::kContentTooLarge || code == reply::kNoRoute ||
           code == reply::kNoConsumers || code == reply::kAccessRefused ||
           code == reply::kNotFound || code == reply::kResourceLocked ||
           code == reply::kPreconditionFailed;
}

// The reply-text RabbitMQ sends: the code's name, " - ", then the detail.
std::string reply_text(std::uint16_t code, const std::string& detail);

inline Error error(std::uint16_t code, std::string text) { return Error{code, std::move(text)}; }

}  // namespace sy::amqp

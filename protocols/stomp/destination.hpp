#pragma once
// STOMP destinations as RabbitMQ's STOMP plugin reads them (DESIGN.md):
//   /topic/<key>                   amq.topic, routing key or binding pattern <key>
//   /exchange/<name>[/<key>]       any existing exchange
//   /queue/<name>                  a queue declared on first use, via the default exchange
//   /amq/queue/<name>              an existing queue only
//   /temp-queue/<name>             reply-to only: a private queue of the connection
//   /reply-queue/<name>            where replies to a temp queue are sent
// Names and keys may hold %dd escapes ('/' is written %2F), as RabbitMQ writes them.

#include <optional>
#include <string>
#include <string_view>

#include "core/model/message.hpp"

namespace sy::stomp {

struct Destination {
    enum class Kind : std::uint8_t { Topic, Exchange, Queue, AmqQueue, TempQueue, ReplyQueue };
    Kind kind = Kind::Topic;
    std::string exchange;  // Topic: "amq.topic"; Exchange: its name; others: ""
    std::string name;      // routing key / pattern, or queue name (temp queue: its label)
};

inline constexpr std::string_view kTopicExchange = "amq.topic";

std::optional<Destination> parse_destination(std::string_view text);

// The destination a MESSAGE shows for a message, from where it was published: the default
// exchange gives /queue/<key>, amq.topic /topic/<key>, any other /exchange/<name>[/<key>].
std::string message_destination(const core::Message& m);

// %dd decoding (a '%' without two hex digits stays as it is) and encoding of '/', '%' and
// bytes outside printable ASCII.
std::string percent_decode(std::string_view s);
std::string percent_encode(std::string_view s);

}  // namespace sy::stomp

#include "protocols/stomp/mapping.hpp"

#include <algorithm>
#include <array>
#include <type_traits>
#include <variant>

namespace sy::stomp {
namespace {

constexpr std::array<std::string_view, 19> kReserved = {
    "destination", "transaction",  "receipt",    "content-length",  "content-type",
    "content-encoding", "persistent", "reply-to", "correlation-id", "expiration",
    "expires",     "priority",     "timestamp",  "amqp-message-id", "message-id",
    "subscription", "ack",         "redelivered", "receipt-id",
};

constexpr std::array<std::string_view, 13> kQueueHeaders = {
    "durable",
    "auto-delete",
    "exclusive",
    "x-queue-name",
    "x-message-ttl",
    "x-expires",
    "x-max-length",
    "x-max-length-bytes",
    "x-overflow",
    "x-dead-letter-exchange",
    "x-dead-letter-routing-key",
    "x-max-priority",
    "x-queue-type",
};

}  // namespace

bool parse_uint(std::string_view text, std::uint64_t& out) {
    if (text.empty() || text.size() > 19) return false;
    std::uint64_t v = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    out = v;
    return true;
}

bool is_queue_header(std::string_view name) {
    return std::find(kQueueHeaders.begin(), kQueueHeaders.end(), name) != kQueueHeaders.end();
}

bool is_reserved_header(std::string_view name) {
    return std::find(kReserved.begin(), kReserved.end(), name) != kReserved.end();
}

core::Message to_message(const Frame& send, std::string exchange, std::string routing_key,
                         std::int64_t now_wall_ms) {
    core::Message m;
    m.exchange = std::move(exchange);
    m.routing_key = std::move(routing_key);
    m.payload = send.body;
    auto& p = m.props;
    for (const auto& [name, value] : send.headers) {
        std::uint64_t n = 0;
        if (name == "content-type") {
            p.content_type = value;
        } else if (name == "content-encoding") {
            p.content_encoding = value;
        } else if (name == "correlation-id") {
            p.correlation_id = value;
        } else if (name == "reply-to") {
            p.reply_to = std::string_view(value).starts_with("/topic/") ? value.substr(7) : value;
        } else if (name == "persistent") {
            p.persistent = value == "true";
        } else if (name == "expiration") {
            if (parse_uint(value, n)) p.expiration_ms = n;
        } else if (name == "expires") {
            // Absolute, as ActiveMQ and Artemis send it; 0 means never.
            if (parse_uint(value, n) && n != 0 && !p.expiration_ms) {
                const auto at = static_cast<std::int64_t>(n);
                p.expiration_ms = static_cast<std::uint64_t>(std::max<std::int64_t>(0, at - now_wall_ms));
            }
        } else if (name == "priority") {
            if (parse_uint(value, n) && n <= 255) p.priority = static_cast<std::uint8_t>(n);
        } else if (name == "timestamp") {
            if (parse_uint(value, n)) p.timestamp_s = n;
        } else if (name == "amqp-message-id") {
            p.message_id = value;
        } else if (!is_reserved_header(name) && !is_queue_header(name)) {
            m.headers.emplace_back(name, value);
        }
    }
    m.qos = p.persistent ? 1 : 0;
    m.origin.protocol = core::Protocol::Stomp;
    return m;
}

std::string reply_to_header(const std::string& reply_to) {
    if (reply_to.starts_with('/')) return reply_to;
    return "/topic/" + reply_to;
}

std::string header_text(const core::HeaderValue& v) {
    return std::visit(
        [](const auto& x) -> std::string {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::string>) {
                return x;
            } else if constexpr (std::is_same_v<T, bool>) {
                return x ? "true" : "false";
            } else if constexpr (std::is_same_v<T, core::WireValue>) {
                return x.text;  // an AMQP table, array, decimal ...: its text form
            } else {
                return std::to_string(x);
            }
        },
        v);
}

}  // namespace sy::stomp

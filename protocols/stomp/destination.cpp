#include "protocols/stomp/destination.hpp"

namespace sy::stomp {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// "<prefix><rest>" -> rest, when text starts with prefix.
std::optional<std::string_view> after(std::string_view text, std::string_view prefix) {
    if (!text.starts_with(prefix)) return std::nullopt;
    return text.substr(prefix.size());
}

}  // namespace

std::string percent_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
            hex_value(s[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

std::string percent_encode(std::string_view s) {
    static constexpr char kDigits[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        const auto b = static_cast<unsigned char>(c);
        if (c == '/' || c == '%' || b < 0x20 || b >= 0x7F) {
            out.push_back('%');
            out.push_back(kDigits[b >> 4]);
            out.push_back(kDigits[b & 0x0F]);
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::optional<Destination> parse_destination(std::string_view text) {
    using Kind = Destination::Kind;
    if (auto rest = after(text, "/topic/")) {
        return Destination{Kind::Topic, std::string(kTopicExchange), percent_decode(*rest)};
    }
    if (auto rest = after(text, "/exchange/")) {
        const auto slash = rest->find('/');
        const auto name = rest->substr(0, slash);
        if (name.empty()) return std::nullopt;
        std::string key;
        if (slash != std::string_view::npos) key = percent_decode(rest->substr(slash + 1));
        return Destination{Kind::Exchange, percent_decode(name), std::move(key)};
    }
    struct QueueKind {
        std::string_view prefix;
        Kind kind;
    };
    static constexpr QueueKind kQueues[] = {
        {"/queue/", Kind::Queue},
        {"/amq/queue/", Kind::AmqQueue},
        {"/temp-queue/", Kind::TempQueue},
        {"/reply-queue/", Kind::ReplyQueue},
    };
    for (const auto& q : kQueues) {
        if (auto rest = after(text, q.prefix)) {
            if (rest->empty()) return std::nullopt;
            return Destination{q.kind, "", percent_decode(*rest)};
        }
    }
    return std::nullopt;
}

std::string message_destination(const core::Message& m) {
    if (m.exchange.empty()) return "/queue/" + percent_encode(m.routing_key);
    if (m.exchange == kTopicExchange) return "/topic/" + percent_encode(m.routing_key);
    std::string out = "/exchange/" + percent_encode(m.exchange);
    if (!m.routing_key.empty()) out += "/" + percent_encode(m.routing_key);
    return out;
}

}  // namespace sy::stomp

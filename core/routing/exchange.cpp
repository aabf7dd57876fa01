#include "core/routing/exchange.hpp"

#include <algorithm>

#include "core/routing/direct_exchange.hpp"
#include "core/routing/fanout_exchange.hpp"
#include "core/routing/headers_exchange.hpp"
#include "core/routing/topic_exchange.hpp"

namespace sy::core {

void RouteSet::add(Queue* queue, std::uint8_t qos_cap) {
    // Overlapping subscriptions deliver once, at the highest granted QoS [MQTT-3.3.5-1].
    if (targets_.size() < kScanLimit) {
        for (Target& target : targets_) {
            if (target.queue == queue) {
                target.qos_cap = std::max(target.qos_cap, qos_cap);
                return;
            }
        }
        targets_.push_back({queue, qos_cap});
        return;
    }
    if (index_.empty()) {
        for (std::size_t i = 0; i < targets_.size(); ++i) index_.emplace(targets_[i].queue, i);
    }
    auto [it, inserted] = index_.emplace(queue, targets_.size());
    if (inserted) {
        targets_.push_back({queue, qos_cap});
    } else {
        targets_[it->second].qos_cap = std::max(targets_[it->second].qos_cap, qos_cap);
    }
}

std::optional<ExchangeType> parse_exchange_type(std::string_view name) {
    if (name == "direct") {
        return ExchangeType::Direct;
    }
    if (name == "fanout") {
        return ExchangeType::Fanout;
    }
    if (name == "topic") {
        return ExchangeType::Topic;
    }
    if (name == "headers") {
        return ExchangeType::Headers;
    }
    return std::nullopt;
}

std::string_view to_string(ExchangeType type) {
    switch (type) {
    case ExchangeType::Direct:
        return "direct";
    case ExchangeType::Fanout:
        return "fanout";
    case ExchangeType::Topic:
        return "topic";
    case ExchangeType::Headers:
        return "headers";
    }
    return "unknown";
}

std::unique_ptr<Exchange> make_exchange(std::string name, ExchangeType type,
                                        ExchangeOptions options) {
    switch (type) {
    case ExchangeType::Direct:
        return std::make_unique<DirectExchange>(std::move(name), std::move(options));
    case ExchangeType::Fanout:
        return std::make_unique<FanoutExchange>(std::move(name), std::move(options));
    case ExchangeType::Topic:
        return std::make_unique<TopicExchange>(std::move(name), std::move(options));
    case ExchangeType::Headers:
        return std::make_unique<HeadersExchange>(std::move(name), std::move(options));
    }
    return nullptr;
}

}  // namespace sy::core

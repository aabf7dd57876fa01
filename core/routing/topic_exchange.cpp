#include "core/routing/topic_exchange.hpp"

#include <algorithm>
#include <functional>
#include <tuple>
#include <utility>

namespace sy::core {

bool TopicExchange::IdentityLess::operator()(const Identity& a, const Identity& b) const {
    if (a.queue != b.queue) {
        return std::less<Queue*>{}(a.queue, b.queue);
    }
    if (a.exchange != b.exchange) {
        return std::less<Exchange*>{}(a.exchange, b.exchange);
    }
    return std::ranges::lexicographical_compare(
        a.pattern, b.pattern, [](const PatternLevel& x, const PatternLevel& y) {
            return std::tie(x.kind, x.text) < std::tie(y.kind, y.text);
        });
}

TopicExchange::TopicExchange(std::string name, ExchangeOptions options)
    : Exchange(std::move(name), ExchangeType::Topic, std::move(options)) {}

TopicExchange::Identity TopicExchange::identity_of(const Binding& binding) {
    return {binding.queue, binding.exchange,
            binding.pattern ? *binding.pattern : parse_amqp_pattern(binding.key)};
}

bool TopicExchange::bind(const Binding& binding) {
    auto [it, inserted] = by_identity_.try_emplace(identity_of(binding), binding);
    if (!inserted) {
        // Rebinding is rare (an MQTT resubscribe), so replace the trie's copy outright.
        it->second.qos_cap = binding.qos_cap;
        trie_.erase(it->first.pattern, {binding.queue, binding.exchange, 0});
    }
    trie_.insert(it->first.pattern, {binding.queue, binding.exchange, binding.qos_cap});
    return inserted;
}

bool TopicExchange::unbind(const Binding& binding) {
    const auto it = by_identity_.find(identity_of(binding));
    if (it == by_identity_.end()) {
        return false;
    }
    trie_.erase(it->first.pattern, {it->first.queue, it->first.exchange, 0});
    by_identity_.erase(it);
    return true;
}

void TopicExchange::unbind_queue(Queue* queue) {
    // The empty pattern sorts first among a queue's identities.
    auto it = by_identity_.lower_bound(Identity{queue, nullptr, {}});
    while (it != by_identity_.end() && it->first.queue == queue) {
        trie_.erase(it->first.pattern, {it->first.queue, it->first.exchange, 0});
        it = by_identity_.erase(it);
    }
}

void TopicExchange::route(const Message& message, RouteSet& out) const {
    trie_.match(message.routing_key,
                [&out](const Target& target) {
                    if (target.exchange) {
                        out.add_exchange(target.exchange);
                    } else {
                        out.add(target.queue, target.qos_cap);
                    }
                });
}

std::vector<Binding> TopicExchange::bindings() const {
    std::vector<Binding> out;
    out.reserve(by_identity_.size());
    for (const auto& [identity, binding] : by_identity_) {
        out.push_back(binding);
    }
    return out;
}

}  // namespace sy::core

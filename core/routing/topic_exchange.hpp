#pragma once
// Routes by AMQP topic pattern through a TopicTrie, so the cost of routing follows the depth
// of the key, not the number of bindings. A binding's identity is (queue, pattern): the
// parsed pattern, because an MQTT filter "a/*" (literal '*') and the AMQP pattern "a.*" print
// alike but must stay distinct bindings.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/routing/exchange.hpp"
#include "core/routing/topic_pattern.hpp"
#include "core/routing/topic_trie.hpp"

namespace sy::core {

class TopicExchange final : public Exchange {
public:
    explicit TopicExchange(std::string name, ExchangeOptions options = {});

    bool bind(const Binding& binding) override;
    bool unbind(const Binding& binding) override;
    void unbind_queue(Queue* queue) override;
    void route(const Message& message, RouteSet& out) const override;
    std::size_t binding_count() const override { return by_identity_.size(); }
    std::vector<Binding> bindings() const override;

private:
    struct Identity {
        Queue* queue;
        Exchange* exchange;  // exchange-to-exchange binding; queue is null then
        TopicPattern pattern;
    };
    // Orders by queue first, so one queue's bindings are adjacent and unbind_queue is a range.
    struct IdentityLess {
        bool operator()(const Identity& a, const Identity& b) const;
    };

    // What the trie stores per binding, inline so routing reads no other memory. Within one
    // pattern the queue alone identifies a binding, so equality ignores qos_cap: the trie's
    // (pattern, value) identity is then exactly the binding's (queue, pattern).
    struct Target {
        Queue* queue;
        Exchange* exchange;
        std::uint8_t qos_cap;
        friend bool operator==(const Target& a, const Target& b) {
            return a.queue == b.queue && a.exchange == b.exchange;
        }
    };

    static Identity identity_of(const Binding& binding);

    std::map<Identity, Binding, IdentityLess> by_identity_;  // the bindings as given
    TopicTrie<Target> trie_{/*dollar_rule=*/true};
};

}  // namespace sy::core

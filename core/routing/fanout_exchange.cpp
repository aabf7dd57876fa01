#include "core/routing/fanout_exchange.hpp"

#include <algorithm>
#include <utility>

#include "core/routing/binding_identity.hpp"

namespace sy::core {

FanoutExchange::FanoutExchange(std::string name, ExchangeOptions options)
    : Exchange(std::move(name), ExchangeType::Fanout, std::move(options)) {}

bool FanoutExchange::bind(const Binding& binding) {
    const auto it = std::ranges::find_if(
        bindings_, [&binding](const Binding& existing) { return same_binding(existing, binding); });
    if (it != bindings_.end()) {
        it->qos_cap = binding.qos_cap;
        return false;
    }
    bindings_.push_back(binding);
    return true;
}

bool FanoutExchange::unbind(const Binding& binding) {
    const auto it = std::ranges::find_if(
        bindings_, [&binding](const Binding& existing) { return same_binding(existing, binding); });
    if (it == bindings_.end()) {
        return false;
    }
    bindings_.erase(it);
    return true;
}

void FanoutExchange::unbind_queue(Queue* queue) {
    std::erase_if(bindings_, [queue](const Binding& binding) { return binding.queue == queue; });
}

void FanoutExchange::route(const Message& /*message*/, RouteSet& out) const {
    for (const Binding& binding : bindings_) {
        out.add(binding);
    }
}

}  // namespace sy::core

#include "core/routing/direct_exchange.hpp"

#include <algorithm>
#include <utility>

#include "core/model/assert.hpp"
#include "core/routing/binding_identity.hpp"

namespace sy::core {

DirectExchange::DirectExchange(std::string name, ExchangeOptions options)
    : Exchange(std::move(name), ExchangeType::Direct, std::move(options)) {}

bool DirectExchange::bind(const Binding& binding) {
    std::vector<Binding>& list = by_key_[binding.key];
    const auto it = std::ranges::find_if(
        list, [&binding](const Binding& existing) { return same_binding(existing, binding); });
    if (it != list.end()) {
        it->qos_cap = binding.qos_cap;
        return false;
    }
    list.push_back(binding);
    keys_by_queue_[binding.queue].push_back(binding.key);
    ++count_;
    return true;
}

bool DirectExchange::unbind(const Binding& binding) {
    const auto by_key = by_key_.find(binding.key);
    if (by_key == by_key_.end()) {
        return false;
    }
    std::vector<Binding>& list = by_key->second;
    const auto it = std::ranges::find_if(
        list, [&binding](const Binding& existing) { return same_binding(existing, binding); });
    if (it == list.end()) {
        return false;
    }
    list.erase(it);
    if (list.empty()) {
        by_key_.erase(by_key);
    }
    const auto keys = keys_by_queue_.find(binding.queue);
    SY_ASSERT(keys != keys_by_queue_.end());
    std::vector<std::string>& queue_keys = keys->second;
    const auto key_it = std::ranges::find(queue_keys, binding.key);
    SY_ASSERT(key_it != queue_keys.end());
    queue_keys.erase(key_it);
    if (queue_keys.empty()) {
        keys_by_queue_.erase(keys);
    }
    --count_;
    return true;
}

void DirectExchange::unbind_queue(Queue* queue) {
    const auto keys = keys_by_queue_.find(queue);
    if (keys == keys_by_queue_.end()) {
        return;
    }
    // A key listed twice (same key, different args) finds nothing left on its second visit.
    for (const std::string& key : keys->second) {
        const auto by_key = by_key_.find(key);
        if (by_key == by_key_.end()) {
            continue;
        }
        count_ -= std::erase_if(by_key->second,
                                [queue](const Binding& binding) { return binding.queue == queue; });
        if (by_key->second.empty()) {
            by_key_.erase(by_key);
        }
    }
    keys_by_queue_.erase(keys);
}

void DirectExchange::route(const Message& message, RouteSet& out) const {
    const auto it = by_key_.find(message.routing_key);
    if (it == by_key_.end()) {
        return;
    }
    for (const Binding& binding : it->second) {
        out.add(binding);
    }
}

std::vector<Binding> DirectExchange::bindings() const {
    std::vector<Binding> out;
    out.reserve(count_);
    for (const auto& [key, list] : by_key_) {
        out.insert(out.end(), list.begin(), list.end());
    }
    return out;
}

}  // namespace sy::core

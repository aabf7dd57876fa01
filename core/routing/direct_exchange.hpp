#pragma once
// Routes a message to the bindings whose key equals its routing key exactly.

#include <cstddef>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/routing/exchange.hpp"
#include "core/routing/string_hash.hpp"

namespace sy::core {

class DirectExchange final : public Exchange {
public:
    explicit DirectExchange(std::string name, ExchangeOptions options = {});

    bool bind(const Binding& binding) override;
    bool unbind(const Binding& binding) override;
    void unbind_queue(Queue* queue) override;
    void route(const Message& message, RouteSet& out) const override;
    std::size_t binding_count() const override { return count_; }
    std::vector<Binding> bindings() const override;

private:
    std::unordered_map<std::string, std::vector<Binding>, StringHash, std::equal_to<>> by_key_;
    // The keys each queue is bound with (one entry per binding), so deleting a queue does
    // not scan every key: the default exchange holds a binding for every queue.
    std::unordered_map<Queue*, std::vector<std::string>> keys_by_queue_;
    std::size_t count_ = 0;
};

}  // namespace sy::core

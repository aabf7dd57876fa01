#pragma once
// Routes every message to every bound queue; the binding key is kept (it is part of the
// binding's identity) but ignored for routing.

#include <cstddef>
#include <string>
#include <vector>

#include "core/routing/exchange.hpp"

namespace sy::core {

class FanoutExchange final : public Exchange {
public:
    explicit FanoutExchange(std::string name, ExchangeOptions options = {});

    bool bind(const Binding& binding) override;
    bool unbind(const Binding& binding) override;
    void unbind_queue(Queue* queue) override;
    void route(const Message& message, RouteSet& out) const override;
    std::size_t binding_count() const override { return bindings_.size(); }
    std::vector<Binding> bindings() const override { return bindings_; }

private:
    // Routing visits every binding anyway, so a plain vector is the best index.
    std::vector<Binding> bindings_;
};

}  // namespace sy::core

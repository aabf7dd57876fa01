#pragma once
// Routes on message headers with RabbitMQ's semantics: the binding argument x-match selects
// "all" (the default), "any", "all-with-x" or "any-with-x"; other arguments are compared with
// the message's headers by name and typed value. Arguments named x-* take part only in the
// -with-x modes, and x-match itself never does.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/routing/exchange.hpp"

namespace sy::core {

enum class HeadersMatch : std::uint8_t { All, Any, AllWithX, AnyWithX };

// Reads x-match from binding arguments. Absent or unrecognised gives All: rejecting a bad
// value is the AMQP channel's job (406 PRECONDITION_FAILED), not routing's.
HeadersMatch parse_x_match(const Headers& args);

// Whether a binding with these arguments (and the given mode) accepts these message headers.
bool headers_match(HeadersMatch mode, const Headers& args, const Headers& headers);

class HeadersExchange final : public Exchange {
public:
    explicit HeadersExchange(std::string name, ExchangeOptions options = {});

    bool bind(const Binding& binding) override;
    bool unbind(const Binding& binding) override;
    void unbind_queue(Queue* queue) override;
    void route(const Message& message, RouteSet& out) const override;
    std::size_t binding_count() const override { return entries_.size(); }
    std::vector<Binding> bindings() const override;

private:
    struct Entry {
        Binding binding;
        HeadersMatch mode;  // parsed once at bind time, not per message
    };
    // Every binding is tested against every message, so there is nothing to index by.
    std::vector<Entry> entries_;
};

}  // namespace sy::core

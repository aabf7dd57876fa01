#include "core/routing/headers_exchange.hpp"

#include <algorithm>
#include <string_view>
#include <utility>

#include "core/routing/binding_identity.hpp"

namespace sy::core {

namespace {

constexpr std::string_view kXMatch = "x-match";

}  // namespace

HeadersMatch parse_x_match(const Headers& args) {
    const auto it = std::ranges::find_if(
        args, [](const auto& arg) { return arg.first == kXMatch; });
    if (it == args.end()) {
        return HeadersMatch::All;
    }
    const auto* text = std::get_if<std::string>(&it->second);
    if (text == nullptr) {
        return HeadersMatch::All;
    }
    if (*text == "any") {
        return HeadersMatch::Any;
    }
    if (*text == "all-with-x") {
        return HeadersMatch::AllWithX;
    }
    if (*text == "any-with-x") {
        return HeadersMatch::AnyWithX;
    }
    return HeadersMatch::All;
}

bool headers_match(HeadersMatch mode, const Headers& args, const Headers& headers) {
    const bool need_all = mode == HeadersMatch::All || mode == HeadersMatch::AllWithX;
    const bool with_x = mode == HeadersMatch::AllWithX || mode == HeadersMatch::AnyWithX;
    for (const auto& [name, value] : args) {
        if (name == kXMatch || (!with_x && name.starts_with("x-"))) {
            continue;
        }
        const bool found = std::ranges::any_of(headers, [&](const auto& header) {
            return header.first == name && header.second == value;
        });
        if (found != need_all) {
            return found;  // "any" satisfied, or "all" broken
        }
    }
    // All arguments seen: "all" holds (even with no arguments to test), "any" found none.
    return need_all;
}

HeadersExchange::HeadersExchange(std::string name, ExchangeOptions options)
    : Exchange(std::move(name), ExchangeType::Headers, std::move(options)) {}

bool HeadersExchange::bind(const Binding& binding) {
    const auto it = std::ranges::find_if(entries_, [&binding](const Entry& entry) {
        return same_binding(entry.binding, binding);
    });
    if (it != entries_.end()) {
        it->binding.qos_cap = binding.qos_cap;
        return false;
    }
    entries_.push_back({binding, parse_x_match(binding.args)});
    return true;
}

bool HeadersExchange::unbind(const Binding& binding) {
    const auto it = std::ranges::find_if(entries_, [&binding](const Entry& entry) {
        return same_binding(entry.binding, binding);
    });
    if (it == entries_.end()) {
        return false;
    }
    entries_.erase(it);
    return true;
}

void HeadersExchange::unbind_queue(Queue* queue) {
    std::erase_if(entries_, [queue](const Entry& entry) { return entry.binding.queue == queue; });
}

void HeadersExchange::route(const Message& message, RouteSet& out) const {
    for (const Entry& entry : entries_) {
        if (headers_match(entry.mode, entry.binding.args, message.headers)) {
            out.add(entry.binding);
        }
    }
}

std::vector<Binding> HeadersExchange::bindings() const {
    std::vector<Binding> out;
    out.reserve(entries_.size());
    for (const Entry& entry : entries_) {
        out.push_back(entry.binding);
    }
    return out;
}

}  // namespace sy::core

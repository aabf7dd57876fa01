#pragma once
// Binding identity for the exchanges that do not parse keys (direct, fanout, headers):
// (queue, key, args). Arguments form a table, so the order a client listed them in is not
// part of the identity; RabbitMQ sorts them before comparing for the same reason.

#include <algorithm>

#include "core/routing/exchange.hpp"

namespace sy::core {

inline bool same_binding_args(const Headers& a, const Headers& b) {
    // Quadratic, but argument tables hold a few entries.
    return a.size() == b.size() && std::is_permutation(a.begin(), a.end(), b.begin());
}

inline bool same_binding(const Binding& a, const Binding& b) {
    return a.queue == b.queue && a.exchange == b.exchange && a.key == b.key &&
           same_binding_args(a.args, b.args);
}

}  // namespace sy::core

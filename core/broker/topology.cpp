// Durable topology: which exchanges, queues and bindings the store keeps, and their recovery.

#include <spdlog/spdlog.h>

#include "core/broker/broker.hpp"
#include "core/broker/queue_arguments.hpp"

namespace sy::core {
namespace {

bool builtin(const std::string& exchange) { return exchange.starts_with("amq."); }

}  // namespace

void Broker::persist_exchange(const Exchange& ex) {
    if (recovering_ || !ex.options().durable || builtin(ex.name())) return;
    storage::StoredExchange s;
    s.name = ex.name();
    s.type = std::string(to_string(ex.type()));
    s.auto_delete = ex.options().auto_delete;
    s.internal = ex.options().internal;
    s.args = ex.options().args;
    store_.save_exchange(s);
}

void Broker::persist_queue(const Queue& q) {
    const auto& o = q.options();
    if (recovering_ || !o.durable || o.exclusive) return;
    store_.save_queue(storage::StoredQueue{q.name(), o.exclusive, o.auto_delete, o.args});
}

bool Broker::durable_binding(const Exchange& ex, const Binding& b) const {
    if (recovering_ || !ex.options().durable || !b.queue) return false;
    const auto& o = b.queue->options();
    // MQTT bindings carry a parsed pattern and belong to exclusive session queues; the MQTT
    // server binds them again from its own session records.
    return o.durable && !o.exclusive && !b.pattern;
}

storage::StoredBinding Broker::stored_binding(const Exchange& ex, const Binding& b) const {
    storage::StoredBinding s;
    s.exchange = ex.name();
    s.destination = b.queue->name();
    s.key = b.key;
    s.args = b.args;
    return s;
}

std::size_t Broker::recover_topology() {
    auto topology = store_.load_topology();
    recovering_ = true;
    for (const auto& e : topology.exchanges) {
        auto type = parse_exchange_type(e.type);
        if (!type) {
            spdlog::warn("stored exchange '{}' has unknown type '{}'; skipped", e.name, e.type);
            continue;
        }
        declare_exchange(e.name, *type, ExchangeOptions{true, e.auto_delete, e.internal, e.args});
    }
    std::size_t queues = 0;
    for (const auto& q : topology.queues) {
        QueueOptions o;
        o.durable = true;
        o.exclusive = q.exclusive;
        o.auto_delete = q.auto_delete;
        if (auto applied = apply_queue_arguments(q.args, o); !applied) {
            spdlog::warn("stored queue '{}': {}; declared without its arguments", q.name,
                         applied.error());
            o = QueueOptions{};
            o.durable = true;
        }
        declare_queue(q.name, o);
        ++queues;
    }
    for (const auto& b : topology.bindings) {
        if (b.destination_is_exchange) continue;  // exchange-to-exchange arrives with AMQP
        auto* q = find_queue(b.destination);
        if (!q) continue;
        bind(b.exchange, Binding{q, b.key, std::nullopt, b.args, 2});
    }
    recovering_ = false;
    return queues;
}

}  // namespace sy::core

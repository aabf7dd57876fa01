#include "core/broker/broker.hpp"

#include <algorithm>
#include <vector>

#include "core/model/clock.hpp"

namespace sy::core {

Broker::Broker(storage::QueueStore& store, Clock clock)
    : store_(store), clock_(clock ? std::move(clock) : Clock(&wall_ms)) {
    next_message_id_ = store_.max_message_id().value + 1;
    for (auto& m : store_.load_retained()) retained_.set(m->routing_key, m);
    declare_standard_exchanges();
}

Broker::~Broker() = default;

void Broker::declare_standard_exchanges() {
    // The default exchange "" is handled in publish(): every queue is reachable by its name.
    declare_exchange("amq.direct", ExchangeType::Direct);
    declare_exchange("amq.fanout", ExchangeType::Fanout);
    declare_exchange("amq.topic", ExchangeType::Topic);
    declare_exchange("amq.headers", ExchangeType::Headers);
    declare_exchange("amq.match", ExchangeType::Headers);
}

Exchange* Broker::find_exchange(std::string_view name) {
    auto it = exchanges_.find(std::string(name));
    return it == exchanges_.end() ? nullptr : it->second.get();
}

Exchange* Broker::declare_exchange(const std::string& name, ExchangeType type,
                                   ExchangeOptions options) {
    auto& slot = exchanges_[name];
    if (!slot) {
        slot = make_exchange(name, type, std::move(options));
        persist_exchange(*slot);
    }
    return slot.get();
}

bool Broker::delete_exchange(const std::string& name) {
    auto it = exchanges_.find(name);
    if (it == exchanges_.end()) return false;
    // Exchange-to-exchange bindings that lead to it go with it.
    for (auto& [other_name, other] : exchanges_) {
        for (const auto& b : other->bindings()) {
            if (b.exchange == it->second.get()) other->unbind(b);
        }
    }
    if (it->second->options().durable) store_.delete_exchange(name);
    exchanges_.erase(it);
    return true;
}

Queue* Broker::find_queue(std::string_view name) {
    auto it = queues_.find(std::string(name));
    return it == queues_.end() ? nullptr : it->second.get();
}

Queue* Broker::declare_queue(const std::string& name, QueueOptions options) {
    auto& slot = queues_[name];
    if (slot) {
        slot->touch(clock_());
        return slot.get();
    }
    if (options.durable && options.max_in_memory == 0) options.max_in_memory = queue_memory_limit_;
    slot = std::make_unique<Queue>(name, std::move(options), static_cast<QueueObserver*>(this),
                                   clock_);
    persist_queue(*slot);
    if (slot->options().durable) recover_messages(*slot);
    return slot.get();
}

void Broker::delete_queue(const std::string& name) {
    auto it = queues_.find(name);
    if (it == queues_.end()) return;
    Queue* q = it->second.get();
    for (auto& [ename, ex] : exchanges_) ex->unbind_queue(q);
    if (q->options().durable) store_.drop_queue(name);
    queues_.erase(it);
}

bool Broker::bind(std::string_view exchange, const Binding& binding) {
    auto* ex = find_exchange(exchange);
    if (!ex) return false;
    bool added = ex->bind(binding);
    if (added && durable_binding(*ex, binding)) store_.save_binding(stored_binding(*ex, binding));
    return added;
}

bool Broker::unbind(std::string_view exchange, const Binding& binding) {
    auto* ex = find_exchange(exchange);
    if (!ex || !ex->unbind(binding)) return false;
    if (durable_binding(*ex, binding)) store_.delete_binding(stored_binding(*ex, binding));
    return true;
}

void Broker::publish(Message msg, const PublishDone& done) {
    publish_routed(std::move(msg), done, nullptr);
}

std::size_t Broker::publish_routed(Message msg, const PublishDone& done, const RouteFilter& keep) {
    const DeadLetterHold hold(*this);
    msg.id = MessageId{next_message_id_++};
    if (msg.published_at_ms == 0) msg.published_at_ms = clock_();
    if (msg.origin.protocol != Protocol::Internal) {
        ++stats_.messages_received;
        stats_.bytes_received += msg.payload.size();
    }
    auto shared = std::make_shared<const Message>(std::move(msg));
    const Message& m = *shared;

    if (m.retain) {
        retained_.set(m.routing_key, m.payload.empty() ? nullptr : shared);
        store_.set_retained(m.routing_key, m.payload.empty() ? nullptr : shared);
    }

    route_scratch_.clear();
    if (m.exchange.empty()) {
        if (auto* q = find_queue(m.routing_key)) route_scratch_.add(q, 2);
    } else if (auto* ex = find_exchange(m.exchange)) {
        route_through(*ex, m, route_scratch_);
    }

    PublishOutcome outcome;
    // Copy: dispatch may run consumers that publish from inside their callback.
    auto targets = route_scratch_.targets();
    if (keep) {
        std::erase_if(targets, [&](const RouteSet::Target& t) { return !keep(*t.queue); });
    }
    if (targets.empty() && m.origin.protocol != Protocol::Internal) ++stats_.messages_unroutable;

    // Enqueue everywhere first without delivering, so the store hears of the message before
    // any consumer can settle it: its remove always follows its append.
    std::vector<std::string> durable_targets;
    for (const auto& t : targets) {
        auto r = t.queue->enqueue(shared, t.qos_cap, false, /*dispatch_now=*/false);
        if (r == EnqueueResult::Queued) {
            ++outcome.routed;
            if (m.props.persistent && t.queue->options().durable) {
                durable_targets.push_back(t.queue->name());
            }
            continue;
        }
        ++stats_.messages_dropped;
        if (r == EnqueueResult::Rejected) ++outcome.rejected;
    }
    if (!durable_targets.empty()) {
        store_.append(shared, durable_targets, [this, done, outcome](bool ok) mutable {
            outcome.ok = ok;
            if (!ok) {
                ++stats_.store_failures;
                stats_.last_store_failure_ms = now_ms();
            }
            if (done) done(outcome);
        });
    } else if (done) {
        done(outcome);
    }
    for (const auto& t : targets) t.queue->dispatch();
    return outcome.routed;
}

std::uint64_t Broker::memory_bytes() const {
    std::uint64_t total = 0;
    for (const auto& [name, q] : queues_) total += q->memory_bytes();
    return total;
}

void Broker::tick(std::int64_t now_ms) {
    const DeadLetterHold hold(*this);  // nothing runs consumers while queues_ is walked
    std::vector<std::string> unused;
    for (auto& [name, q] : queues_) {
        q->expire(now_ms);
        if (q->unused_expired(now_ms)) unused.push_back(name);
    }
    for (const auto& name : unused) {
        delete_queue(name);
        ++stats_.queues_expired;
    }
}

void Broker::on_settled(Queue& q, const QueueEntry& entry) { forget(q, entry); }

void Broker::on_dropped(Queue& q, const QueueEntry& entry) {
    ++stats_.messages_dropped;
    forget(q, entry);
}

void Broker::forget(const Queue& q, const QueueEntry& entry) {
    if (entry.msg->props.persistent && q.options().durable) store_.remove(q.name(), entry.msg->id);
}

}  // namespace sy::core

namespace sy::core {

void Broker::on_delivered(Queue& q, const QueueEntry& entry) {
    if (entry.msg->props.persistent && q.options().durable && !entry.redelivered) {
        store_.mark_delivered(q.name(), entry.msg->id);
    }
}

}  // namespace sy::core

namespace sy::core {

void Broker::route_through(const Exchange& first, const Message& m, RouteSet& out) {
    first.route(m, out);
    // Exchange-to-exchange bindings: each exchange routes the message once, so a cycle of
    // bindings ends (RabbitMQ behaves the same).
    auto& pending = out.pending_exchanges();
    if (pending.empty()) return;
    std::vector<const Exchange*> visited{&first};
    while (!pending.empty()) {
        Exchange* next = pending.back();
        pending.pop_back();
        if (std::find(visited.begin(), visited.end(), next) != visited.end()) continue;
        visited.push_back(next);
        next->route(m, out);
    }
}

}  // namespace sy::core

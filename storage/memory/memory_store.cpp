#include "storage/memory/memory_store.hpp"

#include <algorithm>

namespace sy::storage {

void MemoryStore::append(const core::MessagePtr& message, const std::vector<std::string>& queues,
                         Completion done) {
    for (const auto& q : queues) {
        queues_[q][message->id.value] = StoredMessage{message, false};
    }
    max_id_ = std::max(max_id_, message->id.value);
    if (done) done(true);
}

void MemoryStore::remove(const std::string& queue, core::MessageId id) {
    auto it = queues_.find(queue);
    if (it != queues_.end()) it->second.erase(id.value);
}

void MemoryStore::mark_delivered(const std::string& queue, core::MessageId id) {
    auto it = queues_.find(queue);
    if (it == queues_.end()) return;
    auto m = it->second.find(id.value);
    if (m != it->second.end()) m->second.redelivered = true;
}

void MemoryStore::drop_queue(const std::string& queue) {
    queues_.erase(queue);
    queue_defs_.erase(queue);
    std::erase_if(bindings_, [&](const StoredBinding& b) {
        return !b.destination_is_exchange && b.destination == queue;
    });
}

std::vector<StoredMessage> MemoryStore::load(const std::string& queue) {
    std::vector<StoredMessage> out;
    auto it = queues_.find(queue);
    if (it == queues_.end()) return out;
    out.reserve(it->second.size());
    for (const auto& [id, m] : it->second) out.push_back(m);
    return out;
}

std::vector<StoredMessage> MemoryStore::load_head(const std::string& queue, std::size_t limit) {
    return std::move(range(queue, 0, limit).messages);
}

QueueExtent MemoryStore::count_after(const std::string& queue, core::MessageId after) {
    QueueExtent e;
    auto it = queues_.find(queue);
    if (it == queues_.end()) return e;
    for (auto m = it->second.upper_bound(after.value); m != it->second.end(); ++m) {
        ++e.messages;
        e.bytes += m->second.message->payload.size();
        e.last_id = core::MessageId{m->first};
    }
    return e;
}

void MemoryStore::read_range(const std::string& queue, core::MessageId after, std::size_t limit,
                             ReadDone done) {
    auto r = range(queue, after.value, limit);
    if (done) done(std::move(r));
}

void MemoryStore::remove_after(const std::string& queue, core::MessageId after) {
    auto it = queues_.find(queue);
    if (it == queues_.end()) return;
    it->second.erase(it->second.upper_bound(after.value), it->second.end());
}

// limit 0: no limit.
StoredRange MemoryStore::range(const std::string& queue, std::uint64_t after,
                               std::size_t limit) const {
    StoredRange r;
    auto it = queues_.find(queue);
    if (it == queues_.end()) return r;
    for (auto m = it->second.upper_bound(after); m != it->second.end(); ++m) {
        if (limit != 0 && r.rows == limit) break;
        r.messages.push_back(m->second);
        ++r.rows;
        r.last_id = core::MessageId{m->first};
    }
    return r;
}

void MemoryStore::set_retained(const std::string& key, const core::MessagePtr& message) {
    if (message) {
        retained_[key] = message;
        max_id_ = std::max(max_id_, message->id.value);
    } else {
        retained_.erase(key);
    }
}

std::vector<core::MessagePtr> MemoryStore::load_retained() {
    std::vector<core::MessagePtr> out;
    out.reserve(retained_.size());
    for (const auto& [k, m] : retained_) out.push_back(m);
    return out;
}

void MemoryStore::save_exchange(const StoredExchange& exchange) {
    exchanges_[exchange.name] = exchange;
}

void MemoryStore::delete_exchange(const std::string& name) {
    exchanges_.erase(name);
    std::erase_if(bindings_, [&](const StoredBinding& b) {
        return b.exchange == name || (b.destination_is_exchange && b.destination == name);
    });
}

void MemoryStore::save_queue(const StoredQueue& queue) { queue_defs_[queue.name] = queue; }

namespace {
bool same_binding(const StoredBinding& a, const StoredBinding& b) {
    return a.exchange == b.exchange && a.destination == b.destination &&
           a.destination_is_exchange == b.destination_is_exchange && a.key == b.key &&
           a.args == b.args;
}
}  // namespace

void MemoryStore::save_binding(const StoredBinding& binding) {
    for (const auto& b : bindings_) {
        if (same_binding(b, binding)) return;
    }
    bindings_.push_back(binding);
}

void MemoryStore::delete_binding(const StoredBinding& binding) {
    std::erase_if(bindings_, [&](const StoredBinding& b) { return same_binding(b, binding); });
}

void MemoryStore::save_mqtt_session(const StoredMqttSession& session) {
    mqtt_sessions_[session.client_id] = session;
}

void MemoryStore::delete_mqtt_session(const std::string& client_id) {
    mqtt_sessions_.erase(client_id);
}

Topology MemoryStore::load_topology() {
    Topology t;
    for (const auto& [n, e] : exchanges_) t.exchanges.push_back(e);
    for (const auto& [n, q] : queue_defs_) t.queues.push_back(q);
    t.bindings = bindings_;
    for (const auto& [id, s] : mqtt_sessions_) t.mqtt_sessions.push_back(s);
    return t;
}

std::size_t MemoryStore::stored_count(const std::string& queue) const {
    auto it = queues_.find(queue);
    return it == queues_.end() ? 0 : it->second.size();
}

}  // namespace sy::storage

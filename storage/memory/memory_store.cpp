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

void MemoryStore::drop_queue(const std::string& queue) { queues_.erase(queue); }

std::vector<StoredMessage> MemoryStore::load(const std::string& queue) {
    std::vector<StoredMessage> out;
    auto it = queues_.find(queue);
    if (it == queues_.end()) return out;
    out.reserve(it->second.size());
    for (const auto& [id, m] : it->second) out.push_back(m);
    return out;
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

std::size_t MemoryStore::stored_count(const std::string& queue) const {
    auto it = queues_.find(queue);
    return it == queues_.end() ? 0 : it->second.size();
}

}  // namespace sy::storage

#pragma once
// Keeps everything in process memory: the embedded default until the SQLite store lands, and
// the store session and core tests run against. Completions fire at once.

#include <map>
#include <string>
#include <unordered_map>

#include "storage/queue_store.hpp"

namespace sy::storage {

class MemoryStore : public QueueStore {
public:
    void append(const core::MessagePtr& message, const std::vector<std::string>& queues,
                Completion done) override;
    void remove(const std::string& queue, core::MessageId id) override;
    void mark_delivered(const std::string& queue, core::MessageId id) override;
    void drop_queue(const std::string& queue) override;
    std::vector<StoredMessage> load(const std::string& queue) override;
    std::vector<StoredMessage> load_head(const std::string& queue, std::size_t limit) override;
    QueueExtent count_after(const std::string& queue, core::MessageId after) override;
    // Answers at once, inside the call.
    void read_range(const std::string& queue, core::MessageId after, std::size_t limit,
                    ReadDone done) override;
    void remove_after(const std::string& queue, core::MessageId after) override;
    void set_retained(const std::string& key, const core::MessagePtr& message) override;
    std::vector<core::MessagePtr> load_retained() override;
    void save_exchange(const StoredExchange& exchange) override;
    void delete_exchange(const std::string& name) override;
    void save_queue(const StoredQueue& queue) override;
    void save_binding(const StoredBinding& binding) override;
    void delete_binding(const StoredBinding& binding) override;
    void save_mqtt_session(const StoredMqttSession& session) override;
    // Everything is stored at once.
    void barrier(Completion done) override {
        if (done) done(true);
    }
    void delete_mqtt_session(const std::string& client_id) override;
    Topology load_topology() override;
    core::MessageId max_message_id() override { return core::MessageId{max_id_}; }

    std::size_t stored_count(const std::string& queue) const;

private:
    StoredRange range(const std::string& queue, std::uint64_t after, std::size_t limit) const;

    // Ordered by message id, which is publish order.
    std::unordered_map<std::string, std::map<std::uint64_t, StoredMessage>> queues_;
    std::map<std::string, core::MessagePtr> retained_;
    std::map<std::string, StoredExchange> exchanges_;
    std::map<std::string, StoredQueue> queue_defs_;
    std::vector<StoredBinding> bindings_;
    std::map<std::string, StoredMqttSession> mqtt_sessions_;
    std::uint64_t max_id_ = 0;
};

}  // namespace sy::storage

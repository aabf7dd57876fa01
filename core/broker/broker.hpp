#pragma once
// The facade protocol sessions and services call: exchanges, queues, bindings, publish and
// retained messages. Owned by the event-loop thread; nothing here locks.

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/broker/retained_store.hpp"
#include "core/broker/stats.hpp"
#include "core/queue/queue.hpp"
#include "core/routing/exchange.hpp"
#include "storage/queue_store.hpp"

namespace sy::core {

struct PublishOutcome {
    bool ok = true;          // false: the store could not make it durable
    std::size_t routed = 0;  // queues it reached
    std::size_t rejected = 0;  // queues that refused it (reject-publish overflow)
};
using PublishDone = std::function<void(const PublishOutcome&)>;

class Broker final : private QueueObserver {
public:
    explicit Broker(storage::QueueStore& store);
    ~Broker() override;
    Broker(const Broker&) = delete;
    Broker& operator=(const Broker&) = delete;

    Exchange* find_exchange(std::string_view name);
    // Returns the existing exchange of that name, or a new one.
    Exchange* declare_exchange(const std::string& name, ExchangeType type,
                               ExchangeOptions options = {});
    bool delete_exchange(const std::string& name);

    Queue* find_queue(std::string_view name);
    Queue* declare_queue(const std::string& name, QueueOptions options);
    // Unbinds and deletes the queue and everything in it. Consumers must be gone already.
    void delete_queue(const std::string& name);

    bool bind(std::string_view exchange, const Binding& binding);
    bool unbind(std::string_view exchange, const Binding& binding);

    // Routes the message through msg.exchange and enqueues it. A retained message also
    // replaces (or, with an empty payload, clears) the retained message of its key. done is
    // called once the message is as safe as it will get: at once for transient messages, after
    // the store's commit for persistent ones routed to durable queues.
    void publish(Message msg, const PublishDone& done);

    // Retained messages matching a subscription pattern.
    void for_each_retained(const TopicPattern& pattern,
                           const std::function<void(const MessagePtr&)>& f) const {
        retained_.match(pattern, f);
    }
    std::size_t retained_count() const { return retained_.size(); }

    BrokerStats& stats() { return stats_; }
    storage::QueueStore& store() { return store_; }
    std::size_t queue_count() const { return queues_.size(); }

private:
    void on_settled(Queue& q, const QueueEntry& entry) override;
    void on_dropped(Queue& q, const QueueEntry& entry) override;
    void on_delivered(Queue& q, const QueueEntry& entry) override;
    void declare_standard_exchanges();

    storage::QueueStore& store_;
    std::unordered_map<std::string, std::unique_ptr<Exchange>> exchanges_;
    std::unordered_map<std::string, std::unique_ptr<Queue>> queues_;
    RetainedStore retained_;
    BrokerStats stats_;
    RouteSet route_scratch_;  // reused across publishes to avoid an allocation each time
    std::uint64_t next_message_id_ = 1;
};

}  // namespace sy::core

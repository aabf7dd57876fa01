#pragma once
// The facade protocol sessions and services call: exchanges, queues, bindings, publish and
// retained messages. Owned by the event-loop thread; nothing here locks.

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/broker/dead_letter.hpp"
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
    // clock is the broker clock for publish stamps and queue TTLs; empty means core::wall_ms.
    explicit Broker(storage::QueueStore& store, Clock clock = {});
    ~Broker() override;
    Broker(const Broker&) = delete;
    Broker& operator=(const Broker&) = delete;

    Exchange* find_exchange(std::string_view name);
    // Returns the existing exchange of that name, or a new one.
    Exchange* declare_exchange(const std::string& name, ExchangeType type,
                               ExchangeOptions options = {});
    bool delete_exchange(const std::string& name);

    Queue* find_queue(std::string_view name);
    // Declaring an existing queue returns it as it is and counts as use for x-expires.
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

    // Housekeeping the app calls every 500 ms: every queue sheds the expired messages at its
    // head (dead-lettering them), and queues whose x-expires has run out are deleted with their
    // messages, which are not dead-lettered (as in RabbitMQ).
    void tick(std::int64_t now_ms);

    // How many ready messages a durable queue keeps in memory before it pages its persistent
    // messages (QueueOptions::max_in_memory for queues that leave it 0; 0 = never page).
    // storage.queue_memory_limit; set it before queues are declared (recovery included).
    void set_queue_memory_limit(std::size_t messages) { queue_memory_limit_ = messages; }
    std::size_t queue_memory_limit() const { return queue_memory_limit_; }

    // Retained messages matching a subscription pattern.
    void for_each_retained(const TopicPattern& pattern,
                           const std::function<void(const MessagePtr&)>& f) const {
        retained_.match(pattern, f);
    }
    std::size_t retained_count() const { return retained_.size(); }

    // At start-up, before any client: durable exchanges, queues (with their messages) and
    // bindings come back from the store. Returns how many queues were recovered.
    std::size_t recover_topology();

    BrokerStats& stats() { return stats_; }
    storage::QueueStore& store() { return store_; }
    std::size_t queue_count() const { return queues_.size(); }
    // Payload bytes queues hold in memory (ready messages; paged ones are on disk): what the
    // memory alarm weighs.
    std::uint64_t memory_bytes() const;

private:
    using RouteFilter = std::function<bool(const Queue&)>;

    // Dead letters wait while a publish or a tick is under way and go out when the outermost
    // one ends: republishing in the middle of a publish could let a consumer settle a message
    // the store has not heard of yet, and a tick walks queues_ without running consumers.
    class DeadLetterHold {
    public:
        explicit DeadLetterHold(Broker& b) : b_(b) { ++b_.dead_letter_holds_; }
        ~DeadLetterHold();
        DeadLetterHold(const DeadLetterHold&) = delete;
        DeadLetterHold& operator=(const DeadLetterHold&) = delete;

    private:
        Broker& b_;
    };

    void on_settled(Queue& q, const QueueEntry& entry) override;
    void on_dropped(Queue& q, const QueueEntry& entry) override;
    void on_dead_letter(Queue& q, const QueueEntry& entry, DeadLetterReason reason) override;
    void on_delivered(Queue& q, const QueueEntry& entry) override;
    // Paging (paging.cpp).
    void on_page_in(Queue& q, const PageRequest& request) override;
    void on_paged_dropped(Queue& q, MessageId after, std::uint64_t count) override;
    // Fills a durable queue from the store at declaration: all of it, or the first
    // max_in_memory messages and the count of the rest.
    void recover_messages(Queue& q);
    void declare_standard_exchanges();
    // Routes through first and every exchange reached by exchange-to-exchange bindings.
    static void route_through(const Exchange& first, const Message& m, RouteSet& out);
    // Topology persistence (topology.cpp). Exclusive queues are never stored: they belong to
    // one connection or MQTT session, whose owner declares them again.
    void persist_exchange(const Exchange& ex);
    void persist_queue(const Queue& q);
    bool durable_binding(const Exchange& ex, const Binding& b) const;
    storage::StoredBinding stored_binding(const Exchange& ex, const Binding& b) const;
    bool recovering_ = false;
    // publish() with the targets narrowed to those keep accepts (all of them when empty).
    // Returns how many queues took the message.
    std::size_t publish_routed(Message msg, const PublishDone& done, const RouteFilter& keep);
    void forget(const Queue& q, const QueueEntry& entry);
    void drain_dead_letters();
    void republish(DeadLetter dl);

    storage::QueueStore& store_;
    Clock clock_;
    std::unordered_map<std::string, std::unique_ptr<Exchange>> exchanges_;
    std::unordered_map<std::string, std::unique_ptr<Queue>> queues_;
    RetainedStore retained_;
    BrokerStats stats_;
    RouteSet route_scratch_;  // reused across publishes to avoid an allocation each time
    std::uint64_t next_message_id_ = 1;
    std::size_t queue_memory_limit_ = 10000;  // as storage.queue_memory_limit's default
    std::deque<DeadLetter> dead_letters_;  // waiting for the holds to end
    std::uint32_t dead_letter_holds_ = 0;
    bool draining_ = false;
};

}  // namespace sy::core

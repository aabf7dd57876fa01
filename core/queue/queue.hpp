#pragma once
// A queue holds messages for its consumers: round-robin dispatch among consumers that have
// room, per-consumer prefetch, ack/nack with requeue, and the redelivered flag. It is owned
// and driven by the event-loop thread only.

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/model/ids.hpp"
#include "core/model/message.hpp"

namespace sy::core {

class Queue;

struct QueueEntry {
    MessagePtr msg;
    std::uint8_t qos_cap = 2;  // highest QoS of the bindings that routed it here
    bool redelivered = false;
};

enum class Overflow : std::uint8_t { DropHead, RejectPublish };

struct QueueOptions {
    bool durable = false;
    bool exclusive = false;
    bool auto_delete = false;
    std::string owner;                  // connection or client that owns an exclusive queue
    std::uint64_t max_length = 0;       // messages ready; 0 = unlimited
    std::uint64_t max_length_bytes = 0; // payload bytes ready; 0 = unlimited
    Overflow overflow = Overflow::DropHead;
    Headers args;
};

class Consumer {
public:
    virtual ~Consumer() = default;
    // Whether it can take another delivery now: its own flow control (MQTT in-flight window,
    // a full socket buffer) on top of the queue's prefetch count.
    virtual bool ready() const { return true; }
    // Hands an entry over. Returns true if the consumer will ack or nack tag later, false if
    // the delivery is settled now (QoS 0, no-ack). Must not add or remove consumers of q.
    virtual bool deliver(Queue& q, DeliveryTag tag, const QueueEntry& entry) = 0;
};

// Told about entries leaving the queue for good, so storage can forget them.
class QueueObserver {
public:
    virtual ~QueueObserver() = default;
    virtual void on_settled(Queue& q, const QueueEntry& entry) = 0;
    virtual void on_dropped(Queue& q, const QueueEntry& entry) = 0;  // overflow, purge, delete
    // Handed to a consumer that will ack it later: after a restart it comes back redelivered.
    virtual void on_delivered(Queue& /*q*/, const QueueEntry& /*entry*/) {}
};

enum class EnqueueResult : std::uint8_t { Queued, Dropped, Rejected };

class Queue {
public:
    Queue(std::string name, QueueOptions options, QueueObserver* observer = nullptr);
    Queue(const Queue&) = delete;
    Queue& operator=(const Queue&) = delete;

    const std::string& name() const { return name_; }
    const QueueOptions& options() const { return options_; }

    // With dispatch_now false the caller calls dispatch() itself, after it has done what must
    // come before any delivery (telling the store).
    EnqueueResult enqueue(MessagePtr msg, std::uint8_t qos_cap, bool redelivered = false,
                          bool dispatch_now = true);

    // prefetch 0 = unlimited.
    void add_consumer(Consumer* consumer, std::uint32_t prefetch = 0);
    // Unacked deliveries of the consumer go back to the head of the queue, in their original
    // order and flagged redelivered, unless requeue is false (the consumer keeps them, as a
    // persistent MQTT session does across a reconnect) in which case they stay unacked.
    void remove_consumer(Consumer* consumer, bool requeue = true);
    bool has_consumer(const Consumer* consumer) const;
    void set_prefetch(Consumer* consumer, std::uint32_t prefetch);

    // Settles a delivery. Returns false for an unknown tag.
    bool ack(DeliveryTag tag);
    // Requeues (at the head, redelivered) or drops the delivery. False for an unknown tag.
    bool nack(DeliveryTag tag, bool requeue);

    // basic.get: the head entry, tracked unacked under its tag unless no_ack.
    std::optional<std::pair<DeliveryTag, QueueEntry>> get(bool no_ack);

    // Delivers while there are messages and ready consumers. Call it when a consumer that
    // said "not ready" has room again.
    void dispatch();

    std::size_t purge();  // drops every ready message; returns how many

    std::size_t ready_count() const { return ready_.size(); }
    std::uint64_t ready_bytes() const { return ready_bytes_; }
    std::size_t unacked_count() const { return unacked_.size(); }
    std::size_t consumer_count() const { return consumers_.size(); }
    std::uint64_t dropped_total() const { return dropped_total_; }

private:
    struct Slot {
        Consumer* consumer;
        std::uint32_t prefetch;
        std::uint32_t unacked = 0;
    };
    struct Unacked {
        QueueEntry entry;
        Consumer* owner;  // nullptr for basic.get
    };

    Slot* find_slot(const Consumer* consumer);
    Slot* next_ready_slot();
    void requeue_front(std::vector<QueueEntry> entries);
    void release_slot_credit(Consumer* owner);
    void drop_entry(const QueueEntry& e);
    void pop_front_ready();
    QueueEntry take_front();

    std::string name_;
    QueueOptions options_;
    QueueObserver* observer_;
    std::deque<QueueEntry> ready_;
    std::uint64_t ready_bytes_ = 0;
    std::unordered_map<std::uint64_t, Unacked> unacked_;
    std::vector<Slot> consumers_;
    std::size_t next_consumer_ = 0;
    std::uint64_t next_tag_ = 1;
    std::uint64_t dropped_total_ = 0;
    bool dispatching_ = false;
    bool dispatch_again_ = false;
};

}  // namespace sy::core

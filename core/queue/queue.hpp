#pragma once
// A queue holds messages for its consumers: round-robin dispatch among consumers that have
// room, per-consumer prefetch, ack/nack with requeue, the redelivered flag, message TTL,
// length limits and dead-lettering (RabbitMQ semantics; the broker does the republishing).
// A durable queue can also page: past QueueOptions::max_in_memory ready messages it keeps its
// persistent messages on disk only and reads them back in batches as its head drains.
// It is owned and driven by the event-loop thread only.

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
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

// What a queue does when a publish would take it past max_length or max_length_bytes:
// DropHead (RabbitMQ's default) dead-letters the oldest ready messages to make room;
// RejectPublish refuses the new message, which is not dead-lettered: its publisher is told.
enum class Overflow : std::uint8_t { DropHead, RejectPublish };

// Why a message left its queue as a dead letter (RabbitMQ's x-death reasons).
enum class DeadLetterReason : std::uint8_t {
    Expired,   // its TTL ran out while it was ready
    Rejected,  // nack/reject with requeue=false
    Maxlen,    // dropped from the head by drop-head overflow
};

// "expired", "rejected", "maxlen", as RabbitMQ spells them in x-death.
constexpr std::string_view to_string(DeadLetterReason r) {
    switch (r) {
    case DeadLetterReason::Expired: return "expired";
    case DeadLetterReason::Rejected: return "rejected";
    case DeadLetterReason::Maxlen: return "maxlen";
    }
    return "rejected";
}

struct QueueOptions {
    bool durable = false;
    bool exclusive = false;
    bool auto_delete = false;
    std::string owner;                  // connection or client that owns an exclusive queue
    std::uint64_t max_length = 0;       // messages ready; 0 = unlimited
    std::uint64_t max_length_bytes = 0; // payload bytes ready; 0 = unlimited
    Overflow overflow = Overflow::DropHead;
    // x-message-ttl: how long a message may stay ready in this queue, in ms from its
    // published_at_ms. A message's own props.expiration_ms wins when lower. Unset: forever.
    // 0 expires a message unless it can be delivered at once.
    std::optional<std::uint64_t> message_ttl_ms;
    // x-expires: the queue is deleted (by Broker::tick, its messages not dead-lettered) once it
    // has had no consumers and no use (consume, get, redeclare) for this long. Unset: never.
    std::optional<std::uint64_t> expires_ms;
    // x-dead-letter-exchange: where expired, rejected (requeue=false) and drop-head messages are
    // republished; "" is the default exchange. Unset: they are dropped.
    std::optional<std::string> dead_letter_exchange;
    // x-dead-letter-routing-key: the routing key of the republished copy. Unset: the message's
    // own routing key.
    std::optional<std::string> dead_letter_routing_key;
    // Paging, for durable queues: once this many ready messages are in memory, persistent
    // messages that arrive stay on disk only (the owner stores them) until the head has drained
    // and they are read back, in order. 0 = keep everything in memory. The broker fills it in
    // from storage.queue_memory_limit.
    std::size_t max_in_memory = 0;
    Headers args;
};

// A message of a paged queue, read back from the store.
struct PagedMessage {
    MessagePtr msg;
    bool redelivered = false;  // the store marked it delivered (before a restart)
};

// A queue asks its owner for the next paged messages: those with ids above `after`, in id
// order, at most `limit` of them. The answer goes to Queue::page_in(ticket, ...).
struct PageRequest {
    MessageId after;
    std::size_t limit = 0;
    std::uint64_t ticket = 0;
};

// The answer to a PageRequest.
struct PageResult {
    bool ok = true;                      // false: the read failed; the queue asks again later
    std::vector<PagedMessage> messages;  // in id order
    std::size_t rows = 0;                // rows read, unreadable ones (skipped) included
    MessageId last_id;                   // highest id among the rows read; 0 when none
};

// Where a queue reads the time (ms, the broker clock of core/model/clock.hpp) when the caller
// does not pass it: TTL checks in dispatch() and get(), last-use stamps. Tests pass a fake.
using Clock = std::function<std::int64_t()>;

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

// Told about entries leaving the queue for good, so storage can forget them. An observer may
// publish from these callbacks, even into this queue: the entry has left the queue already.
class QueueObserver {
public:
    virtual ~QueueObserver() = default;
    virtual void on_settled(Queue& q, const QueueEntry& entry) = 0;
    // Gone without a reason to dead-letter it: purge (RabbitMQ does not dead-letter purged or
    // deleted messages; a deleted queue tells nobody, the store drops the queue whole).
    virtual void on_dropped(Queue& q, const QueueEntry& entry) = 0;
    // Expired, rejected without requeue, or pushed out by drop-head overflow: called instead of
    // on_dropped, whether or not the queue has a dead-letter exchange. An observer that does not
    // dead-letter treats it as a drop.
    virtual void on_dead_letter(Queue& q, const QueueEntry& entry, DeadLetterReason /*reason*/) {
        on_dropped(q, entry);
    }
    // Handed to a consumer that will ack it later: after a restart it comes back redelivered.
    virtual void on_delivered(Queue& /*q*/, const QueueEntry& /*entry*/) {}
    // The queue pages (QueueOptions::max_in_memory) and its in-memory head ran low: read the
    // request's messages from the store and hand them to q.page_in(request.ticket, ...), at
    // once or later on the loop thread, but only while q lives (Queue::life()). An owner that
    // sets max_in_memory implements this; the default never answers, so nothing is read back.
    virtual void on_page_in(Queue& /*q*/, const PageRequest& /*request*/) {}
    // A purge dropped `count` paged messages: every message of q in the store with an id above
    // `after` is to be forgotten (nothing in memory has such an id).
    virtual void on_paged_dropped(Queue& /*q*/, MessageId /*after*/, std::uint64_t /*count*/) {}
};

enum class EnqueueResult : std::uint8_t { Queued, Dropped, Rejected };

class Queue {
public:
    // An empty clock means core::wall_ms.
    Queue(std::string name, QueueOptions options, QueueObserver* observer = nullptr,
          Clock clock = {});
    Queue(const Queue&) = delete;
    Queue& operator=(const Queue&) = delete;

    const std::string& name() const { return name_; }
    const QueueOptions& options() const { return options_; }

    // With dispatch_now false the caller calls dispatch() itself, after it has done what must
    // come before any delivery (telling the store). When the message would not fit, expired
    // messages at the head are shed first: dead messages neither push live ones out nor get a
    // publish refused.
    EnqueueResult enqueue(MessagePtr msg, std::uint8_t qos_cap, bool redelivered = false,
                          bool dispatch_now = true);

    // prefetch 0 = unlimited. Counts as use for x-expires.
    void add_consumer(Consumer* consumer, std::uint32_t prefetch = 0);
    // Unacked deliveries of the consumer go back to the head of the queue, in their original
    // order and flagged redelivered, unless requeue is false (the consumer keeps them, as a
    // persistent MQTT session does across a reconnect) in which case they stay unacked.
    // The x-expires idle time of a queue counts from its last consumer leaving.
    void remove_consumer(Consumer* consumer, bool requeue = true);
    bool has_consumer(const Consumer* consumer) const;
    void set_prefetch(Consumer* consumer, std::uint32_t prefetch);

    // Settles a delivery. Returns false for an unknown tag.
    bool ack(DeliveryTag tag);
    // Requeues (at the head, redelivered, keeping its original expiry) or dead-letters the
    // delivery (reason Rejected). False for an unknown tag.
    bool nack(DeliveryTag tag, bool requeue);

    // basic.get: the head entry, tracked unacked under its tag unless no_ack. Expired entries
    // at the head are dead-lettered first. Counts as use for x-expires.
    std::optional<std::pair<DeliveryTag, QueueEntry>> get(bool no_ack);

    // Delivers while there are messages and ready consumers, dead-lettering expired entries
    // that reach the head instead of delivering them. Call it when a consumer that said "not
    // ready" has room again.
    void dispatch();

    // Dead-letters the expired entries at the head, so a queue nobody reads still sheds them;
    // returns how many. As in RabbitMQ only the head is examined: an expired message behind a
    // longer-lived one waits (and counts in ready_count) until it reaches the head. Either way
    // it is never delivered after its time.
    std::size_t expire(std::int64_t now_ms);
    // When the entry dies here: its published_at_ms plus the lower of the queue's
    // message_ttl_ms and its own props.expiration_ms. nullopt: never. It is dead once the clock
    // is past this (a TTL of 0 still lets an immediate delivery through). A requeued entry keeps
    // its deadline.
    std::optional<std::int64_t> deadline(const QueueEntry& entry) const;

    // x-expires bookkeeping. consume, get and remove_consumer stamp the queue themselves; the
    // broker touches it on redeclare.
    void touch(std::int64_t now_ms) { last_used_ms_ = now_ms; }
    std::int64_t last_used_ms() const { return last_used_ms_; }
    // True when x-expires has run out: no consumers, not used for expires_ms. A queue with
    // basic.get deliveries still unacked is in use, so no channel is left holding its tags.
    bool unused_expired(std::int64_t now_ms) const;

    // Drops every ready message, paged ones included; returns how many.
    std::size_t purge();

    // ---- paging (queue_paging.cpp) ---------------------------------------------------------
    // A message is paged out when it is persistent, the queue durable, max_in_memory set, and
    // either max_in_memory messages are ready in memory already or earlier messages are paged
    // out (so order holds). The queue keeps only its count, bytes and QoS cap; the owner must
    // store it (Broker::publish appends it) before calling dispatch(), get() or expire(), the
    // calls that may ask for a page-in. A message that cannot be paged (transient) arriving
    // while others are paged out waits in memory behind them and is merged back by id.

    // The answer to on_page_in. A ticket that is not the one in flight (the queue was purged
    // since) is ignored. Delivers what it brought unless called from inside expire().
    void page_in(std::uint64_t ticket, PageResult result);
    // Recovery: `count` messages of `bytes` payload bytes with ids above `after` (up to
    // last_id) are in the store but not in the queue.
    void restore_paged(std::uint64_t count, std::uint64_t bytes, MessageId after,
                       MessageId last_id);
    // Lives as long as the queue: a page-in completion checks it before touching the queue.
    std::weak_ptr<const void> life() const { return life_; }

    std::uint64_t paged_count() const { return paged_count_; }  // on disk only
    std::size_t in_memory_count() const { return ready_.size() + tail_.size(); }
    bool page_in_pending() const { return page_ticket_ != 0; }
    std::uint64_t page_reads() const { return page_reads_; }

    // Ready messages, paged ones included.
    std::size_t ready_count() const { return ready_.size() + tail_.size() + paged_count_; }
    std::uint64_t ready_bytes() const { return ready_bytes_ + paged_bytes_; }
    // Payload bytes of the ready messages held in memory (paged ones excluded).
    std::uint64_t memory_bytes() const { return ready_bytes_; }
    std::size_t unacked_count() const { return unacked_.size(); }
    std::size_t consumer_count() const { return consumers_.size(); }
    std::uint64_t dropped_total() const { return dropped_total_; }  // overflow, rejects, nacks
    std::uint64_t expired_total() const { return expired_total_; }

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
    void dead_letter(const QueueEntry& e, DeadLetterReason reason);
    bool head_expired(std::optional<std::int64_t>& now) const;
    std::size_t drop_expired_head(std::optional<std::int64_t>& now);
    QueueEntry take_front();

    // Paging (queue_paging.cpp).
    struct CapRun {
        std::uint64_t first_id;  // paged messages from this id on had this QoS cap
        std::uint8_t cap;
    };
    bool pageable(const Message& m) const;
    void page_out(const Message& m, std::uint8_t qos_cap);
    std::uint8_t paged_cap(std::uint64_t id);
    void refill();
    void account_page(const PageResult& r, std::uint64_t bytes);
    void merge_page(std::vector<PagedMessage>& messages);
    void trim_overflow();

    std::string name_;
    QueueOptions options_;
    QueueObserver* observer_;
    Clock clock_;
    std::int64_t last_used_ms_;
    std::deque<QueueEntry> ready_;
    std::uint64_t ready_bytes_ = 0;  // of ready_ and tail_
    // Paging state. Every paged message has an id above page_cursor_; nothing in memory that is
    // stored does. tail_ holds the unpageable entries that arrived behind paged ones.
    std::deque<QueueEntry> tail_;
    std::deque<CapRun> paged_caps_;
    std::uint64_t paged_count_ = 0;
    std::uint64_t paged_bytes_ = 0;
    std::uint64_t page_cursor_ = 0;
    std::uint64_t paged_last_id_ = 0;  // highest id paged out
    std::uint64_t page_ticket_ = 0;    // the read in flight; 0 = none
    std::uint64_t next_ticket_ = 1;
    std::uint64_t page_reads_ = 0;
    // Paged count, bytes and highest id when the read in flight was asked for, and its limit:
    // what a short answer accounts for.
    std::uint64_t asked_count_ = 0;
    std::uint64_t asked_bytes_ = 0;
    std::uint64_t asked_horizon_ = 0;
    std::size_t asked_limit_ = 0;
    bool refilling_ = false;
    bool expiring_ = false;
    bool page_failed_ = false;  // a read failed: wait for the next expire() before asking again
    std::shared_ptr<const void> life_ = std::make_shared<const bool>(true);
    std::unordered_map<std::uint64_t, Unacked> unacked_;
    std::vector<Slot> consumers_;
    std::size_t next_consumer_ = 0;
    std::uint64_t next_tag_ = 1;
    std::uint64_t dropped_total_ = 0;
    std::uint64_t expired_total_ = 0;
    bool dispatching_ = false;
    bool dispatch_again_ = false;
};

}  // namespace sy::core

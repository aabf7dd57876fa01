#pragma once
// What core asks of durable storage. The event loop calls these; an implementation may do the
// work on its own thread but must call completions back on the loop (via the poster it was
// given), because only the loop thread touches core state.
//
// Ordering contract: operations take effect in the order the loop issued them. A completion
// passed to append() fires only after the message, and every operation issued before it, is
// durable (committed, and fsynced when the sync mode asks for it).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/model/message.hpp"

namespace sy::storage {

struct StoredMessage {
    core::MessagePtr message;
    bool redelivered = false;  // it had been handed to a consumer before the restart
};

// What read_range() found.
struct StoredRange {
    bool ok = true;                       // false: the read failed (nothing to conclude)
    std::vector<StoredMessage> messages;  // in id order
    std::size_t rows = 0;                 // rows read, unreadable ones (skipped) included
    core::MessageId last_id;              // highest id among the rows read; 0 when none
};

// How much of a queue lies beyond a point: count_after().
struct QueueExtent {
    std::uint64_t messages = 0;
    std::uint64_t bytes = 0;  // payload bytes
    core::MessageId last_id;  // highest id; 0 when none
};

// A durable queue's definition. Options are kept as the declaring client's arguments plus the
// flags, so the queue can be declared again exactly as it was.
struct StoredQueue {
    std::string name;
    bool exclusive = false;
    bool auto_delete = false;
    core::Headers args;
};

struct StoredExchange {
    std::string name;
    std::string type;  // "direct", "fanout", "topic", "headers"
    bool auto_delete = false;
    bool internal = false;
    core::Headers args;
};

// A binding of a durable queue (or exchange, for exchange-to-exchange bindings) to a durable
// exchange, in the AMQP form the client gave it.
struct StoredBinding {
    std::string exchange;
    std::string destination;
    bool destination_is_exchange = false;
    std::string key;
    core::Headers args;
};

// An MQTT session that outlives its connection (clean session 0).
struct StoredMqttSession {
    std::string client_id;
    std::vector<std::pair<std::string, std::uint8_t>> subscriptions;  // filter, granted QoS
    std::vector<std::uint16_t> inbound_qos2;  // packet ids received, PUBREL not yet seen
    // Session expiry interval in seconds (v5); 0xFFFFFFFF: never (3.1.1 clean session 0).
    std::uint32_t expiry_s = 0xFFFFFFFF;
    // Outbound QoS 2 in flight: packet id and the id of the message sent with it, or 0 once
    // the client's PUBREC came (only the PUBREL/PUBCOMP exchange is left).
    std::vector<std::pair<std::uint16_t, std::uint64_t>> outbound_qos2;
};

struct Topology {
    std::vector<StoredExchange> exchanges;
    std::vector<StoredQueue> queues;
    std::vector<StoredBinding> bindings;
    std::vector<StoredMqttSession> mqtt_sessions;
};

class QueueStore {
public:
    using Completion = std::function<void(bool ok)>;
    using ReadDone = std::function<void(StoredRange)>;

    virtual ~QueueStore() = default;

    // Makes message durable in each named queue; done(ok) fires once it is (ack after commit).
    // The payload is stored once however many queues it goes to.
    virtual void append(const core::MessagePtr& message, const std::vector<std::string>& queues,
                        Completion done) = 0;
    // The message left the queue for good (acked, dropped, expired). A message removed before
    // its append reached disk need not be written at all.
    virtual void remove(const std::string& queue, core::MessageId id) = 0;
    // A delivery was attempted: on restart the message comes back flagged redelivered.
    virtual void mark_delivered(const std::string& queue, core::MessageId id) = 0;
    // The queue was deleted with everything in it (its definition and bindings too).
    virtual void drop_queue(const std::string& queue) = 0;
    // Messages of a queue in publish order, for recovery at start-up.
    virtual std::vector<StoredMessage> load(const std::string& queue) = 0;

    // Paging (a durable queue that keeps only its head in memory).
    // At start-up: the first `limit` messages of a queue in publish order (0: all), and the
    // count and payload bytes of its messages with ids above `after`.
    virtual std::vector<StoredMessage> load_head(const std::string& queue, std::size_t limit) = 0;
    virtual QueueExtent count_after(const std::string& queue, core::MessageId after) = 0;
    // While running: up to `limit` messages of the queue with ids above `after`, in order. The
    // read sees every operation issued before it (it may see later ones too); done runs on the
    // loop thread, at once or later, and never blocks the loop while SQLite reads.
    virtual void read_range(const std::string& queue, core::MessageId after, std::size_t limit,
                            ReadDone done) = 0;
    // Forgets every message of the queue with an id above `after` (a purge of paged messages);
    // the queue itself stays.
    virtual void remove_after(const std::string& queue, core::MessageId after) = 0;

    // Retained messages, keyed by routing key (AMQP form); nullptr clears.
    virtual void set_retained(const std::string& key, const core::MessagePtr& message) = 0;
    virtual std::vector<core::MessagePtr> load_retained() = 0;

    // Durable topology. save_* replaces an existing entry with the same identity.
    virtual void save_exchange(const StoredExchange& exchange) = 0;
    virtual void delete_exchange(const std::string& name) = 0;
    virtual void save_queue(const StoredQueue& queue) = 0;
    virtual void save_binding(const StoredBinding& binding) = 0;
    virtual void delete_binding(const StoredBinding& binding) = 0;
    virtual void save_mqtt_session(const StoredMqttSession& session) = 0;
    virtual void delete_mqtt_session(const std::string& client_id) = 0;
    virtual Topology load_topology() = 0;

    // Highest message id ever stored, so ids stay unique across restarts.
    virtual core::MessageId max_message_id() = 0;

    // Hands everything issued so far to the writer. The loop calls it once per iteration, so
    // all operations of one iteration go into one batch (group commit). A synchronous store
    // has nothing to do.
    virtual void flush() {}
    // done(ok) fires once everything issued before it is committed (or has failed): for an
    // acknowledgement that depends on writes without a completion of their own, such as a
    // session record.
    virtual void barrier(Completion done) = 0;
};

}  // namespace sy::storage

#pragma once
// What core asks of durable storage. The event loop calls these; an implementation may do the
// work on its own thread but must call completions back on the loop (via the poster it was
// given), because only the loop thread touches core state.
//
// Ordering contract: operations take effect in the order the loop issued them. A completion
// passed to append() fires only after the message, and every operation issued before it, is
// durable (committed, and fsynced when the sync mode asks for it).

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
};

}  // namespace sy::storage

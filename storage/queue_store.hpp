#pragma once
// What core asks of durable storage. The event loop calls these; an implementation may do the
// work on its own thread but must call completions back on the loop (via the poster it was
// given), because only the loop thread touches core state.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/model/message.hpp"

namespace sy::storage {

struct StoredMessage {
    core::MessagePtr message;
    bool redelivered = false;  // it had been handed to a consumer before the restart
};

class QueueStore {
public:
    using Completion = std::function<void(bool ok)>;

    virtual ~QueueStore() = default;

    // Makes message durable in each named queue; done(ok) fires once it is (ack after commit).
    virtual void append(const core::MessagePtr& message, const std::vector<std::string>& queues,
                        Completion done) = 0;
    // The message left the queue for good (acked, dropped, expired).
    virtual void remove(const std::string& queue, core::MessageId id) = 0;
    // A delivery was attempted: on restart the message comes back flagged redelivered.
    virtual void mark_delivered(const std::string& queue, core::MessageId id) = 0;
    // The queue was deleted with everything in it.
    virtual void drop_queue(const std::string& queue) = 0;
    // Messages of a queue in publish order, for recovery at start-up.
    virtual std::vector<StoredMessage> load(const std::string& queue) = 0;

    // Retained messages, keyed by routing key (AMQP form); nullptr clears.
    virtual void set_retained(const std::string& key, const core::MessagePtr& message) = 0;
    virtual std::vector<core::MessagePtr> load_retained() = 0;

    // Highest message id ever stored, so ids stay unique across restarts.
    virtual core::MessageId max_message_id() = 0;
};

}  // namespace sy::storage

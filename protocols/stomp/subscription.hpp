#pragma once
// One SUBSCRIBE: the consumer of one queue on behalf of a connection. It writes MESSAGE
// frames and keeps what awaits an ACK or NACK in delivery order, so that `ack:client` can
// acknowledge cumulatively ("all messages received so far on that subscription") and
// `client-individual` one at a time.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/queue/queue.hpp"

namespace sy::stomp {

class Connection;

enum class AckMode : std::uint8_t { Auto, Client, ClientIndividual };

// What the subscription does to its queue when it ends.
enum class QueueFate : std::uint8_t {
    Keep,              // /queue/, /amq/queue/, a durable topic subscription
    DeleteWhenUnused,  // auto-delete: deleted once its last consumer leaves
};

class Subscription final : public core::Consumer {
public:
    Subscription(Connection& conn, std::string id, AckMode mode, core::Queue* queue,
                 QueueFate fate, bool durable)
        : conn_(conn), id_(std::move(id)), mode_(mode), queue_(queue), fate_(fate),
          durable_(durable) {}

    const std::string& id() const { return id_; }
    AckMode mode() const { return mode_; }
    core::Queue* queue() const { return queue_; }
    QueueFate fate() const { return fate_; }
    bool durable() const { return durable_; }

    // core::Consumer
    bool ready() const override;
    bool deliver(core::Queue& q, core::DeliveryTag tag, const core::QueueEntry& entry) override;

    bool owns(std::uint64_t ack_id) const { return unacked_.contains(ack_id); }
    // ACK (positive) or NACK of ack_id, and in client mode of everything delivered before it
    // on this subscription. False for an id this subscription is not waiting for.
    bool settle(std::uint64_t ack_id, bool positive, bool requeue);
    std::size_t unacked_count() const { return unacked_.size(); }

private:
    Connection& conn_;
    std::string id_;
    AckMode mode_;
    core::Queue* queue_;
    QueueFate fate_;
    bool durable_;
    std::map<std::uint64_t, core::DeliveryTag> unacked_;  // by ack id, i.e. delivery order
};

}  // namespace sy::stomp

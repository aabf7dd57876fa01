#pragma once
// One AMQP channel: its consumers and unacked deliveries, publishes being assembled from
// method, header and body frames, publisher confirms, transactions, and the exchange, queue
// and basic methods (channel_topology.cpp, channel_basic.cpp). Every handler returns an Error;
// the connection turns it into channel.close or connection.close.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/broker/broker.hpp"
#include "protocols/amqp/codec/codec.hpp"
#include "protocols/amqp/error.hpp"

namespace sy::amqp {

class Channel;
class Connection;

// A basic.consume: the queue's view of it is core::Consumer, the client's its tag.
class ChannelConsumer final : public core::Consumer {
public:
    ChannelConsumer(Channel& channel, std::string tag, core::Queue& queue, bool no_ack,
                    bool exclusive)
        : channel_(channel), tag_(std::move(tag)), queue_(&queue), no_ack_(no_ack),
          exclusive_(exclusive) {}

    bool ready() const override;
    bool deliver(core::Queue& q, core::DeliveryTag tag, const core::QueueEntry& entry) override;

    Channel& channel() { return channel_; }
    const std::string& tag() const { return tag_; }
    core::Queue& queue() const { return *queue_; }
    bool no_ack() const { return no_ack_; }
    bool exclusive() const { return exclusive_; }

private:
    Channel& channel_;
    std::string tag_;
    core::Queue* queue_;
    bool no_ack_;
    bool exclusive_;
};

class Channel {
public:
    Channel(Connection& connection, std::uint16_t id);
    ~Channel();
    Channel(const Channel&) = delete;
    Channel& operator=(const Channel&) = delete;

    std::uint16_t id() const { return id_; }
    // A frame for this channel: a method, or the header and body of a publish.
    Error handle(Frame& frame);
    // Ends the channel: consumers cancelled, unacked deliveries requeued in their order,
    // auto-delete queues that lost their last consumer deleted. Idempotent.
    void shutdown();

    // Delivery path (ChannelConsumer).
    bool can_deliver() const;
    bool deliver(ChannelConsumer& c, core::Queue& q, core::DeliveryTag tag,
                 const core::QueueEntry& entry);
    // The transport drained or a limit was lifted: consumers that said "not ready" go again.
    void resume();
    // The queue is being deleted under the consumer: forget it, and tell the client when it
    // asked for consumer_cancel_notify. Called by Server::delete_queue.
    void cancelled_by_server(ChannelConsumer& c);
    // Server::flush: sends the confirms that are settled, coalesced with `multiple`.
    void flush_confirms();

private:
    enum class Mode : std::uint8_t { Plain, Confirm, Tx };

    struct Unacked {
        std::uint64_t tag;
        core::Queue* queue;
        std::weak_ptr<const void> life;  // the queue's: it may be deleted before the ack
        core::DeliveryTag queue_tag;
        ChannelConsumer* consumer;       // nullptr for basic.get; cleared on cancel
        bool live = true;
    };
    struct Incoming {
        BasicPublish method;
        bool have_header = false;
        std::uint64_t body_size = 0;
        BasicProperties props;
        std::string body;
    };
    enum class ConfirmState : std::uint8_t { Pending, Ack, Nack };
    struct PendingConfirm {
        std::uint64_t seq;
        ConfirmState state;
    };
    enum class SettleKind : std::uint8_t { Ack, Nack, Reject };
    struct TxSettle {
        SettleKind kind;
        std::uint64_t tag;
        bool multiple;
        bool requeue;
    };
    struct TxPublish {
        core::Message message;
        bool mandatory;
        BasicProperties props;  // as published, for a basic.return
    };

    Error handle_method(Method& method);
    Error handle_header(ContentHeader& header);
    Error handle_body(ContentBody& body);
    Error finish_publish();

    // channel_topology.cpp
    Error exchange_declare(const ExchangeDeclare& m);
    Error exchange_delete(const ExchangeDelete& m);
    Error exchange_bind(const ExchangeBind& m, bool bind);
    Error queue_declare(const QueueDeclare& m);
    Error queue_bind(const QueueBind& m);
    Error queue_unbind(const QueueUnbind& m);
    Error queue_purge(const QueuePurge& m);
    Error queue_delete(const QueueDelete& m);
    // The queue a method names, "" meaning the last one this channel declared; checks that
    // it exists and that this connection may use it (exclusive queues).
    Error resolve_queue(const std::string& name, core::Queue*& out);
    Error check_exclusive(const core::Queue& q) const;
    void maybe_delete_auto_exchange(const std::string& name);

    // channel_basic.cpp
    Error basic_qos(const BasicQos& m);
    Error basic_consume(const BasicConsume& m);
    Error basic_cancel(const BasicCancel& m);
    Error basic_get(const BasicGet& m);
    Error settle(SettleKind kind, std::uint64_t tag, bool multiple, bool requeue);
    Error basic_recover(bool requeue);
    Error tx_commit();
    // Removes the consumer from its queue and this channel; deletes an auto-delete queue that
    // lost its last consumer.
    void remove_consumer(const std::string& tag, bool requeue);
    void publish(core::Message message, bool mandatory, BasicProperties props,
                 std::function<void(const core::PublishOutcome&)> then);
    void send_return(const core::Message& m, const BasicProperties& props);
    void confirm_done(std::uint64_t seq, bool ack);
    Unacked* find_unacked(std::uint64_t tag);
    void pop_settled();
    std::uint64_t next_delivery_tag() { return ++delivery_tag_; }

    Connection& conn_;
    std::uint16_t id_;
    std::shared_ptr<Channel*> self_;  // liveness token for store completions
    bool shut_ = false;
    Mode mode_ = Mode::Plain;
    std::optional<Incoming> incoming_;
    std::string last_queue_;           // queue.declare's answer, for "" in later methods
    std::map<std::string, std::unique_ptr<ChannelConsumer>> consumers_;
    std::deque<Unacked> unacked_;      // in delivery-tag order
    std::size_t unacked_live_ = 0;
    std::uint64_t delivery_tag_ = 0;
    std::uint32_t consumer_prefetch_ = 0;  // basic.qos global=false: for the next consumes
    std::uint32_t channel_prefetch_ = 0;   // basic.qos global=true: across the channel
    bool channel_limited_ = false;          // a delivery was held back by channel_prefetch_
    // Set while a multiple nack requeues: each requeue dispatches, and a delivery to us in
    // the middle would put the batch out of order.
    bool settling_ = false;
    // Publisher confirms.
    std::uint64_t publish_seq_ = 0;
    std::deque<PendingConfirm> confirms_;
    // Transactions.
    std::vector<TxPublish> tx_publishes_;
    std::vector<TxSettle> tx_settles_;
    std::size_t commit_outstanding_ = 0;
    bool commit_failed_ = false;
};

}  // namespace sy::amqp

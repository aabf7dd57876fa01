#pragma once
// The part of an MQTT session that outlives a network connection when clean session is 0:
// subscriptions, the session's queue, in-flight outbound messages and inbound QoS 2 packet
// ids. It is the queue's consumer, so deliveries flow only while a connection is attached and
// its in-flight window has room.

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/queue/queue.hpp"
#include "protocols/mqtt/codec/packets.hpp"

namespace sy::mqtt {

class Connection;

struct Inflight {
    enum class Stage : std::uint8_t { AwaitAck, AwaitRec, AwaitComp };
    core::DeliveryTag tag{0};  // 0: not from the queue (retained on subscribe)
    core::MessagePtr msg;
    std::uint8_t qos = 1;
    bool retain = false;
    Stage stage = Stage::AwaitAck;
    std::uint64_t seq = 0;  // send order, for resending in order after a reconnect
};

class SessionState final : public core::Consumer {
public:
    SessionState(std::string client_id, bool clean, core::Queue* queue,
                 std::uint16_t max_inflight)
        : client_id_(std::move(client_id)), clean_(clean), queue_(queue),
          max_inflight_(max_inflight) {}

    const std::string& client_id() const { return client_id_; }
    bool clean() const { return clean_; }
    core::Queue* queue() const { return queue_; }
    Connection* connection() const { return conn_; }
    void attach(Connection* conn) { conn_ = conn; }
    void detach() { conn_ = nullptr; }

    std::map<std::string, SubscriptionOptions>& subscriptions() { return subscriptions_; }
    std::unordered_set<std::uint16_t>& inbound_qos2() { return inbound_qos2_; }

    // core::Consumer
    bool ready() const override;
    bool deliver(core::Queue& q, core::DeliveryTag tag, const core::QueueEntry& entry) override;

    // Queues a retained message matched by a new subscription. It goes out ahead of the
    // session queue but within the same in-flight window and back-pressure.
    void add_retained(const core::MessagePtr& msg, std::uint8_t qos);
    // Sends what the window allows: pending retained messages, then the session queue.
    void pump();

    // The client's acknowledgements. Each returns false for a packet id not in flight.
    bool on_puback(std::uint16_t packet_id);
    bool on_pubrec(std::uint16_t packet_id);
    bool on_pubcomp(std::uint16_t packet_id);

    // After a reconnect: PUBLISH with DUP for what was not acknowledged, PUBREL for what was
    // received but not completed, in the original order [MQTT-4.4.0-1].
    void resend_inflight();

    std::size_t inflight_count() const { return inflight_.size(); }

private:
    std::uint16_t allocate_packet_id();
    void send_retained(const core::MessagePtr& msg, std::uint8_t qos);
    void send_publish(const Inflight& f, std::uint16_t packet_id, bool dup);

    std::string client_id_;
    bool clean_;
    core::Queue* queue_;
    std::uint16_t max_inflight_;
    Connection* conn_ = nullptr;
    std::map<std::string, SubscriptionOptions> subscriptions_;
    std::unordered_map<std::uint16_t, Inflight> inflight_;
    std::unordered_set<std::uint16_t> inbound_qos2_;
    std::deque<std::pair<core::MessagePtr, std::uint8_t>> pending_retained_;
    std::uint16_t next_packet_id_ = 1;
    std::uint64_t next_seq_ = 0;
};

}  // namespace sy::mqtt

#pragma once
// The part of an MQTT session that outlives a network connection (clean session 0 in 3.1.1,
// a session expiry interval in 5): subscriptions, the session's queue, in-flight outbound
// messages and inbound QoS 2 packet ids. It is the queue's consumer, so deliveries flow only
// while a connection is attached and its in-flight window has room.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/queue/queue.hpp"
#include "core/routing/topic_pattern.hpp"
#include "protocols/mqtt/codec/packets.hpp"

namespace sy::mqtt {

class Connection;

struct Subscription {
    SubscriptionOptions options;
    std::optional<std::uint32_t> identifier;  // v5 subscription identifier
    core::TopicPattern pattern;               // for per-subscription checks at delivery
};

struct Inflight {
    enum class Stage : std::uint8_t { AwaitAck, AwaitRec, AwaitComp };
    core::DeliveryTag tag{0};      // 0: not from a queue (retained on subscribe)
    core::Queue* queue = nullptr;  // the queue tag belongs to
    core::MessagePtr msg;
    std::uint8_t qos = 1;
    bool retain = false;
    std::vector<std::uint32_t> subscription_ids;
    Stage stage = Stage::AwaitAck;
    std::uint64_t seq = 0;  // send order, for resending in order after a reconnect
};

class SessionState final : public core::Consumer {
public:
    static constexpr std::uint32_t kNeverExpires = 0xFFFFFFFF;

    SessionState(std::string client_id, std::uint32_t expiry_s, core::Queue* queue,
                 std::uint16_t max_inflight)
        : client_id_(std::move(client_id)), expiry_s_(expiry_s), queue_(queue),
          max_inflight_(max_inflight), window_(max_inflight) {}

    const std::string& client_id() const { return client_id_; }
    // A session that ends with its connection (3.1.1 clean session, v5 expiry 0).
    bool clean() const { return expiry_s_ == 0; }
    std::uint32_t expiry_s() const { return expiry_s_; }
    void set_expiry_s(std::uint32_t s) { expiry_s_ = s; }
    std::int64_t disconnected_at_ms() const { return disconnected_at_ms_; }

    core::Queue* queue() const { return queue_; }
    Connection* connection() const { return conn_; }
    // receive_maximum: the client's limit on unacknowledged QoS 1/2 messages (v5; 65535 when
    // absent). max_packet: the largest packet it accepts, 0 for no limit.
    void attach(Connection* conn, std::uint16_t receive_maximum, std::uint32_t max_packet);
    void detach(std::int64_t now_ms);

    std::map<std::string, Subscription>& subscriptions() { return subscriptions_; }
    // Call after changing subscriptions(): per-subscription options decide at delivery.
    void subscriptions_changed();
    std::unordered_set<std::uint16_t>& inbound_qos2() { return inbound_qos2_; }

    // core::Consumer
    bool ready() const override;
    bool deliver(core::Queue& q, core::DeliveryTag tag, const core::QueueEntry& entry) override;

    // Queues a retained message matched by a new subscription. It goes out ahead of the
    // session queue but within the same in-flight window and back-pressure.
    void add_retained(const core::MessagePtr& msg, std::uint8_t qos,
                      std::optional<std::uint32_t> subscription_id);
    // Sends what the window allows: pending retained messages, then the queues.
    void pump();
    // Other queues this session consumes from (shared subscriptions), with the QoS granted.
    void add_queue(core::Queue* q, std::uint8_t qos);
    void remove_queue(core::Queue* q);

    // The client's acknowledgements. Each returns false for a packet id not in flight.
    bool on_puback(std::uint16_t packet_id);
    bool on_pubrec(std::uint16_t packet_id);
    bool on_pubcomp(std::uint16_t packet_id);

    // After a reconnect: PUBLISH with DUP for what was not acknowledged, PUBREL for what was
    // received but not completed, in the original order [MQTT-4.4.0-1].
    void resend_inflight();
    // Drops what is in flight from q after the session stopped consuming from it (q has
    // requeued those deliveries for the rest of its group).
    void forget_inflight(core::Queue* q);

    std::size_t inflight_count() const { return inflight_.size(); }

    // Outbound QoS 2 state for the store: (packet id, message id), message id 0 once PUBREC
    // came. A persistent session keeps it so that, after a restart, a message the client may
    // have received goes out again with the same packet id and a PUBREL is not forgotten
    // (exactly once across a crash).
    std::vector<std::pair<std::uint16_t, std::uint64_t>> outbound_qos2() const;
    void restore_outbound_qos2(const std::vector<std::pair<std::uint16_t, std::uint64_t>>& v);
    // Called whenever outbound_qos2() changes (the server persists the session).
    void on_qos2_change(std::function<void()> fn) { qos2_changed_ = std::move(fn); }

private:
    struct Pending {
        core::MessagePtr msg;
        std::uint8_t qos;
        std::vector<std::uint32_t> ids;
    };
    // What the session's subscriptions say about one message: whether it goes out at all
    // (No Local), its retain flag (Retain As Published) and the subscription identifiers.
    struct Match {
        bool deliver = true;
        bool retain = false;
        std::vector<std::uint32_t> ids;
    };
    Match match(const core::Message& m) const;
    std::uint16_t allocate_packet_id();
    // The packet id a message had before a restart, if it was in flight at QoS 2; else a new one.
    std::uint16_t packet_id_for(const core::Message& m, std::uint8_t qos);
    void qos2_changed() const {
        if (qos2_changed_) qos2_changed_();
    }
    // Sends or, for a message the client cannot take (its maximum packet size), settles it.
    void send_new(Inflight f);
    bool send_publish(const Inflight& f, std::uint16_t packet_id, bool dup);
    void settle(core::Queue* q, core::DeliveryTag tag);

    std::string client_id_;
    std::uint32_t expiry_s_;
    core::Queue* queue_;
    std::uint16_t max_inflight_;
    std::uint16_t window_;
    Connection* conn_ = nullptr;
    std::int64_t disconnected_at_ms_ = 0;
    std::map<std::string, Subscription> subscriptions_;
    bool needs_match_ = false;
    std::vector<std::pair<core::Queue*, std::uint8_t>> extra_queues_;
    std::unordered_map<std::uint16_t, Inflight> inflight_;
    std::unordered_set<std::uint16_t> inbound_qos2_;
    std::deque<Pending> pending_retained_;
    std::uint16_t next_packet_id_ = 1;
    // Restored QoS 2 packet ids by message id, waiting for the queue to redeliver the message.
    std::unordered_map<std::uint64_t, std::uint16_t> restored_pids_;
    std::function<void()> qos2_changed_;
    std::uint64_t next_seq_ = 0;
};

}  // namespace sy::mqtt

#include "protocols/mqtt/session_state.hpp"

#include <algorithm>

#include "protocols/mqtt/connection.hpp"
#include "protocols/mqtt/mapping.hpp"

namespace sy::mqtt {

bool SessionState::ready() const {
    return conn_ && conn_->connected() && !conn_->congested() &&
           inflight_.size() < max_inflight_;
}

bool SessionState::deliver(core::Queue& /*q*/, core::DeliveryTag tag,
                           const core::QueueEntry& entry) {
    // Downgrade to the subscription's QoS [MQTT-3.8.4-6].
    const std::uint8_t qos = std::min(entry.msg->qos, entry.qos_cap);
    if (qos == 0) {
        const std::string topic = routing_key_to_topic(entry.msg->routing_key);
        conn_->send_publish(PublishView{false, 0, false, topic, 0, entry.msg->payload});
        return false;
    }
    Inflight f;
    f.tag = tag;
    f.msg = entry.msg;
    f.qos = qos;
    f.stage = qos == 1 ? Inflight::Stage::AwaitAck : Inflight::Stage::AwaitRec;
    f.seq = next_seq_++;
    std::uint16_t pid = allocate_packet_id();
    // A message redelivered by the queue (after a restart) has been sent before: DUP.
    send_publish(f, pid, entry.redelivered);
    inflight_.emplace(pid, std::move(f));
    return true;
}

void SessionState::add_retained(const core::MessagePtr& msg, std::uint8_t qos) {
    pending_retained_.emplace_back(msg, qos);
}

void SessionState::pump() {
    while (!pending_retained_.empty() && ready()) {
        auto [msg, qos] = std::move(pending_retained_.front());
        pending_retained_.pop_front();
        send_retained(msg, qos);
    }
    if (pending_retained_.empty()) queue_->dispatch();
}

void SessionState::send_retained(const core::MessagePtr& msg, std::uint8_t qos) {
    // Sent because of a new subscription, so flagged retained [MQTT-3.3.1-8].
    if (qos == 0) {
        const std::string topic = routing_key_to_topic(msg->routing_key);
        conn_->send_publish(PublishView{false, 0, true, topic, 0, msg->payload});
        return;
    }
    Inflight f;
    f.msg = msg;
    f.qos = qos;
    f.retain = true;
    f.stage = qos == 1 ? Inflight::Stage::AwaitAck : Inflight::Stage::AwaitRec;
    f.seq = next_seq_++;
    std::uint16_t pid = allocate_packet_id();
    send_publish(f, pid, false);
    inflight_.emplace(pid, std::move(f));
}

void SessionState::send_publish(const Inflight& f, std::uint16_t packet_id, bool dup) {
    const std::string topic = routing_key_to_topic(f.msg->routing_key);
    conn_->send_publish(PublishView{dup, f.qos, f.retain, topic, packet_id, f.msg->payload});
}

std::uint16_t SessionState::allocate_packet_id() {
    // Ids in flight are never reused [MQTT-2.3.1-2]; the window is far below 65535 so a free
    // one is always near.
    while (true) {
        std::uint16_t id = next_packet_id_++;
        if (next_packet_id_ == 0) next_packet_id_ = 1;
        if (id != 0 && !inflight_.contains(id)) return id;
    }
}

bool SessionState::on_puback(std::uint16_t packet_id) {
    auto it = inflight_.find(packet_id);
    if (it == inflight_.end() || it->second.stage != Inflight::Stage::AwaitAck) return false;
    auto tag = it->second.tag;
    inflight_.erase(it);
    if (tag.value != 0) queue_->ack(tag);
    pump();
    return true;
}

bool SessionState::on_pubrec(std::uint16_t packet_id) {
    auto it = inflight_.find(packet_id);
    if (it == inflight_.end()) {
        // A peer with stale state can still finish its exchange, as Mosquitto allows.
        if (conn_) conn_->send(PubAckLike{PacketType::Pubrel, packet_id, 0, {}});
        return false;
    }
    auto& f = it->second;
    core::DeliveryTag settle{0};
    if (f.stage == Inflight::Stage::AwaitRec) {
        // The receiver owns the message now; only the packet id stays in use until PUBCOMP.
        f.stage = Inflight::Stage::AwaitComp;
        settle = f.tag;
        f.tag = core::DeliveryTag{0};
        f.msg.reset();
    } else if (f.stage != Inflight::Stage::AwaitComp) {
        return false;
    }
    if (conn_) conn_->send(PubAckLike{PacketType::Pubrel, packet_id, 0, {}});
    // Last: acking may deliver more, which grows inflight_ and invalidates f.
    if (settle.value != 0) queue_->ack(settle);
    return true;
}

bool SessionState::on_pubcomp(std::uint16_t packet_id) {
    auto it = inflight_.find(packet_id);
    if (it == inflight_.end() || it->second.stage != Inflight::Stage::AwaitComp) return false;
    inflight_.erase(it);
    pump();
    return true;
}

void SessionState::resend_inflight() {
    if (!conn_) return;
    std::vector<std::pair<std::uint64_t, std::uint16_t>> order;
    order.reserve(inflight_.size());
    for (const auto& [pid, f] : inflight_) order.emplace_back(f.seq, pid);
    std::sort(order.begin(), order.end());
    for (const auto& [seq, pid] : order) {
        const auto& f = inflight_.at(pid);
        if (f.stage == Inflight::Stage::AwaitComp) {
            conn_->send(PubAckLike{PacketType::Pubrel, pid, 0, {}});
        } else {
            send_publish(f, pid, true);
        }
    }
}

}  // namespace sy::mqtt

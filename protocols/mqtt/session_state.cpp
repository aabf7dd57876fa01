#include "protocols/mqtt/session_state.hpp"

#include <algorithm>

#include "core/model/clock.hpp"
#include "protocols/mqtt/connection.hpp"
#include "protocols/mqtt/mapping.hpp"

namespace sy::mqtt {

void SessionState::attach(Connection* conn, std::uint16_t receive_maximum,
                          std::uint32_t /*max_packet*/) {
    conn_ = conn;
    // The client's receive maximum caps our window [MQTT-3.3.4-9].
    window_ = std::max<std::uint16_t>(1, std::min(max_inflight_, receive_maximum));
}

void SessionState::detach(std::int64_t now_ms) {
    conn_ = nullptr;
    disconnected_at_ms_ = now_ms;
}

void SessionState::subscriptions_changed() {
    needs_match_ = std::any_of(subscriptions_.begin(), subscriptions_.end(), [](const auto& s) {
        const auto& o = s.second.options;
        return o.no_local || o.retain_as_published || s.second.identifier.has_value();
    });
}

void SessionState::add_queue(core::Queue* q, std::uint8_t qos) {
    for (auto& [queue, granted] : extra_queues_) {
        if (queue == q) {
            granted = qos;
            return;
        }
    }
    extra_queues_.emplace_back(q, qos);
}

void SessionState::remove_queue(core::Queue* q) {
    std::erase_if(extra_queues_, [q](const auto& e) { return e.first == q; });
}

bool SessionState::ready() const {
    return conn_ && conn_->connected() && !conn_->congested() && inflight_.size() < window_;
}

SessionState::Match SessionState::match(const core::Message& m) const {
    Match out;
    if (!needs_match_) return out;
    const bool own = m.origin.protocol == core::Protocol::Mqtt && m.origin.client_id == client_id_;
    bool any = false;
    for (const auto& [filter, sub] : subscriptions_) {
        if (!core::pattern_matches(sub.pattern, m.routing_key, true)) continue;
        // No Local: not back to the connection that published it [MQTT-3.8.3-3].
        if (own && sub.options.no_local) continue;
        any = true;
        out.retain = out.retain || (sub.options.retain_as_published && m.retain);
        if (sub.identifier) out.ids.push_back(*sub.identifier);
    }
    // A message that matched no subscription of ours came through a shared subscription,
    // whose options live with the group: deliver it.
    out.deliver = any || !std::any_of(subscriptions_.begin(), subscriptions_.end(),
                                      [&](const auto& s) {
                                          return core::pattern_matches(s.second.pattern,
                                                                       m.routing_key, true);
                                      });
    return out;
}

bool SessionState::deliver(core::Queue& q, core::DeliveryTag tag, const core::QueueEntry& entry) {
    Match m = match(*entry.msg);
    if (!m.deliver) return false;
    // Downgrade to the subscription's QoS [MQTT-3.8.4-6].
    Inflight f;
    f.tag = tag;
    f.queue = &q;
    f.msg = entry.msg;
    std::uint8_t cap = entry.qos_cap;
    for (const auto& [queue, granted] : extra_queues_) {
        if (queue == &q) cap = std::min(cap, granted);  // a shared subscription's QoS
    }
    f.qos = std::min(entry.msg->qos, cap);
    f.retain = m.retain;
    f.subscription_ids = std::move(m.ids);
    if (f.qos == 0) {
        send_publish(f, 0, false);
        return false;
    }
    // A message redelivered by the queue (after a restart) has been sent before: DUP.
    const bool dup = entry.redelivered;
    f.stage = f.qos == 1 ? Inflight::Stage::AwaitAck : Inflight::Stage::AwaitRec;
    f.seq = next_seq_++;
    const std::uint16_t pid = packet_id_for(*entry.msg, f.qos);
    if (!send_publish(f, pid, dup)) {
        // Too large for the client: discarded as if delivered [MQTT-3.1.2-25].
        return false;
    }
    const bool qos2 = f.qos == 2;
    inflight_.emplace(pid, std::move(f));
    if (qos2) qos2_changed();
    return true;
}

void SessionState::add_retained(const core::MessagePtr& msg, std::uint8_t qos,
                                std::optional<std::uint32_t> subscription_id) {
    Pending p{msg, qos, {}};
    if (subscription_id) p.ids.push_back(*subscription_id);
    pending_retained_.push_back(std::move(p));
}

void SessionState::pump() {
    while (!pending_retained_.empty() && ready()) {
        Pending p = std::move(pending_retained_.front());
        pending_retained_.pop_front();
        Inflight f;
        f.msg = std::move(p.msg);
        f.qos = p.qos;
        // Sent because of a new subscription, so flagged retained [MQTT-3.3.1-8].
        f.retain = true;
        f.subscription_ids = std::move(p.ids);
        send_new(std::move(f));
    }
    if (!pending_retained_.empty()) return;
    queue_->dispatch();
    for (const auto& [q, qos] : extra_queues_) q->dispatch();
}

void SessionState::send_new(Inflight f) {
    if (f.qos == 0) {
        send_publish(f, 0, false);
        return;
    }
    f.stage = f.qos == 1 ? Inflight::Stage::AwaitAck : Inflight::Stage::AwaitRec;
    f.seq = next_seq_++;
    const std::uint16_t pid = allocate_packet_id();
    const bool qos2 = f.qos == 2;
    if (send_publish(f, pid, false)) {
        inflight_.emplace(pid, std::move(f));
        if (qos2) qos2_changed();
    }
}

bool SessionState::send_publish(const Inflight& f, std::uint16_t packet_id, bool dup) {
    const std::string topic = routing_key_to_topic(f.msg->routing_key);
    PublishView view{dup, f.qos, f.retain, topic, packet_id, f.msg->payload, nullptr};
    Properties props;
    if (conn_->version() == ProtocolVersion::V5) {
        props = outbound_properties(*f.msg, core::wall_ms());
        props.subscription_identifiers = f.subscription_ids;
        view.props = &props;
    }
    return conn_->send_publish(view);
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

std::uint16_t SessionState::packet_id_for(const core::Message& m, std::uint8_t qos) {
    if (qos == 2 && !restored_pids_.empty()) {
        auto it = restored_pids_.find(m.id.value);
        if (it != restored_pids_.end()) {
            const std::uint16_t pid = it->second;
            restored_pids_.erase(it);
            if (!inflight_.contains(pid)) return pid;
        }
    }
    return allocate_packet_id();
}

std::vector<std::pair<std::uint16_t, std::uint64_t>> SessionState::outbound_qos2() const {
    std::vector<std::pair<std::uint16_t, std::uint64_t>> out;
    for (const auto& [pid, f] : inflight_) {
        if (f.qos != 2) continue;
        // A retained copy sent on subscribe is not in a queue: nothing to resend it from.
        if (f.stage == Inflight::Stage::AwaitRec && f.tag.value == 0) continue;
        out.emplace_back(pid, f.stage == Inflight::Stage::AwaitComp ? 0 : f.msg->id.value);
    }
    // Not yet redelivered after a restart: still owed their old ids.
    for (const auto& [id, pid] : restored_pids_) out.emplace_back(pid, id);
    std::sort(out.begin(), out.end());
    return out;
}

void SessionState::restore_outbound_qos2(
    const std::vector<std::pair<std::uint16_t, std::uint64_t>>& v) {
    for (const auto& [pid, id] : v) {
        if (id == 0) {
            // Only the PUBREL is owed; resend_inflight sends it on reconnect.
            Inflight f;
            f.qos = 2;
            f.stage = Inflight::Stage::AwaitComp;
            f.seq = next_seq_++;
            inflight_.emplace(pid, std::move(f));
        } else {
            restored_pids_.emplace(id, pid);
        }
    }
}

void SessionState::settle(core::Queue* q, core::DeliveryTag tag) {
    if (q && tag.value != 0) q->ack(tag);
}

bool SessionState::on_puback(std::uint16_t packet_id) {
    auto it = inflight_.find(packet_id);
    if (it == inflight_.end() || it->second.stage != Inflight::Stage::AwaitAck) return false;
    auto* q = it->second.queue;
    auto tag = it->second.tag;
    inflight_.erase(it);
    settle(q, tag);
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
    core::Queue* settle_q = nullptr;
    core::DeliveryTag settle_tag{0};
    if (f.stage == Inflight::Stage::AwaitRec) {
        // The receiver owns the message now; only the packet id stays in use until PUBCOMP.
        f.stage = Inflight::Stage::AwaitComp;
        settle_q = f.queue;
        settle_tag = f.tag;
        f.tag = core::DeliveryTag{0};
        f.msg.reset();
    } else if (f.stage != Inflight::Stage::AwaitComp) {
        return false;
    }
    if (conn_) conn_->send(PubAckLike{PacketType::Pubrel, packet_id, 0, {}});
    // The session record says "PUBREL owed" before the store forgets the message (both go in
    // the same batch): a crash can no longer resend the message itself.
    if (settle_tag.value != 0) qos2_changed();
    // Last: acking may deliver more, which grows inflight_ and invalidates f.
    settle(settle_q, settle_tag);
    return true;
}

bool SessionState::on_pubcomp(std::uint16_t packet_id) {
    auto it = inflight_.find(packet_id);
    if (it == inflight_.end() || it->second.stage != Inflight::Stage::AwaitComp) return false;
    inflight_.erase(it);
    qos2_changed();
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

void SessionState::forget_inflight(core::Queue* q) {
    // The queue took these back already (remove_consumer requeues a consumer's unacked
    // deliveries); a QoS 2 message past PUBREC keeps its packet id until PUBCOMP.
    for (auto it = inflight_.begin(); it != inflight_.end();) {
        if (it->second.queue != q) {
            ++it;
        } else if (it->second.stage == Inflight::Stage::AwaitComp) {
            it->second.queue = nullptr;
            ++it;
        } else {
            it = inflight_.erase(it);
        }
    }
}

}  // namespace sy::mqtt

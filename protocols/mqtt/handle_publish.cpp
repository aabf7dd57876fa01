// PUBLISH from the client (QoS 0/1/2 inbound) and the acknowledgement packets of both
// directions: PUBACK/PUBREC/PUBCOMP answer our deliveries, PUBREL completes theirs.

#include <spdlog/spdlog.h>

#include "protocols/common/utf8.hpp"
#include "protocols/mqtt/connection.hpp"
#include "protocols/mqtt/mapping.hpp"
#include "protocols/mqtt/server.hpp"
#include "protocols/mqtt/session_state.hpp"

namespace sy::mqtt {
namespace {

bool is_sys_topic(std::string_view topic) { return topic.starts_with("$SYS"); }

}  // namespace

bool Connection::resolve_v5_publish(Publish& p) {
    const auto ack_type = p.qos == 1 ? PacketType::Puback : PacketType::Pubrec;
    if (p.props.topic_alias) {
        const std::uint16_t alias = *p.props.topic_alias;
        // Aliases go from 1 to the maximum we announced [MQTT-3.3.2-9, 3.3.2-10].
        if (alias == 0 || alias > server_.config().max_topic_alias) {
            protocol_error(reason::kTopicAliasInvalid, "topic alias out of range");
            return false;
        }
        if (topic_aliases_.size() <= alias) topic_aliases_.resize(alias + 1u);
        if (p.topic.empty()) {
            if (topic_aliases_[alias].empty()) {
                protocol_error(reason::kProtocolError, "unknown topic alias");
                return false;
            }
            p.topic = topic_aliases_[alias];
        } else {
            topic_aliases_[alias] = p.topic;
        }
        p.props.topic_alias.reset();
    } else if (p.topic.empty()) {
        protocol_error(reason::kProtocolError, "empty topic without an alias");
        return false;
    }
    if (!p.props.subscription_identifiers.empty()) {
        // Only a server puts subscription identifiers on PUBLISH [MQTT-3.3.4-6].
        protocol_error(reason::kProtocolError, "subscription identifier from a client");
        return false;
    }
    if (p.props.response_topic && !valid_topic_name(*p.props.response_topic)) {
        protocol_error(reason::kProtocolError, "response topic with wildcards");
        return false;
    }
    if (p.props.payload_format_indicator == 1 && !is_valid_utf8(p.payload)) {
        // A payload declared UTF-8 that is not [MQTT-3.3.2-4]: refused, not routed.
        if (p.qos > 0) queue_ack(ack_type, p.packet_id, true, reason::kPayloadFormatInvalid);
        return false;
    }
    return true;
}

void Connection::handle_publish(Publish& p) {
    if (version_ == ProtocolVersion::V5 && !resolve_v5_publish(p)) return;
    const std::uint8_t qos = p.qos;
    const std::uint16_t pid = p.packet_id;
    const auto ack_type = qos == 1 ? PacketType::Puback : PacketType::Pubrec;
    if (qos == 2 && session_->inbound_qos2().contains(pid)) {
        // A resent QoS 2 PUBLISH we already routed: acknowledge again, deliver once
        // [MQTT-4.3.3-2]. Its PUBREC queues behind the first one's, so it cannot say "safe"
        // before the original commit does.
        queue_ack(ack_type, pid, true);
        return;
    }
    if (qos == 2) {
        session_->inbound_qos2().insert(pid);
        server_.persist_session(*session_);
    }
    // $SYS belongs to the broker; a client's publish there is acknowledged and dropped, as
    // Mosquitto does.
    if (is_sys_topic(p.topic)) {
        if (qos > 0) queue_ack(ack_type, pid, true);
        return;
    }
    core::PublishDone done;
    if (qos > 0) {
        const std::uint64_t seq = queue_ack(ack_type, pid, false);
        // The connection may be gone when the store calls back.
        done = [h = handle(), seq](const core::PublishOutcome& outcome) {
            auto alive = h.lock();
            if (alive && *alive) (*alive)->complete_ack(seq, outcome);
        };
        if (qos == 2 && !session_->clean()) {
            // PUBREC promises the id is remembered: it waits for the session record as well as
            // for the message, which may have gone nowhere durable [MQTT-4.3.3-2].
            struct Both {
                int left = 2;
                bool stored = true;
                core::PublishOutcome outcome;
            };
            auto both = std::make_shared<Both>();
            auto finish = [both, done] {
                if (--both->left > 0) return;
                both->outcome.ok = both->outcome.ok && both->stored;
                done(both->outcome);
            };
            server_.broker().store().barrier([both, finish](bool ok) {
                both->stored = ok;
                finish();
            });
            done = [both, finish](const core::PublishOutcome& outcome) {
                both->outcome = outcome;
                finish();
            };
        }
    }
    server_.broker().publish(to_message(std::move(p), client_id_, username_), done);
}

std::uint64_t Connection::queue_ack(PacketType type, std::uint16_t packet_id, bool ready,
                                    std::uint8_t reason_code) {
    const std::uint64_t seq = acks_head_seq_ + acks_.size();
    acks_.push_back(PendingAck{type, packet_id, ready, reason_code});
    if (ready) flush_acks();
    return seq;
}

void Connection::complete_ack(std::uint64_t seq, const core::PublishOutcome& outcome) {
    if (seq < acks_head_seq_ || seq - acks_head_seq_ >= acks_.size()) return;
    auto& slot = acks_[seq - acks_head_seq_];
    const bool v5 = version_ == ProtocolVersion::V5;
    if (!outcome.ok || (v5 && outcome.rejected > 0 && outcome.routed == 0)) {
        // Not stored: forget the QoS 2 id so the client's resend is routed, not ignored.
        if (slot.type == PacketType::Pubrec && session_) {
            session_->inbound_qos2().erase(slot.packet_id);
        }
        if (!v5) {
            // 3.1.1 has no negative ack: closing without the ack is the only honest answer.
            protocol_error(reason::kUnspecifiedError, "message could not be stored");
            return;
        }
        slot.reason = outcome.ok ? reason::kQuotaExceeded : reason::kImplementationSpecificError;
    } else if (v5 && outcome.routed == 0) {
        slot.reason = reason::kNoMatchingSubscribers;
    }
    slot.ready = true;
    flush_acks();
}

void Connection::flush_acks() {
    // Acks leave in the order the PUBLISHes arrived [MQTT-4.6.0-2, 4.6.0-3], whatever order
    // the store completes them in.
    while (!acks_.empty() && acks_.front().ready) {
        const auto& a = acks_.front();
        send(PubAckLike{a.type, a.packet_id, a.reason, {}});
        acks_.pop_front();
        ++acks_head_seq_;
    }
}

void Connection::handle_pubacklike(const PubAckLike& a) {
    switch (a.type) {
        case PacketType::Puback:
            session_->on_puback(a.packet_id);
            break;
        case PacketType::Pubrec:
            session_->on_pubrec(a.packet_id);
            break;
        case PacketType::Pubcomp:
            session_->on_pubcomp(a.packet_id);
            break;
        case PacketType::Pubrel:
            // Releases the packet id; PUBCOMP even for an unknown id, so a client that lost
            // our PUBCOMP can finish [MQTT-4.3.3-2].
            if (session_->inbound_qos2().erase(a.packet_id)) server_.persist_session(*session_);
            send(PubAckLike{PacketType::Pubcomp, a.packet_id, 0, {}});
            break;
        default:
            protocol_error(reason::kProtocolError, "unexpected acknowledgement type");
            break;
    }
}

}  // namespace sy::mqtt

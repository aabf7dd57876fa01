// PUBLISH from the client (QoS 0/1/2 inbound) and the acknowledgement packets of both
// directions: PUBACK/PUBREC/PUBCOMP answer our deliveries, PUBREL completes theirs.

#include <spdlog/spdlog.h>

#include "protocols/mqtt/connection.hpp"
#include "protocols/mqtt/mapping.hpp"
#include "protocols/mqtt/server.hpp"
#include "protocols/mqtt/session_state.hpp"

namespace sy::mqtt {
namespace {

bool is_sys_topic(std::string_view topic) { return topic.starts_with("$SYS"); }

}  // namespace

void Connection::handle_publish(Publish& p) {
    const std::uint8_t qos = p.qos;
    const std::uint16_t pid = p.packet_id;
    if (qos == 2 && session_->inbound_qos2().contains(pid)) {
        // A resent QoS 2 PUBLISH we already routed: acknowledge again, deliver once
        // [MQTT-4.3.3-2].
        send(PubAckLike{PacketType::Pubrec, pid, 0, {}});
        return;
    }
    // $SYS belongs to the broker; a client's publish there is accepted and dropped, as
    // Mosquitto does.
    if (is_sys_topic(p.topic)) {
        if (qos == 1) send(PubAckLike{PacketType::Puback, pid, 0, {}});
        if (qos == 2) {
            session_->inbound_qos2().insert(pid);
            send(PubAckLike{PacketType::Pubrec, pid, 0, {}});
        }
        return;
    }
    if (qos == 2) session_->inbound_qos2().insert(pid);

    core::PublishDone done;
    if (qos > 0) {
        // The ack goes out only once the broker says the message is safe (after its commit
        // for persistent queues); the connection may be gone by then.
        done = [h = handle(), qos, pid](const core::PublishOutcome& outcome) {
            auto alive = h.lock();
            if (!alive || !*alive) return;
            Connection* c = *alive;
            if (!outcome.ok) {
                c->protocol_error(reason::kUnspecifiedError, "message could not be stored");
                return;
            }
            auto type = qos == 1 ? PacketType::Puback : PacketType::Pubrec;
            c->send(PubAckLike{type, pid, 0, {}});
        };
    }
    server_.broker().publish(to_message(std::move(p), client_id_, username_), done);
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
            session_->inbound_qos2().erase(a.packet_id);
            send(PubAckLike{PacketType::Pubcomp, a.packet_id, 0, {}});
            break;
        default:
            protocol_error(reason::kProtocolError, "unexpected acknowledgement type");
            break;
    }
}

}  // namespace sy::mqtt

// CONNECT: protocol checks, client identifier rules, session resume or takeover, CONNACK.

#include <spdlog/spdlog.h>

#include "core/model/clock.hpp"
#include "protocols/mqtt/connection.hpp"
#include "protocols/mqtt/server.hpp"
#include "protocols/mqtt/session_state.hpp"

namespace sy::mqtt {

void Connection::reject_connect(std::uint8_t code311, std::uint8_t code5) {
    Connack ack;
    ack.code = decoder_.version() == ProtocolVersion::V5 ? code5 : code311;
    state_ = State::Closing;
    send(ack);
    spdlog::info("[mqtt {} {}] connection refused, code {:#04x}", client_id_, peer(), ack.code);
    // A refused CONNECT closes the connection [MQTT-3.2.2-5].
    close_now();
}

std::uint32_t Connection::session_expiry_for(const Connect& c) const {
    if (c.version == ProtocolVersion::V5) return c.props.session_expiry_interval.value_or(0);
    // 3.1.1: clean session ends with the connection, otherwise the session is kept for good.
    return c.clean_start ? 0 : SessionState::kNeverExpires;
}

void Connection::connack_properties(Connack& ack, bool assigned_id) const {
    const auto& cfg = server_.config();
    auto& p = ack.props;
    if (assigned_id) p.assigned_client_identifier = client_id_;  // [MQTT-3.2.2-16]
    if (cfg.max_topic_alias != 0) p.topic_alias_maximum = cfg.max_topic_alias;
    if (cfg.max_packet_size < 268435455) p.maximum_packet_size = cfg.max_packet_size;
    p.shared_subscription_available = 1;
    p.subscription_identifier_available = 1;
    p.wildcard_subscription_available = 1;
    p.retain_available = 1;
}

void Connection::handle_connect(Connect& c) {
    const auto& cfg = server_.config();
    const bool v5 = c.version == ProtocolVersion::V5;
    client_id_ = c.client_id;
    if (c.version == ProtocolVersion::V31 && (c.client_id.empty() || c.client_id.size() > 23)) {
        // MQTT 3.1 requires 1 to 23 characters.
        reject_connect(connack311::kIdentifierRejected, reason::kClientIdentifierNotValid);
        return;
    }
    bool assigned = false;
    if (c.client_id.empty()) {
        // 3.1.1 allows a zero-length id only with clean session [MQTT-3.1.3-7, 3.1.3-8]; v5
        // assigns one whatever Clean Start says [MQTT-3.1.3-6].
        if ((!v5 && !c.clean_start) || !cfg.allow_zero_length_clientid) {
            reject_connect(connack311::kIdentifierRejected, reason::kClientIdentifierNotValid);
            return;
        }
        client_id_ = server_.generate_client_id();
        assigned = true;
    }
    if (c.will && !valid_topic_name(c.will->topic)) {
        if (v5) {
            reject_connect(connack311::kIdentifierRejected, reason::kTopicNameInvalid);
        } else {
            protocol_error(reason::kTopicNameInvalid, "will topic is not a valid topic name");
        }
        return;
    }
    if (v5 && c.props.authentication_method) {
        // No enhanced authentication is offered [MQTT-4.12.0-1].
        reject_connect(connack311::kNotAuthorized, reason::kBadAuthenticationMethod);
        return;
    }
    version_ = c.version;
    keep_alive_ = c.keep_alive;
    username_ = c.username.value_or("");
    will_ = std::move(c.will);
    client_max_packet_ = c.props.maximum_packet_size.value_or(0);
    const std::uint32_t expiry = session_expiry_for(c);
    session_expiry_was_zero_ = expiry == 0;
    state_ = State::Connected;

    bool session_present = false;
    session_ = &server_.open_session(client_id_, c.clean_start, expiry, session_present);
    session_->attach(this, c.props.receive_maximum.value_or(65535), client_max_packet_);
    Connack ack;
    // With a clean start the flag is always 0 [MQTT-3.2.2-1]; in 3.1 the byte is reserved.
    ack.session_present =
        session_present && !c.clean_start && c.version != ProtocolVersion::V31;
    ack.code = connack311::kAccepted;
    if (v5) connack_properties(ack, assigned);
    send(ack);
    spdlog::debug("[mqtt {} {}] connected (v{}, clean={}, expiry={}, keepalive={})", client_id_,
                  peer(), static_cast<int>(c.version), c.clean_start, expiry, keep_alive_);
    if (ack.session_present) session_->resend_inflight();
    session_->pump();
}

}  // namespace sy::mqtt

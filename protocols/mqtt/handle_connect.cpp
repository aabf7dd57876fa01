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

void Connection::handle_connect(Connect& c) {
    const auto& cfg = server_.config();
    if (c.version == ProtocolVersion::V5) {
        // MQTT 5 sessions are not offered yet: say so in the client's own version.
        reject_connect(connack311::kBadProtocolVersion, reason::kUnsupportedProtocolVersion);
        return;
    }
    client_id_ = c.client_id;
    if (c.version == ProtocolVersion::V31 && (c.client_id.empty() || c.client_id.size() > 23)) {
        // MQTT 3.1 requires 1 to 23 characters.
        reject_connect(connack311::kIdentifierRejected, reason::kClientIdentifierNotValid);
        return;
    }
    if (c.client_id.empty()) {
        // A zero-length id is only allowed with clean session [MQTT-3.1.3-7, 3.1.3-8].
        if (!c.clean_start || !cfg.allow_zero_length_clientid) {
            reject_connect(connack311::kIdentifierRejected, reason::kClientIdentifierNotValid);
            return;
        }
        client_id_ = server_.generate_client_id();
    }
    if (c.will && !valid_topic_name(c.will->topic)) {
        protocol_error(reason::kTopicNameInvalid, "will topic is not a valid topic name");
        return;
    }
    version_ = c.version;
    keep_alive_ = c.keep_alive;
    username_ = c.username.value_or("");
    will_ = std::move(c.will);
    state_ = State::Connected;

    bool session_present = false;
    session_ = &server_.open_session(*this, client_id_, c.clean_start, session_present);
    Connack ack;
    // With clean session the flag is always 0 [MQTT-3.2.2-1]; in 3.1 the byte is reserved.
    ack.session_present =
        session_present && !c.clean_start && c.version != ProtocolVersion::V31;
    ack.code = connack311::kAccepted;
    send(ack);
    spdlog::debug("[mqtt {} {}] connected (clean={}, keepalive={})", client_id_, peer(),
                  c.clean_start, keep_alive_);
    if (ack.session_present) session_->resend_inflight();
    session_->pump();
}

}  // namespace sy::mqtt

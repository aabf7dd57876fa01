#include "protocols/mqtt/connection.hpp"

#include <spdlog/spdlog.h>

#include "core/model/clock.hpp"
#include "protocols/mqtt/mapping.hpp"
#include "protocols/mqtt/server.hpp"
#include "protocols/mqtt/session_state.hpp"

namespace sy::mqtt {

Connection::Connection(Server& server, transport::Transport& transport)
    : server_(server),
      transport_(transport),
      decoder_(DecoderLimits{server.config().max_packet_size}),
      last_rx_ms_(core::now_ms()),
      opened_ms_(last_rx_ms_),
      self_(std::make_shared<Connection*>(this)) {
    server_.connection_opened(this);
}

Connection::~Connection() {
    *self_ = nullptr;
    server_.connection_closed(this);
}

void Connection::on_data(std::span<const std::byte> bytes) {
    last_rx_ms_ = core::now_ms();
    if (state_ == State::Closing) return;
    // Decode straight from the socket's buffer when nothing is left over from the last read;
    // only a trailing partial packet is copied.
    const bool direct = in_off_ == in_.size();
    if (direct) {
        in_.clear();
        in_off_ = 0;
    } else {
        in_.insert(in_.end(), bytes.begin(), bytes.end());
    }
    std::span<const std::byte> data = direct ? bytes : std::span<const std::byte>(in_).subspan(in_off_);
    std::size_t used = 0;
    while (state_ != State::Closing && used < data.size()) {
        Packet packet;
        DecodeResult r = decoder_.decode(data.subspan(used), packet);
        if (r.status == DecodeStatus::NeedMore) break;
        if (r.status != DecodeStatus::Complete) {
            if (state_ == State::AwaitConnect && r.status == DecodeStatus::Unsupported) {
                // Unknown protocol level: answer in 3.1.1 form [MQTT-3.1.2-2].
                reject_connect(connack311::kBadProtocolVersion, reason::kUnsupportedProtocolVersion);
                return;
            }
            protocol_error(r.reason ? r.reason : reason::kMalformedPacket,
                           r.error ? r.error : "malformed packet");
            return;
        }
        used += r.consumed;
        handle_packet(packet);
    }
    if (direct) {
        if (used < data.size() && state_ != State::Closing) {
            in_.assign(data.begin() + static_cast<std::ptrdiff_t>(used), data.end());
        }
    } else {
        // Keep only the unread tail, so a client whose writes never end on a packet boundary
        // cannot grow the buffer past one partial packet.
        in_.erase(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(in_off_ + used));
        in_off_ = 0;
    }
}

void Connection::handle_packet(Packet& packet) {
    if (state_ == State::AwaitConnect) {
        if (auto* c = std::get_if<Connect>(&packet)) {
            handle_connect(*c);
        } else {
            // The first packet must be CONNECT [MQTT-3.1.0-1].
            protocol_error(reason::kProtocolError, "first packet was not CONNECT");
        }
        return;
    }
    std::visit(
        [this](auto& p) {
            using T = std::decay_t<decltype(p)>;
            if constexpr (std::is_same_v<T, Publish>) {
                handle_publish(p);
            } else if constexpr (std::is_same_v<T, PubAckLike>) {
                handle_pubacklike(p);
            } else if constexpr (std::is_same_v<T, Subscribe>) {
                handle_subscribe(p);
            } else if constexpr (std::is_same_v<T, Unsubscribe>) {
                handle_unsubscribe(p);
            } else if constexpr (std::is_same_v<T, Pingreq>) {
                send(Pingresp{});
            } else if constexpr (std::is_same_v<T, Disconnect>) {
                handle_disconnect(p);
            } else if constexpr (std::is_same_v<T, Connect>) {
                // A second CONNECT is a protocol violation [MQTT-3.1.0-2]. Decoding it reset
                // the decoder's version; answer in the one this connection speaks.
                decoder_.set_version(version_);
                protocol_error(reason::kProtocolError, "second CONNECT");
            } else {
                // CONNACK, SUBACK, UNSUBACK, PINGRESP and AUTH never come from a client here.
                protocol_error(reason::kProtocolError, "unexpected packet type");
            }
        },
        packet);
}

void Connection::send(const Packet& packet) {
    if (state_ == State::Closing && !std::holds_alternative<Disconnect>(packet) &&
        !std::holds_alternative<Connack>(packet)) {
        return;
    }
    out_.clear();
    encode(packet, decoder_.version(), out_);
    transport_.send(out_.view());
}

bool Connection::send_publish(const PublishView& publish) {
    if (state_ == State::Closing) return true;
    out_.clear();
    encode_publish(publish, decoder_.version(), out_);
    if (client_max_packet_ != 0 && out_.size() > client_max_packet_) return false;
    auto& st = server_.broker().stats();
    ++st.messages_sent;
    st.bytes_sent += publish.payload.size();
    transport_.send(out_.view());
    return true;
}

void Connection::protocol_error(std::uint8_t code, const char* why) { drop(code, why); }

void Connection::expire(const char* why) { drop(reason::kKeepAliveTimeout, why); }

void Connection::drop(std::uint8_t code, const char* why) {
    if (state_ == State::Closing) return;
    spdlog::info("[mqtt {} {}] closing: {}", client_id_, peer(), why);
    if (state_ == State::Connected && decoder_.version() == ProtocolVersion::V5) {
        state_ = State::Closing;
        send(Disconnect{code, {}});
        close_now();
        return;
    }
    // Nothing more is owed to the peer: close at once rather than wait for queued output to
    // drain to a peer that may be gone (a keepalive expiry usually means it is).
    state_ = State::Closing;
    transport_.abort();
}

void Connection::taken_over(bool send_will) {
    spdlog::info("[mqtt {} {}] session taken over by a new connection", client_id_, peer());
    if (send_will) {
        publish_will();
    } else {
        will_.reset();
    }
    session_ = nullptr;
    if (decoder_.version() == ProtocolVersion::V5) {
        state_ = State::Closing;
        send(Disconnect{reason::kSessionTakenOver, {}});
    }
    close_now();
}

void Connection::close_now() {
    state_ = State::Closing;
    transport_.close();
}

void Connection::on_drained() {
    if (session_) session_->pump();
}

void Connection::on_closed() {
    // Whatever ended the connection other than DISCONNECT (network error, keepalive, protocol
    // error) still holds a will, and it goes out now [MQTT-3.1.2-8].
    publish_will();
    state_ = State::Closing;
    if (session_) {
        SessionState* s = session_;
        session_ = nullptr;
        s->detach(core::now_ms());
        server_.close_session(*s);
    }
}

void Connection::publish_will() {
    if (!will_) return;
    const std::uint32_t delay = will_->props.will_delay_interval.value_or(0);
    Publish p;
    p.topic = std::move(will_->topic);
    p.payload = std::move(will_->payload);
    p.qos = will_->qos;
    p.retain = will_->retain;
    p.props = std::move(will_->props);
    p.props.will_delay_interval.reset();
    will_.reset();
    auto msg = to_message(std::move(p), client_id_, username_);
    // A v5 will may wait: it is dropped if the client comes back first [MQTT-3.1.3-9].
    if (delay > 0 && session_ && !session_->clean()) {
        server_.schedule_will(client_id_, std::move(msg), delay);
        return;
    }
    server_.broker().publish(std::move(msg), nullptr);
}

void Connection::handle_disconnect(const Disconnect& d) {
    if (decoder_.version() == ProtocolVersion::V5 && d.props.session_expiry_interval && session_) {
        // A session that was to end with the connection cannot be kept now [MQTT-3.14.2-2].
        if (session_expiry_was_zero_ && *d.props.session_expiry_interval != 0) {
            protocol_error(reason::kProtocolError, "session expiry set on DISCONNECT");
            return;
        }
        session_->set_expiry_s(*d.props.session_expiry_interval);
    }
    // DISCONNECT discards the will [MQTT-3.14.4-3]; v5 reason 0x04 asks for it to be sent.
    if (decoder_.version() == ProtocolVersion::V5 && d.reason == reason::kDisconnectWithWill) {
        publish_will();
    }
    will_.reset();
    close_now();
}

}  // namespace sy::mqtt

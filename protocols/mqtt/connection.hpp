#pragma once
// One MQTT network connection: decodes packets from its transport, runs the per-connection
// state machine (CONNECT first, keepalive, will) and hands packets to the handlers. The
// session state it attaches to may outlive it.

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/broker/broker.hpp"
#include "protocols/common/byte_writer.hpp"
#include "protocols/mqtt/codec/codec.hpp"
#include "protocols/transport/transport.hpp"

namespace sy::mqtt {

class Server;
class SessionState;

class Connection final : public transport::Session {
public:
    Connection(Server& server, transport::Transport& transport);
    ~Connection() override;

    // transport::Session
    void on_data(std::span<const std::byte> bytes) override;
    void on_drained() override;
    void on_closed() override;

    void send(const Packet& packet);
    // Delivery path: encodes straight from the stored message. Returns false, sending
    // nothing, when the packet exceeds the client's maximum packet size (v5).
    bool send_publish(const PublishView& publish);
    // Closes because of something the client did wrong. In v5 a DISCONNECT with the reason
    // goes first; in 3.1.1 the connection just closes [MQTT-4.8.0-1].
    void protocol_error(std::uint8_t reason, const char* why);
    // Closed by the server for another connection taking the session over. The will is
    // published when the session ends with it, dropped when the new connection resumes it.
    void taken_over(bool publish_will);

    bool connected() const { return state_ == State::Connected; }
    bool congested() const { return transport_.pending_bytes() > transport::kOutputHighWater; }
    ProtocolVersion version() const { return decoder_.version(); }
    const std::string& client_id() const { return client_id_; }
    const std::string& peer() const { return transport_.peer(); }
    std::int64_t last_activity_ms() const { return last_rx_ms_; }
    std::int64_t opened_ms() const { return opened_ms_; }
    std::uint16_t keep_alive() const { return keep_alive_; }
    // Keepalive expired or CONNECT never came: close without DISCONNECT, will published.
    void expire(const char* why);

    // Liveness token for completions that may arrive after the connection is gone.
    std::weak_ptr<Connection*> handle() const { return self_; }

private:
    enum class State : std::uint8_t { AwaitConnect, Connected, Closing };

    void handle_packet(Packet& packet);
    void handle_connect(Connect& c);
    void handle_publish(Publish& p);
    void handle_pubacklike(const PubAckLike& a);
    void handle_subscribe(Subscribe& s);
    void handle_unsubscribe(const Unsubscribe& u);
    void handle_disconnect(const Disconnect& d);
    void reject_connect(std::uint8_t code311, std::uint8_t code5);
    void publish_will();
    void close_now();
    void drop(std::uint8_t v5_reason, const char* why);
    // Publisher acks, released in arrival order as the broker completes each publish.
    std::uint64_t queue_ack(PacketType type, std::uint16_t packet_id, bool ready,
                            std::uint8_t reason = 0);
    void complete_ack(std::uint64_t seq, const core::PublishOutcome& outcome);
    void flush_acks();
    // v5 PUBLISH checks: topic alias, payload format, response topic. False: handled (the
    // connection is closing or the publish was answered with an error reason).
    bool resolve_v5_publish(Publish& p);
    void connack_properties(Connack& ack, bool assigned_id) const;
    std::uint32_t session_expiry_for(const Connect& c) const;

    struct PendingAck {
        PacketType type;
        std::uint16_t packet_id;
        bool ready;
        std::uint8_t reason;
    };

    Server& server_;
    transport::Transport& transport_;
    Decoder decoder_;
    std::vector<std::byte> in_;
    std::size_t in_off_ = 0;
    ByteWriter out_;
    State state_ = State::AwaitConnect;
    ProtocolVersion version_ = ProtocolVersion::V311;  // fixed by the accepted CONNECT
    std::string client_id_;
    std::string username_;
    std::uint16_t keep_alive_ = 0;
    std::optional<Will> will_;
    SessionState* session_ = nullptr;
    std::int64_t last_rx_ms_;
    std::int64_t opened_ms_;
    std::shared_ptr<Connection*> self_;
    std::deque<PendingAck> acks_;
    std::uint64_t acks_head_seq_ = 0;  // sequence number of acks_.front()
    // v5
    std::uint32_t client_max_packet_ = 0;  // 0: no limit
    std::vector<std::string> topic_aliases_;  // inbound, index = alias
    bool session_expiry_was_zero_ = true;
};

}  // namespace sy::mqtt

#pragma once
// STOMP across all connections: accepts them from any transport (TCP or WebSocket, it cannot
// tell), names sessions and drives heart-beats and CONNECT timeouts from the loop's timer.

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>

#include "core/broker/broker.hpp"
#include "protocols/stomp/codec/codec.hpp"
#include "protocols/transport/transport.hpp"

namespace sy::stomp {

class Connection;

inline constexpr std::string_view kServerName = "Switchyard/0.1.0";

struct ServerOptions {
    DecoderLimits limits;
    // Shortest heart-beat period we agree to, either way: a client asking for less gets this.
    std::int64_t min_heartbeat_ms = 1000;
    // A CONNECT must arrive this soon after the socket opens.
    std::int64_t connect_timeout_ms = 10'000;
    // Frames a connection may hold in open transactions, in body bytes and in frames.
    std::size_t max_transaction_bytes = 64u << 20;
    std::size_t max_transaction_frames = 100'000;
};

class Server {
public:
    explicit Server(core::Broker& broker, ServerOptions options = {});
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // For the transport: one Connection per accepted socket or WebSocket.
    std::unique_ptr<transport::Session> accept(transport::Transport& t);

    core::Broker& broker() { return broker_; }
    const ServerOptions& options() const { return options_; }

    // "session-<start>-<n>", unique for the life of the process.
    std::string new_session_id();

    void connection_opened(Connection* c) { connections_.insert(c); }
    void connection_closed(Connection* c) { connections_.erase(c); }

    // Called periodically by the loop (500 ms): heart-beats and CONNECT timeouts.
    void tick(std::int64_t now_ms);

    std::size_t connection_count() const { return connections_.size(); }

private:
    core::Broker& broker_;
    ServerOptions options_;
    std::unordered_set<Connection*> connections_;
    std::int64_t started_ms_;
    std::uint64_t next_session_ = 1;
};

}  // namespace sy::stomp

#pragma once
// MQTT across all connections: the registry of sessions by client id (takeover, persistent
// sessions), keepalive enforcement and the $SYS topics. One per broker, on the loop thread.

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "core/broker/broker.hpp"
#include "core/config/config.hpp"
#include "protocols/mqtt/session_state.hpp"
#include "protocols/transport/transport.hpp"

namespace sy::mqtt {

class Connection;

class Server {
public:
    Server(core::Broker& broker, const core::MqttConfig& config);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // For the transport: one Connection per accepted socket.
    std::unique_ptr<transport::Session> accept(transport::Transport& t);

    core::Broker& broker() { return broker_; }
    const core::MqttConfig& config() const { return config_; }

    // Finds or creates the session for client_id; takes it over from a connection that
    // holds it. session_present tells whether an existing session was resumed.
    SessionState& open_session(Connection& conn, const std::string& client_id, bool clean,
                               bool& session_present);
    // The connection that held the session is gone.
    void close_session(SessionState& s);
    // Writes a persistent session's subscriptions and QoS 2 ids to the store.
    void persist_session(SessionState& s);
    void bind_subscription(SessionState& s, const std::string& filter,
                           const SubscriptionOptions& opts);
    void unbind_subscription(SessionState& s, const std::string& filter);
    // At start-up: persistent sessions come back offline, with their subscriptions and queue.
    std::size_t recover();
    std::string generate_client_id();

    void connection_opened(Connection* c) { connections_.insert(c); }
    void connection_closed(Connection* c) { connections_.erase(c); }

    // Called periodically by the loop: keepalive and connect timeouts.
    void tick(std::int64_t now_ms);
    // Publishes the $SYS topics.
    void publish_sys(std::int64_t now_ms);

    std::size_t session_count() const { return sessions_.size(); }
    std::size_t connected_count() const;
    std::size_t subscription_count() const;

private:
    void destroy_session(const std::string& client_id);
    SessionState& create_session(const std::string& client_id, bool clean);

    core::Broker& broker_;
    core::MqttConfig config_;
    std::unordered_map<std::string, std::unique_ptr<SessionState>> sessions_;
    std::unordered_set<Connection*> connections_;
    std::uint64_t next_generated_id_ = 1;
    std::int64_t started_ms_;
    std::size_t max_connected_ = 0;
};

}  // namespace sy::mqtt

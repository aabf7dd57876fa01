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
    SessionState& open_session(const std::string& client_id, bool clean_start,
                               std::uint32_t expiry_s, bool& session_present);
    // The connection that held the session is gone.
    void close_session(SessionState& s);
    // Writes a persistent session's subscriptions and QoS 2 ids to the store.
    void persist_session(SessionState& s);
    // Adds or replaces a subscription: a binding of the session's queue, or for
    // "$share/<group>/<filter>" membership of the group's queue. Returns false if the
    // session had no such subscription before (retain handling 1 needs to know).
    bool bind_subscription(SessionState& s, const std::string& filter, const Subscription& sub);
    // Returns false if there was no such subscription.
    bool unbind_subscription(SessionState& s, const std::string& filter);
    // A v5 will with a delay: published at the delay or when the session ends, whichever is
    // first, unless the client connects again before.
    void schedule_will(const std::string& client_id, core::Message will, std::uint32_t delay_s);
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
    void publish_pending_will(const std::string& client_id);

    struct ShareGroup {
        core::Queue* queue = nullptr;
        std::unordered_set<SessionState*> members;
    };
    struct PendingWill {
        core::Message message;
        std::int64_t due_ms;
    };
    std::unordered_map<std::string, ShareGroup> share_groups_;  // by "$share/<group>/<filter>"
    std::unordered_map<std::string, PendingWill> pending_wills_;
    SessionState& create_session(const std::string& client_id, std::uint32_t expiry_s);

    core::Broker& broker_;
    core::MqttConfig config_;
    std::unordered_map<std::string, std::unique_ptr<SessionState>> sessions_;
    std::unordered_set<Connection*> connections_;
    std::uint64_t next_generated_id_ = 1;
    std::int64_t started_ms_;
    std::size_t max_connected_ = 0;
};

}  // namespace sy::mqtt

#include "protocols/mqtt/server.hpp"

#include <spdlog/spdlog.h>

#include "core/model/clock.hpp"
#include "protocols/mqtt/connection.hpp"
#include "protocols/mqtt/mapping.hpp"

namespace sy::mqtt {
namespace {

// A CONNECT must arrive this soon after the socket opens, or the socket is closed.
constexpr std::int64_t kConnectTimeoutMs = 10'000;

std::string queue_name_for(const std::string& client_id) { return "mqtt-session." + client_id; }
constexpr std::string_view kTopicExchange = "amq.topic";

}  // namespace

Server::Server(core::Broker& broker, const core::MqttConfig& config)
    : broker_(broker), config_(config), started_ms_(core::now_ms()) {}

Server::~Server() = default;

std::unique_ptr<transport::Session> Server::accept(transport::Transport& t) {
    return std::make_unique<Connection>(*this, t);
}

SessionState& Server::open_session(Connection& conn, const std::string& client_id, bool clean,
                                   bool& session_present) {
    auto it = sessions_.find(client_id);
    if (it != sessions_.end()) {
        // Another connection with this id is closed first [MQTT-3.1.4-2].
        if (Connection* old = it->second->connection()) {
            it->second->detach();
            // As Mosquitto does: the old will goes out only if the old session ends here.
            old->taken_over(clean || it->second->clean());
        }
        if (clean || it->second->clean()) {
            destroy_session(client_id);
            it = sessions_.end();
        }
    }
    session_present = it != sessions_.end();
    SessionState& state = session_present ? *it->second : create_session(client_id, clean);
    if (!session_present) persist_session(state);
    state.attach(&conn);
    max_connected_ = std::max(max_connected_, connected_count());
    return state;
}

SessionState& Server::create_session(const std::string& client_id, bool clean) {
    core::QueueOptions qo;
    // A persistent session's queue is durable: its QoS 1/2 messages survive a restart.
    qo.durable = !clean;
    qo.exclusive = true;
    qo.owner = client_id;
    qo.max_length = config_.max_queued_messages;
    // Like Mosquitto: once a session's queue is full, new messages for it are dropped.
    qo.overflow = core::Overflow::RejectPublish;
    auto* queue = broker_.declare_queue(queue_name_for(client_id), qo);
    auto state = std::make_unique<SessionState>(client_id, clean, queue, config_.max_inflight);
    queue->add_consumer(state.get());
    auto& ref = *state;
    sessions_[client_id] = std::move(state);
    return ref;
}

void Server::persist_session(SessionState& s) {
    if (s.clean()) return;
    storage::StoredMqttSession stored;
    stored.client_id = s.client_id();
    for (const auto& [filter, opts] : s.subscriptions()) {
        stored.subscriptions.emplace_back(filter, opts.qos);
    }
    stored.inbound_qos2.assign(s.inbound_qos2().begin(), s.inbound_qos2().end());
    broker_.store().save_mqtt_session(stored);
}

void Server::bind_subscription(SessionState& s, const std::string& filter,
                               const SubscriptionOptions& opts) {
    core::Binding b;
    b.queue = s.queue();
    b.key = filter;
    b.pattern = filter_to_pattern(filter);
    b.qos_cap = opts.qos;
    // Subscribing again to the same filter replaces the old subscription [MQTT-3.8.4-3].
    broker_.bind(kTopicExchange, b);
    s.subscriptions()[filter] = opts;
}

void Server::unbind_subscription(SessionState& s, const std::string& filter) {
    auto& subs = s.subscriptions();
    auto it = subs.find(filter);
    if (it == subs.end()) return;
    core::Binding b;
    b.queue = s.queue();
    b.key = filter;
    b.pattern = filter_to_pattern(filter);
    broker_.unbind(kTopicExchange, b);
    subs.erase(it);
}

std::size_t Server::recover() {
    auto topology = broker_.store().load_topology();
    for (const auto& stored : topology.mqtt_sessions) {
        // Offline until its client reconnects; its queue refills from the store.
        SessionState& s = create_session(stored.client_id, false);
        for (const auto& [filter, qos] : stored.subscriptions) {
            bind_subscription(s, filter, SubscriptionOptions{qos});
        }
        s.inbound_qos2().insert(stored.inbound_qos2.begin(), stored.inbound_qos2.end());
    }
    return topology.mqtt_sessions.size();
}

void Server::close_session(SessionState& s) {
    // A clean session ends with its connection [MQTT-3.1.2-6]; a persistent one waits.
    if (s.clean()) destroy_session(s.client_id());
}

void Server::destroy_session(const std::string& client_id) {
    auto it = sessions_.find(client_id);
    if (it == sessions_.end()) return;
    auto& state = *it->second;
    auto* queue = state.queue();
    queue->remove_consumer(&state, false);
    broker_.delete_queue(queue->name());
    if (!state.clean()) broker_.store().delete_mqtt_session(client_id);
    sessions_.erase(it);
}

std::string Server::generate_client_id() {
    std::string id;
    do {
        id = "auto-" + std::to_string(started_ms_) + "-" + std::to_string(next_generated_id_++);
    } while (sessions_.contains(id));
    return id;
}

void Server::tick(std::int64_t now) {
    std::vector<Connection*> expired;
    for (auto* c : connections_) {
        if (!c->connected()) {
            if (now - c->opened_ms() > kConnectTimeoutMs) expired.push_back(c);
            continue;
        }
        // One and a half keepalive periods of silence end the connection [MQTT-3.1.2-24].
        if (c->keep_alive() != 0 &&
            now - c->last_activity_ms() > std::int64_t{c->keep_alive()} * 1500) {
            expired.push_back(c);
        }
    }
    for (auto* c : expired) c->expire(c->connected() ? "keepalive expired" : "no CONNECT");
}

std::size_t Server::connected_count() const {
    std::size_t n = 0;
    for (const auto& [id, s] : sessions_) {
        if (s->connection() && s->connection()->connected()) ++n;
    }
    return n;
}

std::size_t Server::subscription_count() const {
    std::size_t n = 0;
    for (const auto& [id, s] : sessions_) n += s->subscriptions().size();
    return n;
}

}  // namespace sy::mqtt

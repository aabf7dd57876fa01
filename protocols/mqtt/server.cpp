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

SessionState& Server::open_session(const std::string& client_id, bool clean_start,
                                   std::uint32_t expiry_s, bool& session_present) {
    // The client is back: a will waiting out its delay is dropped [MQTT-3.1.3-9].
    pending_wills_.erase(client_id);
    auto it = sessions_.find(client_id);
    if (it != sessions_.end()) {
        // Another connection with this id is closed first [MQTT-3.1.4-2].
        if (Connection* old = it->second->connection()) {
            it->second->detach(core::now_ms());
            // As Mosquitto does: the old will goes out only if the old session ends here.
            old->taken_over(clean_start || it->second->clean());
        }
        if (clean_start || it->second->clean()) {
            destroy_session(client_id);
            it = sessions_.end();
        }
    }
    session_present = it != sessions_.end();
    SessionState& state = session_present ? *it->second : create_session(client_id, expiry_s);
    // A resumed session takes the expiry the new CONNECT asks for.
    state.set_expiry_s(expiry_s);
    persist_session(state);
    return state;
}

SessionState& Server::create_session(const std::string& client_id, std::uint32_t expiry_s) {
    core::QueueOptions qo;
    // A persistent session's queue is durable: its QoS 1/2 messages survive a restart.
    qo.durable = expiry_s != 0;
    qo.exclusive = true;
    qo.owner = client_id;
    qo.max_length = config_.max_queued_messages;
    // Like Mosquitto: once a session's queue is full, new messages for it are dropped.
    qo.overflow = core::Overflow::RejectPublish;
    auto* queue = broker_.declare_queue(queue_name_for(client_id), qo);
    auto state = std::make_unique<SessionState>(client_id, expiry_s, queue, config_.max_inflight);
    state->on_qos2_change([this, s = state.get()] { persist_session(*s); });
    queue->add_consumer(state.get());
    auto& ref = *state;
    sessions_[client_id] = std::move(state);
    return ref;
}

void Server::persist_session(SessionState& s) {
    if (s.clean()) return;
    storage::StoredMqttSession stored;
    stored.client_id = s.client_id();
    for (const auto& [filter, sub] : s.subscriptions()) {
        // The byte is the SUBSCRIBE options byte: QoS, No Local, Retain As Published and
        // Retain Handling survive a restart together.
        const auto& o = sub.options;
        const auto options = static_cast<std::uint8_t>(
            o.qos | (o.no_local ? 0x04 : 0) | (o.retain_as_published ? 0x08 : 0) |
            (o.retain_handling << 4));
        stored.subscriptions.emplace_back(filter, options);
    }
    stored.inbound_qos2.assign(s.inbound_qos2().begin(), s.inbound_qos2().end());
    stored.expiry_s = s.expiry_s();
    stored.outbound_qos2 = s.outbound_qos2();
    broker_.store().save_mqtt_session(stored);
}

bool Server::bind_subscription(SessionState& s, const std::string& filter,
                               const Subscription& sub) {
    auto& subs = s.subscriptions();
    const bool existed = subs.contains(filter);
    const auto shared = parse_shared(filter);
    if (shared) {
        auto& group = share_groups_[filter];
        if (!group.queue) {
            core::QueueOptions qo;
            // Members with persistent sessions keep the group's QoS 1/2 messages across a
            // restart while they are all offline.
            qo.durable = true;
            qo.max_length = config_.max_queued_messages;
            qo.overflow = core::Overflow::RejectPublish;
            group.queue = broker_.declare_queue("mqtt-share." + filter, qo);
            core::Binding b;
            b.queue = group.queue;
            b.key = shared->filter;
            b.pattern = filter_to_pattern(shared->filter);
            b.qos_cap = 2;
            broker_.bind(kTopicExchange, b);
        }
        if (group.members.insert(&s).second) group.queue->add_consumer(&s);
        s.add_queue(group.queue, sub.options.qos);
    } else {
        core::Binding b;
        b.queue = s.queue();
        b.key = filter;
        b.pattern = sub.pattern;
        b.qos_cap = sub.options.qos;
        // Subscribing again to the same filter replaces the old subscription [MQTT-3.8.4-3].
        broker_.bind(kTopicExchange, b);
    }
    subs[filter] = sub;
    s.subscriptions_changed();
    return existed;
}

bool Server::unbind_subscription(SessionState& s, const std::string& filter) {
    auto& subs = s.subscriptions();
    auto it = subs.find(filter);
    if (it == subs.end()) return false;
    if (parse_shared(filter)) {
        auto g = share_groups_.find(filter);
        if (g != share_groups_.end()) {
            auto* q = g->second.queue;
            // What this member had in flight goes back to the rest of the group.
            q->remove_consumer(&s, true);
            s.forget_inflight(q);
            s.remove_queue(q);
            g->second.members.erase(&s);
            if (g->second.members.empty()) {
                broker_.delete_queue(q->name());
                share_groups_.erase(g);
            }
        }
    } else {
        core::Binding b;
        b.queue = s.queue();
        b.key = filter;
        b.pattern = it->second.pattern;
        broker_.unbind(kTopicExchange, b);
    }
    subs.erase(it);
    s.subscriptions_changed();
    return true;
}

std::size_t Server::recover() {
    auto topology = broker_.store().load_topology();
    for (const auto& stored : topology.mqtt_sessions) {
        // Offline until its client reconnects; its queue refills from the store.
        // The expiry interval counts again from the restart, as the gateway cannot know how
        // long the client has really been away.
        SessionState& s = create_session(stored.client_id, stored.expiry_s);
        s.detach(core::now_ms());
        s.restore_outbound_qos2(stored.outbound_qos2);
        for (const auto& [filter, options] : stored.subscriptions) {
            Subscription sub;
            sub.options.qos = options & 0x03;
            sub.options.no_local = (options & 0x04) != 0;
            sub.options.retain_as_published = (options & 0x08) != 0;
            sub.options.retain_handling = static_cast<std::uint8_t>((options >> 4) & 0x03);
            auto shared = parse_shared(filter);
            sub.pattern = filter_to_pattern(shared ? shared->filter : filter);
            bind_subscription(s, filter, sub);
        }
        s.inbound_qos2().insert(stored.inbound_qos2.begin(), stored.inbound_qos2.end());
    }
    return topology.mqtt_sessions.size();
}

void Server::close_session(SessionState& s) {
    // A session ends with its connection when its expiry is 0 [MQTT-3.1.2-6]; a persistent
    // one waits for its client or its expiry.
    if (s.clean()) destroy_session(s.client_id());
}

void Server::destroy_session(const std::string& client_id) {
    auto it = sessions_.find(client_id);
    if (it == sessions_.end()) return;
    auto& state = *it->second;
    // Leaving share groups requeues what this member had in flight for the others.
    std::vector<std::string> shared;
    for (const auto& [filter, sub] : state.subscriptions()) {
        if (parse_shared(filter)) shared.push_back(filter);
    }
    for (const auto& f : shared) unbind_subscription(state, f);
    auto* queue = state.queue();
    queue->remove_consumer(&state, false);
    broker_.delete_queue(queue->name());
    if (!state.clean()) broker_.store().delete_mqtt_session(client_id);
    sessions_.erase(it);
    // The session is over, so a delayed will goes out now [MQTT-3.1.3-9].
    publish_pending_will(client_id);
}

void Server::schedule_will(const std::string& client_id, core::Message will,
                           std::uint32_t delay_s) {
    pending_wills_[client_id] =
        PendingWill{std::move(will), core::now_ms() + std::int64_t{delay_s} * 1000};
}

void Server::publish_pending_will(const std::string& client_id) {
    auto it = pending_wills_.find(client_id);
    if (it == pending_wills_.end()) return;
    auto msg = std::move(it->second.message);
    pending_wills_.erase(it);
    broker_.publish(std::move(msg), nullptr);
}

std::string Server::generate_client_id() {
    std::string id;
    do {
        id = "auto-" + std::to_string(started_ms_) + "-" + std::to_string(next_generated_id_++);
    } while (sessions_.contains(id));
    return id;
}

void Server::tick(std::int64_t now) {
    // Offline sessions whose expiry passed end now [MQTT-3.1.2-23].
    std::vector<std::string> expired_sessions;
    for (const auto& [id, st] : sessions_) {
        if (st->connection() || st->expiry_s() == SessionState::kNeverExpires) continue;
        if (now - st->disconnected_at_ms() >= std::int64_t{st->expiry_s()} * 1000) {
            expired_sessions.push_back(id);
        }
    }
    for (const auto& id : expired_sessions) destroy_session(id);
    std::vector<std::string> due;
    for (const auto& [id, w] : pending_wills_) {
        if (w.due_ms <= now) due.push_back(id);
    }
    for (const auto& id : due) publish_pending_will(id);
    max_connected_ = std::max(max_connected_, connected_count());

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

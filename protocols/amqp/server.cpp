#include "protocols/amqp/server.hpp"

#include <algorithm>
#include <random>

#include "core/model/clock.hpp"
#include "protocols/amqp/channel.hpp"
#include "protocols/amqp/connection.hpp"

namespace sy::amqp {

Server::Server(core::Broker& broker, ServerOptions options)
    : broker_(broker), options_(options), name_seed_(std::random_device{}()) {}

Server::~Server() = default;

std::unique_ptr<transport::Session> Server::accept(transport::Transport& t) {
    return std::make_unique<Connection>(*this, t);
}

std::string Server::generate_name(std::string_view prefix) {
    // RabbitMQ's names are 22 characters of URL-safe base64 after the prefix; unique per run,
    // and the seed keeps a restart from reusing a name a durable queue still has.
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::mt19937_64 mix(name_seed_ ^ (++names_generated_ * 0x9E3779B97F4A7C15ULL));
    std::string out(prefix);
    for (int i = 0; i < 22; ++i) out.push_back(kAlphabet[mix() & 63]);
    return out;
}

void Server::connection_closed(Connection* c) {
    connections_.erase(c);
    release_exclusive(c->name());
}

void Server::consumer_removed(core::Queue* q, ChannelConsumer* c) {
    auto it = consumers_.find(q);
    if (it == consumers_.end()) return;
    std::erase(it->second, c);
    if (it->second.empty()) consumers_.erase(it);
}

std::size_t Server::consumers_of(const core::Queue* q) const {
    auto it = consumers_.find(const_cast<core::Queue*>(q));
    return it == consumers_.end() ? 0 : it->second.size();
}

const std::vector<ChannelConsumer*>& Server::consumers_on(core::Queue* q) const {
    static const std::vector<ChannelConsumer*> kNone;
    auto it = consumers_.find(q);
    return it == consumers_.end() ? kNone : it->second;
}

std::size_t Server::delete_queue(core::Queue& q) {
    auto it = consumers_.find(&q);
    if (it != consumers_.end()) {
        // Copy: cancelling edits the list.
        auto cancelled = it->second;
        for (auto* c : cancelled) c->channel().cancelled_by_server(*c);
        consumers_.erase(&q);
    }
    const std::size_t ready = q.ready_count();
    broker_.delete_queue(q.name());
    return ready;
}

void Server::release_exclusive(const std::string& owner) {
    auto it = exclusive_.find(owner);
    if (it == exclusive_.end()) return;
    auto names = std::move(it->second);
    exclusive_.erase(it);
    for (const auto& name : names) {
        auto* q = broker_.find_queue(name);
        if (q && q->options().exclusive && q->options().owner == owner) delete_queue(*q);
    }
}

void Server::flush() {
    if (!dirty_.empty()) {
        auto channels = std::move(dirty_);
        dirty_.clear();
        for (auto* ch : channels) ch->flush_confirms();
    }
    if (!output_.empty()) {
        auto conns = std::move(output_);
        output_.clear();
        for (auto* c : conns) c->flush_output();
    }
}

void Server::tick(std::int64_t now_ms) {
    const auto& stats = broker_.stats();
    std::string alarm;
    if (options_.memory_high_watermark != 0 &&
        broker_.memory_bytes() > options_.memory_high_watermark) {
        alarm = "low on memory";
    } else if (stats.last_store_failure_ms != 0 &&
               now_ms - stats.last_store_failure_ms < options_.disk_alarm_ms) {
        alarm = "low on disk";
    }
    // Copy: a tick may close connections.
    std::vector<Connection*> all(connections_.begin(), connections_.end());
    if (alarm != alarm_) {
        alarm_ = std::move(alarm);
        for (auto* c : all) c->alarm_changed();
    }
    for (auto* c : all) {
        if (connections_.contains(c)) c->tick(now_ms);
    }
}

}  // namespace sy::amqp

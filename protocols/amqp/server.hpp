#pragma once
// AMQP 0-9-1 across all connections: connection names, the consumers of each queue (so a
// deleted queue cancels them on whichever channel they live), exclusive queues by owner,
// heartbeats and handshake timeouts, and the confirm hand-off once per loop iteration.
// One per broker, on the loop thread.

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/broker/broker.hpp"
#include "protocols/transport/transport.hpp"

namespace sy::amqp {

class Connection;
class Channel;
class ChannelConsumer;

struct ServerOptions {
    std::uint16_t channel_max = 2047;     // RabbitMQ's default
    std::uint32_t frame_max = 131072;     // RabbitMQ's default
    std::uint16_t heartbeat_s = 60;       // proposed in connection.tune
    std::uint64_t max_message_size = 128u << 20;  // RabbitMQ's default max_message_size
    std::int64_t handshake_timeout_ms = 10'000;
    // Memory alarm threshold on the payload bytes queues hold (Broker::memory_bytes); 0: off.
    std::uint64_t memory_high_watermark = 0;
    // A failed store commit raises the disk alarm for this long.
    std::int64_t disk_alarm_ms = 5'000;
};

class Server {
public:
    explicit Server(core::Broker& broker, ServerOptions options = {});
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    std::unique_ptr<transport::Session> accept(transport::Transport& t);

    core::Broker& broker() { return broker_; }
    const ServerOptions& options() const { return options_; }

    // "amq.gen-..." queue names and "amq.ctag-..." consumer tags, as RabbitMQ makes them.
    std::string generate_name(std::string_view prefix);
    std::uint64_t next_connection_number() { return ++connections_opened_; }

    void connection_opened(Connection* c) { connections_.insert(c); }
    void connection_closed(Connection* c);

    // Every AMQP consumer of a queue, so deleting the queue can cancel them all.
    void consumer_added(core::Queue* q, ChannelConsumer* c) { consumers_[q].push_back(c); }
    void consumer_removed(core::Queue* q, ChannelConsumer* c);
    std::size_t consumers_of(const core::Queue* q) const;
    const std::vector<ChannelConsumer*>& consumers_on(core::Queue* q) const;
    // Cancels the queue's consumers (telling clients that asked for consumer_cancel_notify),
    // then deletes it and everything in it. Returns the ready messages it had.
    std::size_t delete_queue(core::Queue& q);
    // Exclusive queues go with the connection that declared them.
    void exclusive_declared(const std::string& owner, const std::string& queue) {
        exclusive_[owner].push_back(queue);
    }
    void release_exclusive(const std::string& owner);

    // A channel has confirms ready; they go out together at the end of the loop iteration.
    void confirms_ready(Channel* ch) { dirty_.insert(ch); }
    void channel_gone(Channel* ch) { dirty_.erase(ch); }
    // A connection has output waiting; it goes to the transport at the end of the iteration.
    void output_pending(Connection* c) { output_.insert(c); }
    void output_done(Connection* c) { output_.erase(c); }
    // Called once per loop iteration (before the store's flush): sends the confirms and the
    // output of every connection that has some.
    void flush();

    // Heartbeats, handshake timeouts and the resource alarms; called periodically by the loop.
    void tick(std::int64_t now_ms);
    // Why publishers are blocked now ("low on memory", "low on disk"), or "" when they are not.
    const std::string& alarm() const { return alarm_; }

    std::size_t connection_count() const { return connections_.size(); }

private:
    core::Broker& broker_;
    ServerOptions options_;
    std::unordered_set<Connection*> connections_;
    std::unordered_map<core::Queue*, std::vector<ChannelConsumer*>> consumers_;
    std::unordered_map<std::string, std::vector<std::string>> exclusive_;
    std::unordered_set<Channel*> dirty_;
    std::unordered_set<Connection*> output_;
    std::string alarm_;
    std::uint64_t connections_opened_ = 0;
    std::uint64_t names_generated_ = 0;
    std::uint64_t name_seed_;
};

}  // namespace sy::amqp

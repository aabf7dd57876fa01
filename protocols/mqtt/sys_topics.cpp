// $SYS/broker/...: broker statistics published as retained messages every sys_interval,
// with the topic names Mosquitto uses so existing dashboards and scripts keep working.

#include <string>
#include <utility>
#include <vector>

#include "protocols/mqtt/mapping.hpp"
#include "protocols/mqtt/server.hpp"

namespace sy::mqtt {

void Server::publish_sys(std::int64_t now) {
    const auto& st = broker_.stats();
    const auto connected = connected_count();
    const std::vector<std::pair<const char*, std::string>> values = {
        {"$SYS/broker/version", "switchyard 0.1.0"},
        {"$SYS/broker/uptime", std::to_string((now - started_ms_) / 1000) + " seconds"},
        {"$SYS/broker/clients/connected", std::to_string(connected)},
        {"$SYS/broker/clients/active", std::to_string(connected)},
        {"$SYS/broker/clients/disconnected", std::to_string(sessions_.size() - connected)},
        {"$SYS/broker/clients/total", std::to_string(sessions_.size())},
        {"$SYS/broker/clients/maximum", std::to_string(max_connected_)},
        {"$SYS/broker/messages/received", std::to_string(st.messages_received)},
        {"$SYS/broker/messages/sent", std::to_string(st.messages_sent)},
        {"$SYS/broker/messages/dropped", std::to_string(st.messages_dropped)},
        {"$SYS/broker/bytes/received", std::to_string(st.bytes_received)},
        {"$SYS/broker/bytes/sent", std::to_string(st.bytes_sent)},
        {"$SYS/broker/retained messages/count", std::to_string(broker_.retained_count())},
        {"$SYS/broker/subscriptions/count", std::to_string(subscription_count())},
    };
    for (const auto& [topic, value] : values) {
        core::Message m;
        m.exchange = "amq.topic";
        m.routing_key = topic_to_routing_key(topic);
        m.payload = value;
        m.retain = true;
        m.origin.protocol = core::Protocol::Internal;
        broker_.publish(std::move(m), nullptr);
    }
}

}  // namespace sy::mqtt

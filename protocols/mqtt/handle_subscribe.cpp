// SUBSCRIBE and UNSUBSCRIBE: each filter becomes a binding of the session's queue to
// amq.topic, carrying the granted QoS; retained messages follow the SUBACK.

#include <algorithm>

#include "protocols/mqtt/connection.hpp"
#include "protocols/mqtt/mapping.hpp"
#include "protocols/mqtt/server.hpp"
#include "protocols/mqtt/session_state.hpp"

namespace sy::mqtt {
namespace {

constexpr std::uint8_t kSubscribeFailure = 0x80;

}  // namespace

void Connection::handle_subscribe(Subscribe& s) {
    auto& broker = server_.broker();
    Suback ack;
    ack.packet_id = s.packet_id;
    std::vector<std::pair<core::TopicPattern, std::uint8_t>> granted;
    for (auto& [filter, opts] : s.filters) {
        // Shared subscriptions are not offered yet; a bad filter fails alone [MQTT-3.9.3-2].
        if (!valid_topic_filter(filter) || filter.starts_with("$share/")) {
            ack.codes.push_back(kSubscribeFailure);
            continue;
        }
        std::uint8_t qos = std::min<std::uint8_t>(opts.qos, 2);
        opts.qos = qos;
        server_.bind_subscription(*session_, filter, opts);
        ack.codes.push_back(qos);
        granted.emplace_back(filter_to_pattern(filter), qos);
    }
    // The subscription is recorded before the SUBACK can reach the client.
    server_.persist_session(*session_);
    send(ack);
    // Retained messages go out after the SUBACK, flagged retained [MQTT-3.3.1-6].
    for (const auto& [pattern, qos] : granted) {
        broker.for_each_retained(pattern, [&](const core::MessagePtr& m) {
            session_->add_retained(m, std::min(m->qos, qos));
        });
    }
    session_->pump();
}

void Connection::handle_unsubscribe(const Unsubscribe& u) {
    for (const auto& filter : u.filters) server_.unbind_subscription(*session_, filter);
    server_.persist_session(*session_);
    // UNSUBACK even when nothing matched [MQTT-3.10.4-5].
    send(Unsuback{u.packet_id, {}, {}});
}

}  // namespace sy::mqtt

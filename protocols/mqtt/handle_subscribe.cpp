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
constexpr std::string_view kTopicExchange = "amq.topic";

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
        core::Binding b;
        b.queue = session_->queue();
        b.key = filter;
        b.pattern = filter_to_pattern(filter);
        b.qos_cap = qos;
        // Subscribing again to the same filter replaces the old subscription [MQTT-3.8.4-3].
        broker.bind(kTopicExchange, b);
        opts.qos = qos;
        session_->subscriptions()[filter] = opts;
        ack.codes.push_back(qos);
        granted.emplace_back(std::move(*b.pattern), qos);
    }
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
    auto& broker = server_.broker();
    for (const auto& filter : u.filters) {
        auto& subs = session_->subscriptions();
        auto it = subs.find(filter);
        if (it == subs.end()) continue;
        core::Binding b;
        b.queue = session_->queue();
        b.key = filter;
        b.pattern = filter_to_pattern(filter);
        broker.unbind(kTopicExchange, b);
        subs.erase(it);
    }
    // UNSUBACK even when nothing matched [MQTT-3.10.4-5].
    send(Unsuback{u.packet_id, {}, {}});
}

}  // namespace sy::mqtt

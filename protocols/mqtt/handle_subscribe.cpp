// SUBSCRIBE and UNSUBSCRIBE: each filter becomes a binding of the session's queue to
// amq.topic carrying the granted QoS (or, for "$share/<group>/<filter>", membership of the
// group's queue); retained messages follow the SUBACK.

#include <algorithm>

#include "protocols/mqtt/connection.hpp"
#include "protocols/mqtt/mapping.hpp"
#include "protocols/mqtt/server.hpp"
#include "protocols/mqtt/session_state.hpp"

namespace sy::mqtt {
namespace {

constexpr std::uint8_t kSubscribeFailure311 = 0x80;

}  // namespace

void Connection::handle_subscribe(Subscribe& s) {
    auto& broker = server_.broker();
    const bool v5 = version_ == ProtocolVersion::V5;
    std::optional<std::uint32_t> sub_id;
    if (!s.props.subscription_identifiers.empty()) sub_id = s.props.subscription_identifiers[0];
    Suback ack;
    ack.packet_id = s.packet_id;
    struct Retained {
        core::TopicPattern pattern;
        std::uint8_t qos;
    };
    std::vector<Retained> retained;
    for (auto& [filter, opts] : s.filters) {
        const auto shared = parse_shared(filter);
        // A bad filter fails alone [MQTT-3.9.3-2].
        if (!valid_topic_filter(filter)) {
            ack.codes.push_back(v5 ? reason::kTopicFilterInvalid : kSubscribeFailure311);
            continue;
        }
        if (shared && opts.no_local) {
            // No Local on a shared subscription is a protocol error [MQTT-3.8.3-4].
            protocol_error(reason::kProtocolError, "No Local on a shared subscription");
            return;
        }
        Subscription sub;
        sub.options = opts;
        sub.options.qos = std::min<std::uint8_t>(opts.qos, 2);
        sub.identifier = sub_id;
        sub.pattern = filter_to_pattern(shared ? shared->filter : filter);
        const bool existed = server_.bind_subscription(*session_, filter, sub);
        ack.codes.push_back(sub.options.qos);
        // Retain handling: 0 always, 1 only for a new subscription, 2 never
        // [MQTT-3.3.1-9..11]. Shared subscriptions get no retained messages.
        const auto rh = sub.options.retain_handling;
        if (!shared && (rh == 0 || (rh == 1 && !existed))) {
            retained.push_back({sub.pattern, sub.options.qos});
        }
    }
    // The subscription is recorded before the SUBACK can reach the client.
    server_.persist_session(*session_);
    send(ack);
    // Retained messages go out after the SUBACK, flagged retained [MQTT-3.3.1-6].
    for (const auto& r : retained) {
        broker.for_each_retained(r.pattern, [&](const core::MessagePtr& m) {
            session_->add_retained(m, std::min(m->qos, r.qos), sub_id);
        });
    }
    session_->pump();
}

void Connection::handle_unsubscribe(const Unsubscribe& u) {
    Unsuback ack;
    ack.packet_id = u.packet_id;
    for (const auto& filter : u.filters) {
        const bool had = server_.unbind_subscription(*session_, filter);
        ack.codes.push_back(had ? reason::kSuccess : reason::kNoSubscriptionExisted);
    }
    server_.persist_session(*session_);
    // UNSUBACK even when nothing matched [MQTT-3.10.4-5]; its codes exist only in v5.
    if (version_ != ProtocolVersion::V5) ack.codes.clear();
    send(ack);
}

}  // namespace sy::mqtt

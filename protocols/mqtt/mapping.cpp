#include "protocols/mqtt/mapping.hpp"

namespace sy::mqtt {
namespace {

std::string swap_separators(std::string_view in) {
    std::string out(in);
    for (auto& c : out) {
        if (c == '/') {
            c = '.';
        } else if (c == '.') {
            c = '/';
        }
    }
    return out;
}

}  // namespace

std::string topic_to_routing_key(std::string_view topic) { return swap_separators(topic); }

std::string routing_key_to_topic(std::string_view key) { return swap_separators(key); }

core::TopicPattern filter_to_pattern(std::string_view filter) {
    core::TopicPattern p;
    std::size_t start = 0;
    while (true) {
        auto end = filter.find('/', start);
        auto level = filter.substr(start, end == std::string_view::npos ? filter.npos : end - start);
        if (level == "+") {
            p.push_back({core::PatternLevel::Kind::Star, {}});
        } else if (level == "#") {
            p.push_back({core::PatternLevel::Kind::Hash, {}});
        } else {
            std::string text(level);
            for (auto& c : text) {
                if (c == '.') c = '/';
            }
            p.push_back({core::PatternLevel::Kind::Literal, std::move(text)});
        }
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return p;
}

core::Message to_message(Publish&& publish, const std::string& client_id,
                         const std::string& user) {
    core::Message m;
    m.exchange = "amq.topic";
    m.routing_key = topic_to_routing_key(publish.topic);
    m.payload = std::move(publish.payload);
    m.qos = publish.qos;
    m.retain = publish.retain;
    m.props.persistent = publish.qos > 0;
    m.origin.protocol = core::Protocol::Mqtt;
    m.origin.client_id = client_id;
    m.origin.user = user;
    auto& p = publish.props;
    if (p.content_type) m.props.content_type = std::move(*p.content_type);
    if (p.correlation_data) m.props.correlation_id = std::move(*p.correlation_data);
    if (p.response_topic) m.props.reply_to = topic_to_routing_key(*p.response_topic);
    if (p.message_expiry_interval) {
        m.props.expiration_ms = std::uint64_t{*p.message_expiry_interval} * 1000;
    }
    for (auto& [k, v] : p.user_properties) m.headers.emplace_back(std::move(k), std::move(v));
    return m;
}

}  // namespace sy::mqtt

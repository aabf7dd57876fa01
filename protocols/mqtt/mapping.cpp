#include "protocols/mqtt/mapping.hpp"

#include <algorithm>
#include <type_traits>

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

std::optional<SharedFilter> parse_shared(std::string_view filter) {
    constexpr std::string_view kPrefix = "$share/";
    if (!filter.starts_with(kPrefix)) return std::nullopt;
    auto rest = filter.substr(kPrefix.size());
    auto slash = rest.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 >= rest.size()) {
        return std::nullopt;
    }
    return SharedFilter{std::string(rest.substr(0, slash)), std::string(rest.substr(slash + 1))};
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
    if (p.payload_format_indicator) {
        m.headers.emplace_back(std::string(kPayloadFormatHeader),
                               std::int64_t{*p.payload_format_indicator});
    }
    return m;
}

Properties outbound_properties(const core::Message& m, std::int64_t now_wall_ms) {
    Properties out;
    const auto& p = m.props;
    if (p.content_type) out.content_type = *p.content_type;
    if (p.correlation_id) out.correlation_data = *p.correlation_id;
    if (p.reply_to) out.response_topic = routing_key_to_topic(*p.reply_to);
    if (p.expiration_ms) {
        // Forward what is left, rounded up so a live message never shows 0 [MQTT-3.3.2-6].
        const std::int64_t left =
            m.published_at_ms + static_cast<std::int64_t>(*p.expiration_ms) - now_wall_ms;
        out.message_expiry_interval =
            static_cast<std::uint32_t>(std::max<std::int64_t>(1, (left + 999) / 1000));
    }
    for (const auto& [k, v] : m.headers) {
        if (k == kPayloadFormatHeader) {
            if (const auto* i = std::get_if<std::int64_t>(&v)) {
                out.payload_format_indicator = static_cast<std::uint8_t>(*i != 0);
            }
            continue;
        }
        if (std::string_view(k).starts_with(kMqttHeaderPrefix)) continue;
        out.user_properties.emplace_back(k, core::to_text(v));
    }
    return out;
}

}  // namespace sy::mqtt

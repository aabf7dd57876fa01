#include "protocols/amqp/mapping.hpp"

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <type_traits>

#include "core/broker/dead_letter.hpp"
#include "protocols/common/byte_writer.hpp"

namespace sy::amqp {
namespace {

constexpr std::string_view kTypeHeader = "x-amqp-type";
constexpr std::string_view kAppIdHeader = "x-amqp-app-id";
constexpr std::string_view kUserIdHeader = "x-amqp-user-id";
constexpr std::string_view kClusterIdHeader = "x-amqp-cluster-id";

// How MQTT and STOMP see a value only AMQP can type: close to RabbitMQ's own rendering.
std::string describe(const FieldValue& v);

std::string describe_table(const FieldTable& t) {
    std::string out = "{";
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (i) out += ",";
        out += t[i].name;
        out += "=";
        out += describe(t[i].value);
    }
    return out + "}";
}

std::string describe(const FieldValue& v) {
    return std::visit(
        [](const auto& x) -> std::string {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
                return "";
            } else if constexpr (std::is_same_v<T, bool>) {
                return x ? "true" : "false";
            } else if constexpr (std::is_same_v<T, std::string>) {
                return x;
            } else if constexpr (std::is_same_v<T, ByteArray>) {
                return x.bytes;
            } else if constexpr (std::is_same_v<T, Timestamp>) {
                return std::to_string(x.seconds);
            } else if constexpr (std::is_same_v<T, Decimal>) {
                // value / 10^scale, written out digit by digit.
                std::string digits = std::to_string(x.value);
                const std::size_t scale = x.scale;
                if (scale == 0) return digits;
                std::string out;
                const std::size_t pad = digits.size() <= scale ? scale + 1 - digits.size() : 0;
                const std::size_t total = digits.size() + pad;
                for (std::size_t i = 0; i < total; ++i) {
                    if (i == total - scale) out.push_back('.');
                    out.push_back(i < pad ? '0' : digits[i - pad]);
                }
                return out;
            } else if constexpr (std::is_same_v<T, FieldArray>) {
                std::string out = "[";
                for (std::size_t i = 0; i < x.size(); ++i) {
                    if (i) out += ",";
                    out += describe(x[i]);
                }
                return out + "]";
            } else if constexpr (std::is_same_v<T, FieldTable>) {
                return describe_table(x);
            } else {
                return std::to_string(x);
            }
        },
        static_cast<const FieldVariant&>(v));
}

core::WireValue wire_value(const FieldValue& v) {
    ByteWriter w;
    encode_field_value(v, w);
    const auto bytes = w.view();
    return core::WireValue{std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                           describe(v)};
}

core::HeaderValue to_header_value(const FieldValue& v, bool exact) {
    return std::visit(
        [&](const auto& x) -> core::HeaderValue {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, std::string>) {
                return x;
            } else if constexpr (std::is_integral_v<T>) {
                // Typed: 'I' always comes back as 'I', an 'l' outside 32 bits as 'l'
                // (to_field_value picks the smallest); any other width keeps its letter.
                const bool plain = std::is_same_v<T, std::int32_t> ||
                                   (std::is_same_v<T, std::int64_t> &&
                                    (static_cast<std::int64_t>(x) < INT32_MIN ||
                                     static_cast<std::int64_t>(x) > INT32_MAX));
                if (exact && !plain) return wire_value(v);
                return static_cast<std::int64_t>(x);
            } else if constexpr (std::is_floating_point_v<T>) {
                if (exact && std::is_same_v<T, float>) return wire_value(v);
                return static_cast<double>(x);
            } else {
                return wire_value(v);
            }
        },
        static_cast<const FieldVariant&>(v));
}

FieldValue to_field_value(const core::HeaderValue& v) {
    if (const auto* w = std::get_if<core::WireValue>(&v)) {
        FieldValue out;
        const auto* p = reinterpret_cast<const std::byte*>(w->wire.data());
        if (decode_field_value({p, w->wire.size()}, out)) return out;
        return FieldValue(w->text);  // cannot happen for values we wrote; keep the text
    }
    if (const auto* i = std::get_if<std::int64_t>(&v)) {
        // The smallest signed type that holds it, as clients send them: some (pika) read 'l'
        // as unsigned, so -7 must not travel as one.
        if (*i >= INT32_MIN && *i <= INT32_MAX) return FieldValue(static_cast<std::int32_t>(*i));
        return FieldValue(*i);
    }
    return std::visit([](const auto& x) -> FieldValue {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, core::WireValue>) {
            return FieldValue(x.text);
        } else {
            return FieldValue(x);
        }
    }, v);
}

FieldTable death_table(const core::DeathRecord& d, const core::Message& m) {
    FieldTable t;
    t.push_back({"count", FieldValue(d.count)});
    t.push_back({"reason", FieldValue(std::string(core::to_string(d.reason)))});
    t.push_back({"queue", FieldValue(d.queue)});
    t.push_back({"time", FieldValue(Timestamp{static_cast<std::uint64_t>(
                                 std::max<std::int64_t>(0, m.published_at_ms / 1000))})});
    t.push_back({"exchange", FieldValue(d.exchange)});
    t.push_back({"routing-keys", FieldValue(FieldArray{FieldValue(m.routing_key)})});
    if (d.original_expiration_ms) {
        t.push_back({"original-expiration", FieldValue(std::to_string(*d.original_expiration_ms))});
    }
    return t;
}

bool is_flat_death_header(std::string_view name) {
    return name.starts_with("x-death-");
}

}  // namespace

core::Headers to_headers(const FieldTable& table, bool exact) {
    core::Headers out;
    out.reserve(table.size());
    for (const auto& e : table) out.emplace_back(e.name, to_header_value(e.value, exact));
    return out;
}

FieldTable to_field_table(const core::Headers& headers) {
    FieldTable out;
    out.reserve(headers.size());
    for (const auto& [name, value] : headers) out.push_back({name, to_field_value(value)});
    return out;
}

std::optional<std::uint64_t> parse_expiration(std::string_view text) {
    std::uint64_t v = 0;
    const auto* end = text.data() + text.size();
    auto [p, ec] = std::from_chars(text.data(), end, v);
    if (text.empty() || ec != std::errc() || p != end) return std::nullopt;
    return v;
}

core::Message to_message(const BasicPublish& publish, BasicProperties&& props, std::string&& body) {
    core::Message m;
    m.exchange = publish.exchange;
    m.routing_key = publish.routing_key;
    m.payload = std::move(body);
    auto& p = m.props;
    p.content_type = std::move(props.content_type);
    p.content_encoding = std::move(props.content_encoding);
    p.correlation_id = std::move(props.correlation_id);
    p.reply_to = std::move(props.reply_to);
    p.message_id = std::move(props.message_id);
    p.priority = props.priority;
    p.timestamp_s = props.timestamp;
    if (props.expiration) p.expiration_ms = parse_expiration(*props.expiration);
    p.persistent = props.delivery_mode == 2;
    m.qos = p.persistent ? 1 : 0;
    if (props.headers) m.headers = to_headers(*props.headers, true);
    auto keep = [&](std::string_view name, std::optional<std::string>& v) {
        if (v) m.headers.emplace_back(std::string(name), std::move(*v));
    };
    keep(kTypeHeader, props.type);
    keep(kAppIdHeader, props.app_id);
    keep(kUserIdHeader, props.user_id);
    keep(kClusterIdHeader, props.cluster_id);
    return m;
}

BasicProperties to_properties(const core::Message& m) {
    BasicProperties out;
    const auto& p = m.props;
    out.content_type = p.content_type;
    out.content_encoding = p.content_encoding;
    out.correlation_id = p.correlation_id;
    out.reply_to = p.reply_to;
    out.message_id = p.message_id;
    out.priority = p.priority;
    out.timestamp = p.timestamp_s;
    if (p.expiration_ms) out.expiration = std::to_string(*p.expiration_ms);
    if (p.persistent) out.delivery_mode = 2;
    if (m.headers.empty() && m.origin.protocol != core::Protocol::Mqtt) return out;

    FieldTable table;
    bool deaths = false;
    for (const auto& [name, value] : m.headers) {
        std::string_view n = name;
        if (n.starts_with(kAmqpHeaderPrefix)) {
            auto* s = std::get_if<std::string>(&value);
            if (!s) continue;
            if (n == kTypeHeader) out.type = *s;
            else if (n == kAppIdHeader) out.app_id = *s;
            else if (n == kUserIdHeader) out.user_id = *s;
            else if (n == kClusterIdHeader) out.cluster_id = *s;
            continue;
        }
        if (is_flat_death_header(n)) {
            deaths = true;
            continue;
        }
        table.push_back({name, to_field_value(value)});
    }
    if (deaths) {
        FieldArray entries;
        for (const auto& d : core::read_deaths(m.headers)) {
            entries.emplace_back(death_table(d, m));
        }
        if (!entries.empty()) table.push_back({"x-death", FieldValue(std::move(entries))});
    }
    if (m.origin.protocol == core::Protocol::Mqtt) {
        table.push_back({"x-mqtt-publish-qos", FieldValue(static_cast<std::uint8_t>(m.qos))});
    }
    if (!table.empty()) out.headers = std::move(table);
    return out;
}

}  // namespace sy::amqp

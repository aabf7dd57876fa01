#include "protocols/mqtt/codec/properties.hpp"

#include <array>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>

#include "protocols/common/varint.hpp"

namespace sy::mqtt::detail {

namespace {

constexpr std::uint16_t bit(PropertyContext c) { return static_cast<std::uint16_t>(c); }

template <class... C>
constexpr std::uint16_t in(C... contexts) {
    return static_cast<std::uint16_t>((bit(contexts) | ...));
}

using Ctx = PropertyContext;

enum class Kind : std::uint8_t { Byte, TwoByte, FourByte, Utf8, Binary };

// Every property that may appear at most once: a member of Properties, its wire type and the
// packets it is allowed on (table 2-4 of the v5 spec).
using Slot = std::variant<std::optional<std::uint8_t> Properties::*,
                          std::optional<std::uint16_t> Properties::*,
                          std::optional<std::uint32_t> Properties::*,
                          std::optional<std::string> Properties::*>;

struct SingleSpec {
    std::uint8_t id;
    Kind kind;
    std::uint16_t allowed;
    Slot slot;
};

constexpr std::uint8_t kSubscriptionIdentifier = 0x0B;
constexpr std::uint8_t kUserProperty = 0x26;

constexpr std::uint16_t kSubscriptionIdAllowed = in(Ctx::Publish, Ctx::Subscribe);
constexpr std::uint16_t kWillAndPublish = in(Ctx::Publish, Ctx::Will);

constexpr std::array<SingleSpec, 25> kSingles{{
    {0x01, Kind::Byte, kWillAndPublish, &Properties::payload_format_indicator},
    {0x02, Kind::FourByte, kWillAndPublish, &Properties::message_expiry_interval},
    {0x03, Kind::Utf8, kWillAndPublish, &Properties::content_type},
    {0x08, Kind::Utf8, kWillAndPublish, &Properties::response_topic},
    {0x09, Kind::Binary, kWillAndPublish, &Properties::correlation_data},
    {0x11, Kind::FourByte, in(Ctx::Connect, Ctx::Connack, Ctx::Disconnect),
     &Properties::session_expiry_interval},
    {0x12, Kind::Utf8, in(Ctx::Connack), &Properties::assigned_client_identifier},
    {0x13, Kind::TwoByte, in(Ctx::Connack), &Properties::server_keep_alive},
    {0x15, Kind::Utf8, in(Ctx::Connect, Ctx::Connack, Ctx::Auth),
     &Properties::authentication_method},
    {0x16, Kind::Binary, in(Ctx::Connect, Ctx::Connack, Ctx::Auth),
     &Properties::authentication_data},
    {0x17, Kind::Byte, in(Ctx::Connect), &Properties::request_problem_information},
    {0x18, Kind::FourByte, in(Ctx::Will), &Properties::will_delay_interval},
    {0x19, Kind::Byte, in(Ctx::Connect), &Properties::request_response_information},
    {0x1A, Kind::Utf8, in(Ctx::Connack), &Properties::response_information},
    {0x1C, Kind::Utf8, in(Ctx::Connack, Ctx::Disconnect), &Properties::server_reference},
    {0x1F, Kind::Utf8,
     in(Ctx::Connack, Ctx::PubAck, Ctx::Suback, Ctx::Unsuback, Ctx::Disconnect, Ctx::Auth),
     &Properties::reason_string},
    {0x21, Kind::TwoByte, in(Ctx::Connect, Ctx::Connack), &Properties::receive_maximum},
    {0x22, Kind::TwoByte, in(Ctx::Connect, Ctx::Connack), &Properties::topic_alias_maximum},
    {0x23, Kind::TwoByte, in(Ctx::Publish), &Properties::topic_alias},
    {0x24, Kind::Byte, in(Ctx::Connack), &Properties::maximum_qos},
    {0x25, Kind::Byte, in(Ctx::Connack), &Properties::retain_available},
    {0x27, Kind::FourByte, in(Ctx::Connect, Ctx::Connack), &Properties::maximum_packet_size},
    {0x28, Kind::Byte, in(Ctx::Connack), &Properties::wildcard_subscription_available},
    {0x29, Kind::Byte, in(Ctx::Connack), &Properties::subscription_identifier_available},
    {0x2A, Kind::Byte, in(Ctx::Connack), &Properties::shared_subscription_available},
}};

const SingleSpec* find_single(std::uint8_t id) {
    for (const SingleSpec& spec : kSingles) {
        if (spec.id == id) {
            return &spec;
        }
    }
    return nullptr;
}

// ---- reading ----

Fault read_value(FieldReader& in, Kind, std::uint8_t& v) { return in.u8(v); }
Fault read_value(FieldReader& in, Kind, std::uint16_t& v) { return in.u16(v); }
Fault read_value(FieldReader& in, Kind, std::uint32_t& v) { return in.u32(v); }
Fault read_value(FieldReader& in, Kind kind, std::string& v) {
    return kind == Kind::Utf8 ? in.utf8(v) : in.binary(v);
}

Fault read_single(FieldReader& in, const SingleSpec& spec, Properties& props) {
    return std::visit(
        [&](auto member) -> Fault {
            auto& slot = props.*member;
            if (slot.has_value()) {
                // Every single-valued property says "It is a Protocol Error to include X
                // more than once" (section 3.x.2.x).
                return protocol_error("property repeated");
            }
            typename std::remove_reference_t<decltype(slot)>::value_type value{};
            if (Fault f = read_value(in, spec.kind, value)) {
                return f;
            }
            slot = std::move(value);
            return {};
        },
        spec.slot);
}

Fault read_subscription_id(FieldReader& in, PropertyContext ctx, Properties& props) {
    std::uint32_t id = 0;
    if (Fault f = in.varint(id)) {
        return f;
    }
    if (id == 0) {
        return protocol_error("subscription identifier 0");
    }
    // Only a PUBLISH can carry one per matching subscription (section 3.3.2.3.8).
    if (ctx == Ctx::Subscribe && !props.subscription_identifiers.empty()) {
        return protocol_error("property repeated");
    }
    props.subscription_identifiers.push_back(id);
    return {};
}

Fault read_user_property(FieldReader& in, Properties& props) {
    auto& [key, value] = props.user_properties.emplace_back();
    if (Fault f = in.utf8(key)) {
        return f;
    }
    return in.utf8(value);
}

Fault read_one(FieldReader& in, PropertyContext ctx, Properties& props) {
    std::uint8_t id = 0;
    if (Fault f = in.u8(id)) {
        return f;
    }
    // Every defined identifier fits in one byte of the Variable Byte Integer, so a byte with
    // the continuation bit can only start an unknown identifier.
    const SingleSpec* spec = find_single(id);
    std::uint16_t allowed = 0;
    if (spec != nullptr) {
        allowed = spec->allowed;
    } else if (id == kSubscriptionIdentifier) {
        allowed = kSubscriptionIdAllowed;
    } else if (id == kUserProperty) {
        allowed = 0xFFFF;
    } else {
        return malformed("unknown property identifier");
    }
    // An identifier not valid for its packet type makes the packet malformed (2.2.2.2).
    if ((allowed & bit(ctx)) == 0) {
        return malformed("property not allowed on this packet");
    }
    if (spec != nullptr) {
        return read_single(in, *spec, props);
    }
    if (id == kSubscriptionIdentifier) {
        return read_subscription_id(in, ctx, props);
    }
    return read_user_property(in, props);
}

bool above_one(const std::optional<std::uint8_t>& v) { return v.has_value() && *v > 1; }

// Value rules that do not depend on the packet: each is "It is a Protocol Error to ..." in the
// property's description (section 3.1.2.11, 3.2.2.3).
Fault check_values(const Properties& p) {
    if (p.receive_maximum == std::uint16_t{0}) {
        return protocol_error("receive maximum 0");
    }
    if (p.maximum_packet_size == std::uint32_t{0}) {
        return protocol_error("maximum packet size 0");
    }
    if (above_one(p.payload_format_indicator) || above_one(p.request_problem_information) ||
        above_one(p.request_response_information) || above_one(p.maximum_qos) ||
        above_one(p.retain_available) || above_one(p.wildcard_subscription_available) ||
        above_one(p.subscription_identifier_available) ||
        above_one(p.shared_subscription_available)) {
        return protocol_error("property value other than 0 or 1");
    }
    return {};
}

// ---- writing ----

template <class Sink>
void write_string(Sink& out, const std::string& s) {
    out.u16(static_cast<std::uint16_t>(s.size()));
    out.bytes(s);
}

template <class Sink>
void write_value(Sink& out, std::uint8_t v) { out.u8(v); }
template <class Sink>
void write_value(Sink& out, std::uint16_t v) { out.u16(v); }
template <class Sink>
void write_value(Sink& out, std::uint32_t v) { out.u32(v); }
template <class Sink>
void write_value(Sink& out, const std::string& v) { write_string(out, v); }

template <class Sink>
void write_list(Sink& out, const Properties& props, PropertyContext ctx) {
    for (const SingleSpec& spec : kSingles) {
        if ((spec.allowed & bit(ctx)) == 0) {
            continue;
        }
        std::visit(
            [&](auto member) {
                const auto& slot = props.*member;
                if (slot.has_value()) {
                    out.u8(spec.id);
                    write_value(out, *slot);
                }
            },
            spec.slot);
    }
    if ((kSubscriptionIdAllowed & bit(ctx)) != 0) {
        for (std::uint32_t id : props.subscription_identifiers) {
            out.u8(kSubscriptionIdentifier);
            write_varint(out, id);
            if (ctx == Ctx::Subscribe) {
                break;  // a SUBSCRIBE carries at most one
            }
        }
    }
    for (const auto& [key, value] : props.user_properties) {
        out.u8(kUserProperty);
        write_string(out, key);
        write_string(out, value);
    }
}

}  // namespace

Fault read_properties(FieldReader& in, PropertyContext ctx, Properties& props) {
    std::uint32_t length = 0;
    if (Fault f = in.varint(length)) {
        return f;
    }
    FieldReader list{{}};
    if (Fault f = in.split(length, list)) {
        return f;
    }
    while (!list.empty()) {
        if (Fault f = read_one(list, ctx, props)) {
            return f;
        }
    }
    return check_values(props);
}

std::size_t property_list_size(const Properties& props, PropertyContext ctx) {
    ByteCounter counter;
    write_list(counter, props, ctx);
    return counter.size();
}

void write_properties(ByteWriter& out, const Properties& props, PropertyContext ctx) {
    write_varint(out, static_cast<std::uint32_t>(property_list_size(props, ctx)));
    write_list(out, props, ctx);
}

void write_properties(ByteCounter& out, const Properties& props, PropertyContext ctx) {
    const std::size_t n = property_list_size(props, ctx);
    out.advance(varint_size(static_cast<std::uint32_t>(n)) + n);
}

}  // namespace sy::mqtt::detail

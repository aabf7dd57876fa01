// Content: basic properties, the content header frame, and the encoders that send a
// content-carrying method as method + header + body frames.

#include "protocols/amqp/codec/content.hpp"

#include <cassert>
#include <cstdint>
#include <limits>
#include <string_view>

#include "protocols/amqp/codec/codec.hpp"
#include "protocols/amqp/codec/method_fields.hpp"

namespace sy::amqp {

std::uint16_t property_flags(const BasicProperties& p) {
    using namespace property_flag;
    unsigned flags = 0;
    flags |= p.content_type ? kContentType : 0u;
    flags |= p.content_encoding ? kContentEncoding : 0u;
    flags |= p.headers ? kHeaders : 0u;
    flags |= p.delivery_mode ? kDeliveryMode : 0u;
    flags |= p.priority ? kPriority : 0u;
    flags |= p.correlation_id ? kCorrelationId : 0u;
    flags |= p.reply_to ? kReplyTo : 0u;
    flags |= p.expiration ? kExpiration : 0u;
    flags |= p.message_id ? kMessageId : 0u;
    flags |= p.timestamp ? kTimestamp : 0u;
    flags |= p.type ? kType : 0u;
    flags |= p.user_id ? kUserId : 0u;
    flags |= p.app_id ? kAppId : 0u;
    flags |= p.cluster_id ? kClusterId : 0u;
    return static_cast<std::uint16_t>(flags);
}

namespace detail {

namespace {

// Property values in flag order (highest bit first), the only order the wire allows.
Fault read_properties(WireReader& in, TableBudget& budget, std::uint16_t flags,
                      BasicProperties& p) {
    using namespace property_flag;
    MethodReader r(in, budget);
    if (flags & kContentType) r.shortstr(p.content_type.emplace());
    if (flags & kContentEncoding) r.shortstr(p.content_encoding.emplace());
    if (flags & kHeaders) r.table(p.headers.emplace());
    if (flags & kDeliveryMode) r.u8(p.delivery_mode.emplace());
    if (flags & kPriority) r.u8(p.priority.emplace());
    if (flags & kCorrelationId) r.shortstr(p.correlation_id.emplace());
    if (flags & kReplyTo) r.shortstr(p.reply_to.emplace());
    if (flags & kExpiration) r.shortstr(p.expiration.emplace());
    if (flags & kMessageId) r.shortstr(p.message_id.emplace());
    if (flags & kTimestamp) r.u64(p.timestamp.emplace());
    if (flags & kType) r.shortstr(p.type.emplace());
    if (flags & kUserId) r.shortstr(p.user_id.emplace());
    if (flags & kAppId) r.shortstr(p.app_id.emplace());
    if (flags & kClusterId) r.shortstr(p.cluster_id.emplace());
    return r.fault();
}

void write_properties(ByteWriter& out, const BasicProperties& p) {
    MethodWriter w(out);
    if (p.content_type) w.shortstr(*p.content_type);
    if (p.content_encoding) w.shortstr(*p.content_encoding);
    if (p.headers) w.table(*p.headers);
    if (p.delivery_mode) w.u8(*p.delivery_mode);
    if (p.priority) w.u8(*p.priority);
    if (p.correlation_id) w.shortstr(*p.correlation_id);
    if (p.reply_to) w.shortstr(*p.reply_to);
    if (p.expiration) w.shortstr(*p.expiration);
    if (p.message_id) w.shortstr(*p.message_id);
    if (p.timestamp) w.u64(*p.timestamp);
    if (p.type) w.shortstr(*p.type);
    if (p.user_id) w.shortstr(*p.user_id);
    if (p.app_id) w.shortstr(*p.app_id);
    if (p.cluster_id) w.shortstr(*p.cluster_id);
}

// The method frame written from the struct itself: no Method variant, no copy of its strings.
template <class M>
void write_method_frame(ByteWriter& out, std::uint16_t channel, const M& method) {
    const std::size_t size_at = begin_frame(out, FrameType::Method, channel);
    out.u16(M::kClassId);
    out.u16(M::kMethodId);
    MethodWriter writer(out);
    fields(writer, method);
    end_frame(out, size_at);
}

template <class M>
void write_with_content(ByteWriter& out, std::uint16_t channel, const M& method,
                        const BasicProperties& props, std::string_view body,
                        std::uint32_t frame_max) {
    assert(frame_max == 0 || frame_max > kFrameOverhead);
    write_method_frame(out, channel, method);
    write_content_header(out, channel, kBasicClass, body.size(), props);
    const std::size_t piece = frame_max == 0 ? std::numeric_limits<std::uint32_t>::max()
                                             : frame_max - kFrameOverhead;
    for (std::size_t at = 0; at < body.size(); at += piece) {
        const std::size_t size_at = begin_frame(out, FrameType::Body, channel);
        out.bytes(body.substr(at, piece));
        end_frame(out, size_at);
    }
}

}  // namespace

Fault read_content_header(std::span<const std::byte> payload, TableBudget& budget,
                          ContentHeader& out) {
    WireReader in(payload, frame_error);
    std::uint16_t weight = 0;
    std::uint16_t flags = 0;
    if (Fault f = in.u16(out.class_id)) return f;
    if (Fault f = in.u16(weight)) return f;
    if (Fault f = in.u64(out.body_size)) return f;
    if (Fault f = in.u16(flags)) return f;
    // Only basic has content in 0-9-1; the header's class must match its method's, which
    // the spec answers with a frame error (section 4.2.6.1).
    if (out.class_id != kBasicClass) {
        return frame_error("content header for a class without content");
    }
    if (weight != 0) {
        return frame_error("content header weight is not zero");
    }
    // Bit 0 announces another flags word and bit 1 a 15th property; basic has neither.
    if ((flags & ~property_flag::kAll) != 0) {
        return frame_error("property flags name a property basic does not have");
    }
    if (Fault f = read_properties(in, budget, flags, out.properties)) {
        return f;
    }
    if (!in.empty()) {
        return frame_error("octets after the last content property");
    }
    return {};
}

void write_content_header(ByteWriter& out, std::uint16_t channel, std::uint16_t class_id,
                          std::uint64_t body_size, const BasicProperties& props) {
    const std::size_t size_at = begin_frame(out, FrameType::Header, channel);
    out.u16(class_id);
    out.u16(0);  // weight
    out.u64(body_size);
    out.u16(property_flags(props));
    write_properties(out, props);
    end_frame(out, size_at);
}

}  // namespace detail

void encode_deliver(std::uint16_t channel, const BasicDeliver& deliver,
                    const BasicProperties& props, std::string_view body, std::uint32_t frame_max,
                    ByteWriter& out) {
    detail::write_with_content(out, channel, deliver, props, body, frame_max);
}

void encode_get_ok(std::uint16_t channel, const BasicGetOk& get_ok, const BasicProperties& props,
                   std::string_view body, std::uint32_t frame_max, ByteWriter& out) {
    detail::write_with_content(out, channel, get_ok, props, body, frame_max);
}

void encode_return(std::uint16_t channel, const BasicReturn& ret, const BasicProperties& props,
                   std::string_view body, std::uint32_t frame_max, ByteWriter& out) {
    detail::write_with_content(out, channel, ret, props, body, frame_max);
}

void encode_publish(std::uint16_t channel, const BasicPublish& publish,
                    const BasicProperties& props, std::string_view body, std::uint32_t frame_max,
                    ByteWriter& out) {
    detail::write_with_content(out, channel, publish, props, body, frame_max);
}

}  // namespace sy::amqp

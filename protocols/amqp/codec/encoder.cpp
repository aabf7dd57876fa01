// Encoding: every frame is written in one pass, its payload size patched in afterwards.

#include <cstdint>
#include <type_traits>
#include <variant>

#include "protocols/amqp/codec/codec.hpp"
#include "protocols/amqp/codec/content.hpp"
#include "protocols/amqp/codec/method_fields.hpp"
#include "protocols/amqp/codec/wire.hpp"

namespace sy::amqp {

namespace {

void write_frame(ByteWriter& out, const MethodFrame& f) {
    encode_method(f.channel, f.method, out);
}

void write_frame(ByteWriter& out, const ContentHeader& f) {
    detail::write_content_header(out, f.channel, f.class_id, f.body_size, f.properties);
}

void write_frame(ByteWriter& out, const ContentBody& f) {
    const std::size_t size_at = detail::begin_frame(out, FrameType::Body, f.channel);
    out.bytes(f.payload);
    detail::end_frame(out, size_at);
}

void write_frame(ByteWriter& out, const Heartbeat&) {
    const std::size_t size_at = detail::begin_frame(out, FrameType::Heartbeat, 0);
    detail::end_frame(out, size_at);
}

}  // namespace

void encode(const Frame& frame, ByteWriter& out) {
    std::visit([&](const auto& f) { write_frame(out, f); }, frame);
}

void encode_method(std::uint16_t channel, const Method& method, ByteWriter& out) {
    const std::size_t size_at = detail::begin_frame(out, FrameType::Method, channel);
    detail::write_method_payload(out, method);
    detail::end_frame(out, size_at);
}

}  // namespace sy::amqp

// Framing (section 4.2.3): the 7-octet frame header, frame-max, frame-end, then dispatch on the
// frame type to the method, content-header, body and heartbeat readers.

#include <cstddef>
#include <cstdint>
#include <span>

#include "protocols/amqp/codec/codec.hpp"
#include "protocols/amqp/codec/content.hpp"
#include "protocols/amqp/codec/method_fields.hpp"
#include "protocols/amqp/codec/wire.hpp"
#include "protocols/common/byte_reader.hpp"

namespace sy::amqp {

namespace {

using detail::Fault;
using detail::TableBudget;

bool known_frame_type(std::uint8_t type) {
    switch (static_cast<FrameType>(type)) {
    case FrameType::Method:
    case FrameType::Header:
    case FrameType::Body:
    case FrameType::Heartbeat:
        return true;
    }
    return false;
}

DecodeResult failure(const Fault& f, std::uint16_t class_id = 0, std::uint16_t method_id = 0) {
    return {f.status, 0, f.what, f.reply_code, class_id, method_id};
}

DecodeResult complete(std::size_t consumed) {
    return {DecodeStatus::Complete, consumed, nullptr, 0, 0, 0};
}

DecodeResult decode_method(std::uint16_t channel, std::span<const std::byte> payload,
                           TableBudget& budget, std::size_t total, Frame& out) {
    detail::WireReader in(payload, detail::syntax_error);
    std::uint16_t class_id = 0;
    std::uint16_t method_id = 0;
    // RabbitMQ treats a method frame too short for its ids as an undecodable frame.
    if (payload.size() < 4 || in.u16(class_id) || in.u16(method_id)) {
        return failure(detail::frame_error("method frame shorter than its class and method ids"));
    }
    auto& frame = out.emplace<MethodFrame>();
    frame.channel = channel;
    if (Fault f = detail::read_method_arguments(class_id, method_id, in, budget, frame.method)) {
        return failure(f, class_id, method_id);
    }
    return complete(total);
}

DecodeResult decode_header(std::uint16_t channel, std::span<const std::byte> payload,
                           TableBudget& budget, std::size_t total, Frame& out) {
    // Content belongs to a channel; RabbitMQ answers it on channel 0 with unexpected-frame.
    if (channel == 0) {
        return failure(detail::unexpected_frame("content header frame on channel 0"));
    }
    auto& header = out.emplace<ContentHeader>();
    header.channel = channel;
    if (Fault f = detail::read_content_header(payload, budget, header)) {
        return failure(f);
    }
    return complete(total);
}

DecodeResult decode_body(std::uint16_t channel, std::span<const std::byte> payload,
                         std::size_t total, Frame& out) {
    if (channel == 0) {
        return failure(detail::unexpected_frame("content body frame on channel 0"));
    }
    auto& body = out.emplace<ContentBody>();
    body.channel = channel;
    body.payload.assign(reinterpret_cast<const char*>(payload.data()), payload.size());
    return complete(total);
}

DecodeResult decode_heartbeat(std::uint16_t channel, std::span<const std::byte> payload,
                              std::size_t total, Frame& out) {
    if (!payload.empty()) {
        return failure(detail::frame_error("heartbeat frame with a payload"));
    }
    // Heartbeats are connection-level (section 4.2.7).
    if (channel != 0) {
        return failure(detail::unexpected_frame("heartbeat frame on a channel other than 0"));
    }
    out.emplace<Heartbeat>();
    return complete(total);
}

}  // namespace

DecodeResult Decoder::decode(std::span<const std::byte> input, Frame& out) const {
    if (input.empty()) {
        return {};
    }
    // Judged from the first octet, so a stray protocol header or an HTTP request fails at once.
    const auto type = std::to_integer<std::uint8_t>(input[0]);
    if (!known_frame_type(type)) {
        return failure(detail::frame_error("unknown frame type"));
    }
    if (input.size() < kFrameHeaderSize) {
        return {};
    }
    ByteReader header(input.subspan(1));
    std::uint16_t channel = 0;
    std::uint32_t size = 0;
    if (!header.u16(channel) || !header.u32(size)) {
        return {};  // unreachable: seven octets are there
    }
    // Judged from the header alone, so a hostile size is refused before its payload is
    // buffered. The payload size is unsigned: there are no negative sizes, only large ones.
    const std::uint64_t total = kFrameOverhead + std::uint64_t{size};
    if (limits_.frame_max != 0 && total > limits_.frame_max) {
        return {DecodeStatus::TooLarge, 0, "frame larger than the negotiated frame-max",
                reply::kFrameError, 0, 0};
    }
    if (input.size() < total) {
        return {};
    }
    if (std::to_integer<std::uint8_t>(input[total - 1]) != kFrameEnd) {
        return failure(detail::frame_error("frame-end octet is not 0xCE"));
    }
    const auto payload = input.subspan(kFrameHeaderSize, size);
    const auto consumed = static_cast<std::size_t>(total);
    TableBudget budget{limits_.max_table_depth, limits_.max_table_fields};
    switch (static_cast<FrameType>(type)) {
    case FrameType::Method:
        return decode_method(channel, payload, budget, consumed, out);
    case FrameType::Header:
        return decode_header(channel, payload, budget, consumed, out);
    case FrameType::Body:
        return decode_body(channel, payload, consumed, out);
    case FrameType::Heartbeat:
        return decode_heartbeat(channel, payload, consumed, out);
    }
    return failure(detail::frame_error("unknown frame type"));
}

}  // namespace sy::amqp

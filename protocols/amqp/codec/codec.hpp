#pragma once
// Sans-I/O AMQP 0-9-1 codec: bytes in, frames out, and back. No sockets, clocks, logging,
// global state or exceptions, and nothing from core, so it can be fuzzed on its own.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "protocols/amqp/codec/frames.hpp"
#include "protocols/common/byte_writer.hpp"

namespace sy::amqp {

// ---- protocol header ----

enum class HeaderStatus : std::uint8_t {
    Supported,    // "AMQP" 0 0 9 1: go on with connection.start
    NeedMore,     // a prefix of a header; wait
    Unsupported,  // "AMQP" and another version (0-8, 0-9, 1.0 ...)
    NotAmqp,      // not an AMQP header at all (HTTP, TLS, garbage)
};

struct HeaderResult {
    HeaderStatus status = HeaderStatus::NeedMore;
    std::size_t consumed = 0;  // 8 when Supported, else 0
    ProtocolHeader received;   // the version asked for, when Supported or Unsupported
};

// Reads the header a client sends before its first frame. On Unsupported and NotAmqp the
// server writes its own header (encode_protocol_header) and closes the socket, with no
// connection.close (section 4.2.2). NotAmqp is reported as soon as a byte differs from "AMQP".
HeaderResult read_protocol_header(std::span<const std::byte> input);

// Appends "AMQP" 0 0 9 1.
void encode_protocol_header(ByteWriter& out);

// ---- frames ----

enum class DecodeStatus : std::uint8_t { Complete, NeedMore, Malformed, Unsupported, TooLarge };

struct DecodeResult {
    DecodeStatus status = DecodeStatus::NeedMore;
    std::size_t consumed = 0;  // octets of the input used by a Complete frame; 0 otherwise
    // For Malformed/Unsupported/TooLarge: the reply-text for connection.close (static).
    const char* error = nullptr;
    // For Malformed/Unsupported/TooLarge: the reply-code for connection.close. Every error the
    // codec reports is a connection exception: 501 frame error, 502 syntax error (method
    // arguments), 505 unexpected frame (heartbeat off channel 0, content on channel 0),
    // 506 resource error (field-table limits), 540 not implemented (unknown class or method).
    std::uint16_t reply_code = 0;
    // The failing method's ids for connection.close's class-id and method-id, or 0.
    std::uint16_t class_id = 0;
    std::uint16_t method_id = 0;
};

struct DecoderLimits {
    // Largest frame accepted, header and frame-end included, as negotiated by tune/tune-ok.
    // 0 means no limit (the spec's "0 = no limit"); a larger frame is TooLarge, 501.
    std::uint32_t frame_max = 131072;
    // Deepest nesting of tables and arrays; a method's argument table is level 1. Keep it
    // small: the decoder recurses once per level.
    std::uint32_t max_table_depth = 16;
    // Most field values, counted over all tables and arrays at any depth of one frame. Bytes
    // are already bounded by frame_max; this bounds what those bytes may expand into (a 'V'
    // costs one octet on the wire and tens in memory).
    std::uint32_t max_table_fields = 8192;
};

class Decoder {
public:
    explicit Decoder(DecoderLimits limits = {}) : limits_(limits) {}

    // After tune-ok the session lowers (or lifts) the frame limit.
    void set_frame_max(std::uint32_t frame_max) { limits_.frame_max = frame_max; }
    const DecoderLimits& limits() const { return limits_; }

    // Decodes at most one frame from the front of input. On Complete, out holds it and
    // result.consumed says how many octets it took. Errors leave out unspecified and report
    // consumed = 0: the connection is closed, so there is nothing to skip.
    //
    // Checked here: frame type, frame-max (from the 7-octet header alone), frame-end 0xCE,
    // known class and method ids, method arguments to the last octet, field-table types and
    // limits, content header class/weight/flags, heartbeats on channel 0 and content frames
    // off it. Left to the session: which methods may arrive on which channel and in which
    // state, content framing (header after a content method, body sizes adding up), UTF-8
    // and name rules for shortstr arguments.
    DecodeResult decode(std::span<const std::byte> input, Frame& out) const;

private:
    DecoderLimits limits_;
};

// Appends one frame. Preconditions (decoded frames always meet them): shortstr fields and
// field names fit 255 octets, longstr and tables 2^32 - 1, a ContentHeader has class_id 60.
// The frame is not checked against any frame_max; use the content encoders below for bodies.
void encode(const Frame& frame, ByteWriter& out);

// Appends one method frame without building a MethodFrame.
void encode_method(std::uint16_t channel, const Method& method, ByteWriter& out);

// The hot path: a content-carrying method, its content header and its body frames, written
// straight from the caller's data with the body split into frames of at most frame_max - 8
// octets (frame_max 0: one body frame). An empty body gets no body frame.
void encode_deliver(std::uint16_t channel, const BasicDeliver& deliver,
                    const BasicProperties& props, std::string_view body, std::uint32_t frame_max,
                    ByteWriter& out);
void encode_get_ok(std::uint16_t channel, const BasicGetOk& get_ok, const BasicProperties& props,
                   std::string_view body, std::uint32_t frame_max, ByteWriter& out);
void encode_return(std::uint16_t channel, const BasicReturn& ret, const BasicProperties& props,
                   std::string_view body, std::uint32_t frame_max, ByteWriter& out);
// The client side of the same (the bridge, the simulator and the tests publish with it).
void encode_publish(std::uint16_t channel, const BasicPublish& publish,
                    const BasicProperties& props, std::string_view body, std::uint32_t frame_max,
                    ByteWriter& out);

}  // namespace sy::amqp

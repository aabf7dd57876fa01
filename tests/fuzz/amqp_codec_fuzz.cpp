// AMQP codec fuzz target: read an optional protocol header, then decode frame after frame with
// the default limits, with no frame limit, and with tight limits. For every Complete frame,
// check that each proper prefix asks for more, that encode gives back exactly as many octets,
// that decoding those gives the same frame, and that encoding is stable. Body frames also
// drive encode_deliver with a small frame_max, whose output must decode into a delivery with
// the same body. Any disagreement aborts.

#include "protocols/amqp/codec/codec.hpp"
#include "protocols/common/byte_writer.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <variant>

namespace {

using sy::amqp::Decoder;
using sy::amqp::DecodeResult;
using sy::amqp::DecoderLimits;
using sy::amqp::DecodeStatus;
using sy::amqp::Frame;

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "amqp_codec_fuzz: %s\n", what);
    std::abort();
}

void check_round_trip(const Frame& frame, std::span<const std::byte> original,
                      const DecoderLimits& limits) {
    sy::ByteWriter first;
    sy::amqp::encode(frame, first);
    // Every AMQP field has one wire form of one size, so a decoded frame re-encodes to exactly
    // its own length (the octets may differ: a 't' of 2 comes back as 1, unused bits as 0).
    if (first.size() != original.size()) {
        fail("re-encoding has a different length");
    }
    Frame again;
    const DecodeResult r = Decoder(limits).decode(first.view(), again);
    if (r.status != DecodeStatus::Complete) {
        fail(r.error != nullptr ? r.error : "re-decode not complete");
    }
    if (r.consumed != first.size()) {
        fail("re-decode consumed a different length");
    }
    if (!(again == frame)) {
        fail("decode(encode(F)) != F");
    }
    sy::ByteWriter second;
    sy::amqp::encode(again, second);
    if (second.buffer() != first.buffer()) {
        fail("encoding is not stable");
    }
}

// Sends the body as a delivery split at frame_max - 8 and reads it back.
void check_split_delivery(const std::string& body, std::uint32_t frame_max) {
    const sy::amqp::BasicDeliver deliver{"ctag", 7, true, "amq.topic", "a.b"};
    sy::amqp::BasicProperties props;
    props.delivery_mode = 2;
    sy::ByteWriter out;
    sy::amqp::encode_deliver(1, deliver, props, body, frame_max, out);
    const Decoder decoder(DecoderLimits{frame_max, 16, 8192});
    std::span<const std::byte> rest = out.view();
    std::string joined;
    for (int index = 0; !rest.empty(); ++index) {
        Frame f;
        const DecodeResult r = decoder.decode(rest, f);
        if (r.status != DecodeStatus::Complete) {
            fail("encode_deliver wrote a frame that does not decode within frame_max");
        }
        if (index == 0 && !(f == Frame(sy::amqp::MethodFrame{1, deliver}))) {
            fail("encode_deliver: wrong method frame");
        }
        if (index == 1 && !(f == Frame(sy::amqp::ContentHeader{1, 60, body.size(), props}))) {
            fail("encode_deliver: wrong content header");
        }
        if (index >= 2) {
            const auto* piece = std::get_if<sy::amqp::ContentBody>(&f);
            if (piece == nullptr || piece->payload.empty()) {
                fail("encode_deliver: expected a non-empty body frame");
            }
            joined += piece->payload;
        }
        rest = rest.subspan(r.consumed);
    }
    if (joined != body) {
        fail("encode_deliver: body frames do not add up to the body");
    }
}

// Frames after an optional protocol header.
std::span<const std::byte> after_header(std::span<const std::byte> input) {
    const sy::amqp::HeaderResult h = sy::amqp::read_protocol_header(input);
    if (h.status == sy::amqp::HeaderStatus::Supported) {
        if (h.consumed != sy::amqp::kProtocolHeaderSize ||
            h.received != sy::amqp::kSupportedProtocol) {
            fail("supported header misreported");
        }
        return input.subspan(h.consumed);
    }
    if (h.status == sy::amqp::HeaderStatus::Unsupported &&
        h.received == sy::amqp::kSupportedProtocol) {
        fail("our own version reported as unsupported");
    }
    return input;
}

void run(const Decoder& decoder, std::span<const std::byte> input) {
    while (!input.empty()) {
        Frame frame;
        const DecodeResult r = decoder.decode(input, frame);
        if (r.status == DecodeStatus::NeedMore) {
            return;
        }
        if (r.status != DecodeStatus::Complete) {
            if (r.error == nullptr || r.reply_code < 500 || r.consumed != 0) {
                fail("error without a reason, a reply code, or with octets consumed");
            }
            return;
        }
        if (r.consumed < sy::amqp::kFrameOverhead || r.consumed > input.size()) {
            fail("bad consumed count");
        }
        Frame ignored;
        if (decoder.decode(input.first(r.consumed - 1), ignored).status != DecodeStatus::NeedMore) {
            fail("prefix of a complete frame was not NeedMore");
        }
        check_round_trip(frame, input.first(r.consumed), decoder.limits());
        if (const auto* body = std::get_if<sy::amqp::ContentBody>(&frame)) {
            check_split_delivery(body->payload, 40 + static_cast<std::uint32_t>(r.consumed % 64));
        }
        input = input.subspan(r.consumed);
    }
}

}  // namespace

// UBSan findings should stop the run like any other crash. The name is the sanitizer's hook.
extern "C" const char* __ubsan_default_options() {  // NOLINT(bugprone-reserved-identifier)
    return "halt_on_error=1:print_stacktrace=1";
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::byte> input(reinterpret_cast<const std::byte*>(data), size);
    const auto frames = after_header(input);
    run(Decoder{}, frames);
    run(Decoder(DecoderLimits{0, 16, 8192}), frames);
    // Small limits exercise TooLarge and the table limits on the same inputs.
    run(Decoder(DecoderLimits{256, 2, 8}), frames);
    return 0;
}

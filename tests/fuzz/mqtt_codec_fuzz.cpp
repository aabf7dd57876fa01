// MQTT codec fuzz target: decode packet after packet from the input with a fresh server
// decoder and with decoders preset to 3.1.1 and 5, and for every Complete packet check that
// encode then decode gives the same packet back, byte-stably. Any disagreement aborts.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <variant>

#include "protocols/common/byte_writer.hpp"
#include "protocols/mqtt/codec/codec.hpp"

namespace {

using sy::mqtt::DecodeResult;
using sy::mqtt::DecodeStatus;
using sy::mqtt::Decoder;
using sy::mqtt::Packet;
using sy::mqtt::ProtocolVersion;

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "mqtt_codec_fuzz: %s\n", what);
    std::abort();
}

void check_round_trip(const Packet& packet, ProtocolVersion version) {
    sy::ByteWriter first;
    sy::mqtt::encode(packet, version, first);
    // A CONNECT sets the version itself, so it is read back by a fresh server decoder.
    Decoder decoder;
    if (!std::holds_alternative<sy::mqtt::Connect>(packet)) {
        decoder.set_version(version);
    }
    Packet again;
    const DecodeResult r = decoder.decode(first.view(), again);
    if (r.status != DecodeStatus::Complete) {
        fail(r.error != nullptr ? r.error : "re-decode not complete");
    }
    if (r.consumed != first.size()) {
        fail("re-decode consumed a different length");
    }
    if (!(again == packet)) {
        fail("decode(encode(P)) != P");
    }
    sy::ByteWriter second;
    sy::mqtt::encode(again, version, second);
    if (second.buffer() != first.buffer()) {
        fail("encoding is not stable");
    }
}

void run(Decoder decoder, std::span<const std::byte> input) {
    while (!input.empty()) {
        Packet packet;
        const DecodeResult r = decoder.decode(input, packet);
        if (r.status != DecodeStatus::Complete) {
            if (r.status != DecodeStatus::NeedMore && r.error == nullptr) {
                fail("error without a reason");
            }
            return;
        }
        if (r.consumed == 0 || r.consumed > input.size()) {
            fail("bad consumed count");
        }
        // Every proper prefix of a complete packet must ask for more.
        Decoder probe;
        probe.set_version(decoder.version());
        Packet ignored;
        if (probe.decode(input.first(r.consumed - 1), ignored).status != DecodeStatus::NeedMore) {
            fail("prefix of a complete packet was not NeedMore");
        }
        check_round_trip(packet, decoder.version());
        input = input.subspan(r.consumed);
    }
}

Decoder preset(ProtocolVersion v, sy::mqtt::DecoderLimits limits = {}) {
    Decoder d(limits);
    d.set_version(v);
    return d;
}

}  // namespace

// UBSan findings should stop the run like any other crash. The name is the sanitizer's hook.
extern "C" const char* __ubsan_default_options() {  // NOLINT(bugprone-reserved-identifier)
    return "halt_on_error=1:print_stacktrace=1";
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::byte> input(reinterpret_cast<const std::byte*>(data), size);
    run(Decoder{}, input);
    run(preset(ProtocolVersion::V311), input);
    run(preset(ProtocolVersion::V5), input);
    // A small limit exercises TooLarge on the same inputs.
    run(preset(ProtocolVersion::V5, {64}), input);
    return 0;
}

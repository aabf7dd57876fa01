// STOMP codec fuzz target: decode frame after frame from the input with decoders set to each
// version (and one with small limits); for every Complete frame check that every proper
// prefix asks for more, and that encode then decode gives the same frame back, byte-stably.
// The same input fed in small reads must give the same frames and the same error as fed
// whole (the decoder resumes inside a frame). Any disagreement aborts.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "protocols/common/byte_writer.hpp"
#include "protocols/stomp/codec/codec.hpp"

namespace {

using sy::stomp::DecodeResult;
using sy::stomp::DecodeStatus;
using sy::stomp::Decoder;
using sy::stomp::DecoderLimits;
using sy::stomp::Frame;
using sy::stomp::Version;

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "stomp_codec_fuzz: %s\n", what);
    std::abort();
}

Decoder make(Version v, DecoderLimits limits = {}) {
    Decoder d(limits);
    d.set_version(v);
    return d;
}

void check_round_trip(const Frame& frame, Version v) {
    for (const auto& [name, value] : frame.headers) {
        if (!sy::stomp::encodable(name, value, frame.command, v)) fail("decoded header not encodable");
    }
    sy::ByteWriter first;
    sy::stomp::encode(frame, v, first);
    Decoder d = make(v);
    Frame again;
    const DecodeResult r = d.decode(first.view(), again);
    if (r.status != DecodeStatus::Complete) fail(sy::stomp::message(r.error));
    if (r.consumed != first.size()) fail("re-decode consumed a different length");
    if (!(again == frame)) fail("decode(encode(F)) != F");
    sy::ByteWriter second;
    sy::stomp::encode(again, v, second);
    if (second.buffer() != first.buffer()) fail("encoding is not stable");
}

struct Outcome {
    std::vector<Frame> frames;
    DecodeStatus last = DecodeStatus::NeedMore;
};

// Feeds input in reads of `chunk` bytes (0: all at once), keeping an incomplete frame as a
// connection does.
Outcome read(Decoder d, std::span<const std::byte> input, std::size_t chunk, bool check) {
    Outcome out;
    std::vector<std::byte> buffer;
    std::size_t fed = 0;
    while (fed < input.size()) {
        const std::size_t n = chunk == 0 ? input.size() : std::min(chunk, input.size() - fed);
        buffer.insert(buffer.end(), input.begin() + static_cast<std::ptrdiff_t>(fed),
                      input.begin() + static_cast<std::ptrdiff_t>(fed + n));
        fed += n;
        while (!buffer.empty()) {
            Frame f;
            const DecodeResult r = d.decode(buffer, f);
            out.last = r.status;
            if (r.status == DecodeStatus::NeedMore) break;
            if (r.status != DecodeStatus::Complete && r.status != DecodeStatus::Heartbeat) {
                if (r.consumed != 0) fail("error with bytes consumed");
                return out;
            }
            if (r.consumed == 0 || r.consumed > buffer.size()) fail("bad consumed count");
            if (r.status == DecodeStatus::Complete) {
                if (check) {
                    Decoder probe = make(d.version());
                    for (std::size_t cut = 1; cut < r.consumed; cut += 1 + cut / 8) {
                        Frame ignored;
                        const auto s = std::span<const std::byte>(buffer).first(cut);
                        if (probe.decode(s, ignored).status != DecodeStatus::NeedMore) {
                            fail("prefix of a complete frame was not NeedMore");
                        }
                        probe.reset();
                    }
                    check_round_trip(f, d.version());
                }
                out.frames.push_back(std::move(f));
            }
            buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(r.consumed));
        }
    }
    return out;
}

void run(Version v, std::span<const std::byte> input, DecoderLimits limits = {}) {
    const Outcome whole = read(make(v, limits), input, 0, true);
    const Outcome pieces = read(make(v, limits), input, 7, false);
    if (whole.frames != pieces.frames) fail("frames differ between whole and chunked input");
    if (whole.last != pieces.last) fail("outcome differs between whole and chunked input");
}

}  // namespace

// UBSan findings should stop the run like any other crash. The name is the sanitizer's hook.
extern "C" const char* __ubsan_default_options() {  // NOLINT(bugprone-reserved-identifier)
    return "halt_on_error=1:print_stacktrace=1";
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::byte> input(reinterpret_cast<const std::byte*>(data), size);
    run(Version::V1_0, input);
    run(Version::V1_1, input);
    run(Version::V1_2, input);
    // Small limits exercise every TooLarge path on the same inputs.
    run(Version::V1_2, input, DecoderLimits{96, 4, 24});
    return 0;
}

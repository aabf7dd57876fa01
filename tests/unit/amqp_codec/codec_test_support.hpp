#pragma once
// Helpers shared by the AMQP codec tests: hex vectors, one-shot decoding, and a streaming
// driver that feeds bytes in arbitrary chunks the way a transport would.

#include <cctype>
#include <cstddef>
#include <initializer_list>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocols/amqp/codec/codec.hpp"
#include "protocols/common/byte_writer.hpp"
#include "tests/unit/common/stream_driver.hpp"

namespace sy::amqp {

// gtest prints a Frame through this: its kind (and method name) and its encoding.
inline void PrintTo(const Frame& f, std::ostream* os) {
    if (const auto* m = std::get_if<MethodFrame>(&f)) {
        *os << "MethodFrame(" << method_name(m->method) << ")";
    } else if (std::holds_alternative<ContentHeader>(f)) {
        *os << "ContentHeader";
    } else if (std::holds_alternative<ContentBody>(f)) {
        *os << "ContentBody";
    } else {
        *os << "Heartbeat";
    }
    ByteWriter w;
    encode(f, w);
    static constexpr char kDigits[] = "0123456789abcdef";
    *os << " [";
    for (std::byte b : w.view()) {
        const auto v = std::to_integer<unsigned>(b);
        *os << kDigits[v >> 4] << kDigits[v & 0x0F];
    }
    *os << "]";
}

inline void PrintTo(const FieldValue& v, std::ostream* os) {
    ByteWriter w;
    encode_field_table(FieldTable{{"v", v}}, w);
    *os << "FieldValue('" << type_letter(v) << "', " << w.size() << " octets in a table)";
}

namespace test {

using Bytes = std::vector<std::byte>;

// "01 00 0a" -> bytes; whitespace is ignored.
inline Bytes hex(std::string_view text) {
    Bytes out;
    int high = -1;
    for (char c : text) {
        if (std::isspace(static_cast<unsigned char>(c)) != 0) {
            continue;
        }
        const int v = std::isdigit(static_cast<unsigned char>(c)) != 0
                          ? c - '0'
                          : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
        if (high < 0) {
            high = v;
        } else {
            out.push_back(static_cast<std::byte>(high * 16 + v));
            high = -1;
        }
    }
    return out;
}

inline Bytes bytes_of(std::string_view s) {
    const auto* p = reinterpret_cast<const std::byte*>(s.data());
    return {p, p + s.size()};
}

inline Bytes concat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const auto& p : parts) {
        out.insert(out.end(), p.begin(), p.end());
    }
    return out;
}

inline Bytes encoded(const Frame& f) {
    ByteWriter w;
    encode(f, w);
    return {w.view().begin(), w.view().end()};
}

inline Bytes encoded(const std::vector<Frame>& frames) {
    ByteWriter w;
    for (const auto& f : frames) {
        encode(f, w);
    }
    return {w.view().begin(), w.view().end()};
}

inline Frame method_frame(std::uint16_t channel, Method m) {
    return MethodFrame{channel, std::move(m)};
}

struct OneShot {
    DecodeResult result;
    Frame frame;
};

inline OneShot decode_one(std::span<const std::byte> bytes, DecoderLimits limits = {}) {
    const Decoder d(limits);
    OneShot r;
    r.result = d.decode(bytes, r.frame);
    return r;
}

// Buffers what arrives and decodes every complete frame, as a session's read loop would.
class StreamDriver : public sy::test::StreamDriverOf<Decoder, Frame, DecodeResult, DecodeStatus> {
public:
    explicit StreamDriver(DecoderLimits limits = {}) : StreamDriverOf(Decoder(limits)) {}
    const std::vector<Frame>& frames() const { return units(); }
};

// Decodes every frame of bytes in one go; fails the test on anything but Complete.
inline std::vector<Frame> decode_all(std::span<const std::byte> bytes, DecoderLimits limits = {}) {
    StreamDriver driver(limits);
    const bool ok = driver.feed(bytes);
    if (!ok || driver.buffered() != 0) {
        return {};
    }
    return driver.frames();
}

}  // namespace test
}  // namespace sy::amqp

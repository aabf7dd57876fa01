#pragma once
// Helpers shared by the MQTT codec tests: hex vectors, one-shot decoding, and a streaming
// driver that feeds bytes in arbitrary chunks the way a transport would.

#include <cctype>
#include <cstddef>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocols/common/byte_writer.hpp"
#include "tests/unit/common/stream_driver.hpp"
#include "protocols/mqtt/codec/codec.hpp"

namespace sy::mqtt {

// gtest prints a Packet through this: its type and its v5 encoding, which shows every field.
inline void PrintTo(const Packet& p, std::ostream* os) {
    static constexpr const char* kNames[] = {"Connect",  "Connack",     "Publish",  "PubAckLike",
                                             "Subscribe", "Suback",     "Unsubscribe",
                                             "Unsuback", "Pingreq",     "Pingresp", "Disconnect",
                                             "Auth"};
    ByteWriter w;
    encode(p, ProtocolVersion::V5, w);
    *os << kNames[p.index()] << " [";
    static constexpr char kDigits[] = "0123456789abcdef";
    for (std::byte b : w.view()) {
        const auto v = std::to_integer<unsigned>(b);
        *os << kDigits[v >> 4] << kDigits[v & 0x0F];
    }
    *os << "]";
}

namespace test {

using Bytes = std::vector<std::byte>;

// "10 0f 00 04" -> bytes; whitespace is ignored.
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

inline Bytes concat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const auto& p : parts) {
        out.insert(out.end(), p.begin(), p.end());
    }
    return out;
}

inline Bytes encoded(const Packet& p, ProtocolVersion v) {
    ByteWriter w;
    encode(p, v, w);
    return {w.view().begin(), w.view().end()};
}

// nullopt: a fresh server decoder that has not seen CONNECT.
inline Decoder make_decoder(std::optional<ProtocolVersion> v, DecoderLimits limits = {}) {
    Decoder d(limits);
    if (v) {
        d.set_version(*v);
    }
    return d;
}

struct OneShot {
    DecodeResult result;
    Packet packet;
};

inline OneShot decode_one(std::span<const std::byte> bytes, std::optional<ProtocolVersion> v,
                          DecoderLimits limits = {}) {
    Decoder d = make_decoder(v, limits);
    OneShot r;
    r.result = d.decode(bytes, r.packet);
    return r;
}

// Buffers what arrives and decodes every complete packet, as a session's read loop would.
class StreamDriver : public sy::test::StreamDriverOf<Decoder, Packet, DecodeResult, DecodeStatus> {
public:
    using StreamDriverOf::StreamDriverOf;
    const std::vector<Packet>& packets() const { return units(); }
};

}  // namespace test
}  // namespace sy::mqtt

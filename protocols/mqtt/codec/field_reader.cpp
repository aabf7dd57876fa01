#include "protocols/mqtt/codec/field_reader.hpp"

#include <string_view>

#include "protocols/common/utf8.hpp"
#include "protocols/common/varint.hpp"

namespace sy::mqtt::detail {

namespace {

constexpr const char* kTruncated = "packet ends inside a field";

void assign(std::string& s, std::span<const std::byte> bytes) {
    s.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

}  // namespace

Fault FieldReader::u8(std::uint8_t& v) {
    return in_.u8(v) ? Fault{} : malformed(kTruncated);
}

Fault FieldReader::u16(std::uint16_t& v) {
    return in_.u16(v) ? Fault{} : malformed(kTruncated);
}

Fault FieldReader::u32(std::uint32_t& v) {
    return in_.u32(v) ? Fault{} : malformed(kTruncated);
}

Fault FieldReader::varint(std::uint32_t& v) {
    // Inside a complete packet there is nothing more to wait for, so a varint that runs off
    // the end is as malformed as one with five bytes.
    const VarintRead r = read_varint(in_.peek());
    if (r.status != VarintStatus::Ok) {
        return malformed("bad variable byte integer");
    }
    v = r.value;
    (void)in_.skip(r.length);
    return {};
}

Fault FieldReader::packet_id(std::uint16_t& v) {
    if (Fault f = u16(v)) {
        return f;
    }
    return v != 0 ? Fault{} : malformed("packet identifier 0 [MQTT-2.3.1-1]");
}

Fault FieldReader::binary(std::string& v) {
    std::uint16_t len = 0;
    std::span<const std::byte> bytes;
    if (!in_.u16(len) || !in_.take(len, bytes)) {
        return malformed(kTruncated);
    }
    assign(v, bytes);
    return {};
}

Fault FieldReader::utf8(std::string& v) {
    if (Fault f = binary(v)) {
        return f;
    }
    if (!is_valid_utf8(v)) {
        return malformed("ill-formed UTF-8 string [MQTT-1.5.3-1]");
    }
    if (v.find('\0') != std::string::npos) {
        return malformed("U+0000 in a UTF-8 string [MQTT-1.5.3-2]");
    }
    return {};
}

void FieldReader::rest(std::string& v) { assign(v, in_.take_rest()); }

Fault FieldReader::split(std::size_t n, FieldReader& out) {
    std::span<const std::byte> bytes;
    if (!in_.take(n, bytes)) {
        return malformed("length runs past the end of the packet");
    }
    out = FieldReader(bytes);
    return {};
}

}  // namespace sy::mqtt::detail

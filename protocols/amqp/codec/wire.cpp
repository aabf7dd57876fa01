// AMQP domain readers and writers shared by the method, content-header and table code.

#include "protocols/amqp/codec/wire.hpp"

#include <cassert>
#include <cstdint>
#include <limits>

namespace sy::amqp::detail {

Fault WireReader::u8(std::uint8_t& v) {
    return in_.u8(v) ? Fault{} : short_fault_("octet past the end of the frame");
}

Fault WireReader::u16(std::uint16_t& v) {
    return in_.u16(v) ? Fault{} : short_fault_("short past the end of the frame");
}

Fault WireReader::u32(std::uint32_t& v) {
    return in_.u32(v) ? Fault{} : short_fault_("long past the end of the frame");
}

Fault WireReader::u64(std::uint64_t& v) {
    std::uint32_t high = 0;
    std::uint32_t low = 0;
    if (remaining() < 8 || !in_.u32(high) || !in_.u32(low)) {
        return short_fault_("longlong past the end of the frame");
    }
    v = (std::uint64_t{high} << 32) | low;
    return {};
}

Fault WireReader::shortstr(std::string& v) {
    std::uint8_t length = 0;
    std::span<const std::byte> text;
    if (!in_.u8(length) || !in_.take(length, text)) {
        return short_fault_("shortstr longer than the frame");
    }
    v.assign(reinterpret_cast<const char*>(text.data()), text.size());
    return {};
}

Fault WireReader::longstr(std::string& v) {
    std::uint32_t length = 0;
    std::span<const std::byte> text;
    // The length is unsigned: 0x80000000 and up are just longer than any frame.
    if (!in_.u32(length) || !in_.take(length, text)) {
        return short_fault_("longstr longer than the frame");
    }
    v.assign(reinterpret_cast<const char*>(text.data()), text.size());
    return {};
}

Fault WireReader::split(std::uint32_t n, const char* what, WireReader& out) {
    std::span<const std::byte> body;
    if (!in_.take(n, body)) {
        return short_fault_(what);
    }
    // Inside a table or array a missing octet breaks the table's own grammar.
    out = WireReader(body, syntax_error);
    return {};
}

void write_shortstr(ByteWriter& out, std::string_view s) {
    assert(s.size() <= std::numeric_limits<std::uint8_t>::max());
    out.u8(static_cast<std::uint8_t>(s.size()));
    out.bytes(s);
}

void write_longstr(ByteWriter& out, std::string_view s) {
    assert(s.size() <= std::numeric_limits<std::uint32_t>::max());
    out.u32(static_cast<std::uint32_t>(s.size()));
    out.bytes(s);
}

std::size_t begin_frame(ByteWriter& out, FrameType type, std::uint16_t channel) {
    out.u8(static_cast<std::uint8_t>(type));
    out.u16(channel);
    const std::size_t size_at = out.size();
    out.u32(0);
    return size_at;
}

void end_frame(ByteWriter& out, std::size_t size_at) {
    const std::size_t size = out.size() - size_at - 4;
    assert(size <= std::numeric_limits<std::uint32_t>::max());
    out.patch_u32(size_at, static_cast<std::uint32_t>(size));
    out.u8(kFrameEnd);
}

}  // namespace sy::amqp::detail

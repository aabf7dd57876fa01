#pragma once
// Private to the codec: the AMQP domain readers and writers (octet, short, long, longlong,
// shortstr, longstr, table) and the Fault every decode step returns. A Fault converts to true
// when something is wrong, so steps chain as `if (Fault f = step()) return f;`.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "protocols/amqp/codec/codec.hpp"
#include "protocols/amqp/codec/field_table.hpp"
#include "protocols/common/byte_reader.hpp"
#include "protocols/common/byte_writer.hpp"

namespace sy::amqp::detail {

struct [[nodiscard]] Fault {
    const char* what = nullptr;
    std::uint16_t reply_code = 0;
    DecodeStatus status = DecodeStatus::Complete;

    explicit operator bool() const { return what != nullptr; }
};

inline Fault frame_error(const char* what) {
    return {what, reply::kFrameError, DecodeStatus::Malformed};
}
inline Fault syntax_error(const char* what) {
    return {what, reply::kSyntaxError, DecodeStatus::Malformed};
}
inline Fault unexpected_frame(const char* what) {
    return {what, reply::kUnexpectedFrame, DecodeStatus::Malformed};
}
inline Fault not_implemented(const char* what) {
    return {what, reply::kNotImplemented, DecodeStatus::Unsupported};
}
// A configured limit on field tables, not a grammar error.
inline Fault table_limit(const char* what) {
    return {what, reply::kResourceError, DecodeStatus::TooLarge};
}

// What one frame may still spend on field tables (DecoderLimits).
struct TableBudget {
    std::uint32_t max_depth = 0;
    std::uint32_t fields_left = 0;
};

// Reads AMQP domains from one frame's payload. Running out of payload is reported with the
// fault the caller chose: a syntax error inside method arguments, a frame error inside a
// content header.
class WireReader {
public:
    WireReader(std::span<const std::byte> payload, Fault (*short_fault)(const char*))
        : in_(payload), short_fault_(short_fault) {}

    bool empty() const { return in_.empty(); }
    std::size_t remaining() const { return in_.remaining(); }

    Fault u8(std::uint8_t& v);
    Fault u16(std::uint16_t& v);
    Fault u32(std::uint32_t& v);
    Fault u64(std::uint64_t& v);
    Fault shortstr(std::string& v);  // 1-octet length, octets taken as they are
    Fault longstr(std::string& v);   // 4-octet length
    // A field table at nesting level depth (1 for a method argument or the headers property).
    Fault table(FieldTable& v, TableBudget& budget, std::uint32_t depth = 1);

private:
    Fault array(FieldArray& v, TableBudget& budget, std::uint32_t depth);
    Fault value(FieldValue& v, TableBudget& budget, std::uint32_t depth);
    // Splits off the next n octets, announced by a length field, as their own reader.
    Fault split(std::uint32_t n, const char* what, WireReader& out);

    ByteReader in_;
    Fault (*short_fault_)(const char*);
};

void write_shortstr(ByteWriter& out, std::string_view s);
void write_longstr(ByteWriter& out, std::string_view s);
void write_table(ByteWriter& out, const FieldTable& table);

// Starts a frame and returns where its payload-size field is, for end_frame.
std::size_t begin_frame(ByteWriter& out, FrameType type, std::uint16_t channel);
// Patches the payload size and appends the frame-end octet.
void end_frame(ByteWriter& out, std::size_t size_at);

}  // namespace sy::amqp::detail

#pragma once
// Field tables and field arrays (spec section 4.2.5.5) with the type letters RabbitMQ and its
// clients actually use (RabbitMQ's 0-9-1 errata, "Field types"): 's' is a signed 16-bit int,
// not a short string, 'l' is a signed 64-bit int, 'x' is a byte array, and the spec's 'U',
// 'L' and short string do not exist. A table keeps its entries in wire order, duplicates
// included, so re-encoding a decoded table gives the same bytes.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocols/common/byte_writer.hpp"

namespace sy::amqp {

struct FieldValue;
struct FieldEntry;

using FieldArray = std::vector<FieldValue>;  // 'A'
using FieldTable = std::vector<FieldEntry>;  // 'F', and every table-typed method argument

// 'D': value / 10^scale. RabbitMQ reads the value as unsigned; it is kept as the raw octets.
struct Decimal {
    std::uint8_t scale = 0;
    std::uint32_t value = 0;
    bool operator==(const Decimal&) const = default;
};

// 'T': seconds since the epoch, 64-bit unsigned.
struct Timestamp {
    std::uint64_t seconds = 0;
    bool operator==(const Timestamp&) const = default;
};

// 'x': opaque bytes, kept apart from the long string 'S' so the letter survives a round trip.
struct ByteArray {
    std::string bytes;
    bool operator==(const ByteArray&) const = default;
};

// Alternatives in type-letter order: V t b B s u I i l f d D S x T A F.
using FieldVariant =
    std::variant<std::monostate,  // 'V' void
                 bool,            // 't'
                 std::int8_t,     // 'b'
                 std::uint8_t,    // 'B'
                 std::int16_t,    // 's'
                 std::uint16_t,   // 'u'
                 std::int32_t,    // 'I'
                 std::uint32_t,   // 'i'
                 std::int64_t,    // 'l'
                 float,           // 'f'
                 double,          // 'd'
                 Decimal,         // 'D'
                 std::string,     // 'S' long string (bytes, not checked as UTF-8)
                 ByteArray,       // 'x'
                 Timestamp,       // 'T'
                 FieldArray,      // 'A'
                 FieldTable>;     // 'F'

// A variant that can hold itself (through FieldArray and FieldTable). std::get, get_if,
// holds_alternative and visit work on it as on the variant.
struct FieldValue : FieldVariant {
    using FieldVariant::FieldVariant;
    using FieldVariant::operator=;

    // Floats and doubles compare by bit pattern, so a NaN equals itself and -0.0 differs from
    // 0.0: "decode(encode(F)) == F" must hold for every value the wire can carry.
    friend bool operator==(const FieldValue& a, const FieldValue& b);
};

struct FieldEntry {
    std::string name;  // shortstr: at most 255 octets
    FieldValue value;
    bool operator==(const FieldEntry&) const = default;
};

// The wire letter of the value's type ('V', 't', 'b', ...).
char type_letter(const FieldValue& value);

// The first entry called name, or nullptr.
const FieldValue* find_field(const FieldTable& table, std::string_view name);

// Appends the table as the wire's "field-table" (4-octet length, then the entries). Names must
// fit 255 octets and strings 2^32 - 1.
void encode_field_table(const FieldTable& table, ByteWriter& out);

// One field value as it appears inside a table: its type letter, then the value. Sessions keep
// values other protocols cannot express in this form.
void encode_field_value(const FieldValue& value, ByteWriter& out);
// Reads exactly one value written by encode_field_value, within the decoder's default table
// limits. False if the bytes are not one well-formed value.
bool decode_field_value(std::span<const std::byte> bytes, FieldValue& out);

}  // namespace sy::amqp

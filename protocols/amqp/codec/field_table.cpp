// Field tables and arrays: comparison, type letters, and the wire form (section 4.2.5.5 with
// RabbitMQ's type letters).

#include "protocols/amqp/codec/field_table.hpp"

#include <bit>
#include <cassert>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "protocols/amqp/codec/wire.hpp"

namespace sy::amqp {

namespace {

// Indexed by FieldVariant alternative.
constexpr char kLetters[] = "VtbBsuIilfdDSxTAF";
static_assert(sizeof(kLetters) - 1 == std::variant_size_v<FieldVariant>);

}  // namespace

bool operator==(const FieldValue& a, const FieldValue& b) {
    if (a.index() != b.index()) {
        return false;
    }
    if (const auto* f = std::get_if<float>(&a)) {
        return std::bit_cast<std::uint32_t>(*f) == std::bit_cast<std::uint32_t>(std::get<float>(b));
    }
    if (const auto* d = std::get_if<double>(&a)) {
        return std::bit_cast<std::uint64_t>(*d) ==
               std::bit_cast<std::uint64_t>(std::get<double>(b));
    }
    return static_cast<const FieldVariant&>(a) == static_cast<const FieldVariant&>(b);
}

char type_letter(const FieldValue& value) { return kLetters[value.index()]; }

const FieldValue* find_field(const FieldTable& table, std::string_view name) {
    for (const auto& entry : table) {
        if (entry.name == name) {
            return &entry.value;
        }
    }
    return nullptr;
}

void encode_field_table(const FieldTable& table, ByteWriter& out) {
    detail::write_table(out, table);
}

namespace detail {

namespace {

void write_value(ByteWriter& out, const FieldValue& value);

// A 4-octet length, then whatever write appends; the length is patched afterwards.
template <class Write>
void write_sized(ByteWriter& out, Write write) {
    const std::size_t at = out.size();
    out.u32(0);
    write();
    const std::size_t size = out.size() - at - 4;
    assert(size <= std::numeric_limits<std::uint32_t>::max());
    out.patch_u32(at, static_cast<std::uint32_t>(size));
}

template <class T>
void write_scalar(ByteWriter& out, const T& v) {
    if constexpr (std::is_same_v<T, std::monostate>) {
        // 'V' has no value octets.
    } else if constexpr (std::is_same_v<T, bool>) {
        out.u8(v ? 1 : 0);
    } else if constexpr (std::is_integral_v<T> && sizeof(T) == 1) {
        out.u8(static_cast<std::uint8_t>(v));
    } else if constexpr (std::is_integral_v<T> && sizeof(T) == 2) {
        out.u16(static_cast<std::uint16_t>(v));
    } else if constexpr (std::is_integral_v<T> && sizeof(T) == 4) {
        out.u32(static_cast<std::uint32_t>(v));
    } else if constexpr (std::is_integral_v<T> && sizeof(T) == 8) {
        out.u64(static_cast<std::uint64_t>(v));
    } else if constexpr (std::is_same_v<T, float>) {
        out.u32(std::bit_cast<std::uint32_t>(v));
    } else if constexpr (std::is_same_v<T, double>) {
        out.u64(std::bit_cast<std::uint64_t>(v));
    } else if constexpr (std::is_same_v<T, Decimal>) {
        out.u8(v.scale);
        out.u32(v.value);
    } else if constexpr (std::is_same_v<T, std::string>) {
        write_longstr(out, v);
    } else if constexpr (std::is_same_v<T, ByteArray>) {
        write_longstr(out, v.bytes);
    } else if constexpr (std::is_same_v<T, Timestamp>) {
        out.u64(v.seconds);
    } else if constexpr (std::is_same_v<T, FieldArray>) {
        write_sized(out, [&] {
            for (const auto& element : v) {
                write_value(out, element);
            }
        });
    } else {
        static_assert(std::is_same_v<T, FieldTable>);
        write_table(out, v);
    }
}

void write_value(ByteWriter& out, const FieldValue& value) {
    out.u8(static_cast<std::uint8_t>(type_letter(value)));
    std::visit([&](const auto& v) { write_scalar(out, v); },
               static_cast<const FieldVariant&>(value));
}

// Reads a fixed-size integer of the wire and stores it as T (two's complement for signed).
template <class T>
Fault read_integer(WireReader& in, FieldValue& out) {
    using Wire = std::make_unsigned_t<T>;
    Wire raw = 0;
    Fault f;
    if constexpr (sizeof(T) == 1) {
        f = in.u8(raw);
    } else if constexpr (sizeof(T) == 2) {
        f = in.u16(raw);
    } else if constexpr (sizeof(T) == 4) {
        f = in.u32(raw);
    } else {
        static_assert(sizeof(T) == 8);
        f = in.u64(raw);
    }
    if (!f) {
        out.emplace<T>(static_cast<T>(raw));
    }
    return f;
}

}  // namespace

void write_table(ByteWriter& out, const FieldTable& table) {
    write_sized(out, [&] {
        for (const auto& entry : table) {
            write_shortstr(out, entry.name);
            write_value(out, entry.value);
        }
    });
}

Fault WireReader::table(FieldTable& v, TableBudget& budget, std::uint32_t depth) {
    v.clear();
    if (depth > budget.max_depth) {
        return table_limit("field tables nested deeper than the limit");
    }
    std::uint32_t length = 0;
    if (Fault f = u32(length)) {
        return f;
    }
    WireReader body(std::span<const std::byte>{}, syntax_error);
    if (Fault f = split(length, "field table longer than the frame", body)) {
        return f;
    }
    while (!body.empty()) {
        FieldEntry& entry = v.emplace_back();
        if (Fault f = body.shortstr(entry.name)) {
            return f;
        }
        if (Fault f = body.value(entry.value, budget, depth)) {
            return f;
        }
    }
    return {};
}

Fault WireReader::array(FieldArray& v, TableBudget& budget, std::uint32_t depth) {
    if (depth > budget.max_depth) {
        return table_limit("field arrays nested deeper than the limit");
    }
    std::uint32_t length = 0;
    if (Fault f = u32(length)) {
        return f;
    }
    WireReader body(std::span<const std::byte>{}, syntax_error);
    if (Fault f = split(length, "field array longer than its table", body)) {
        return f;
    }
    while (!body.empty()) {
        if (Fault f = body.value(v.emplace_back(), budget, depth)) {
            return f;
        }
    }
    return {};
}

Fault WireReader::value(FieldValue& v, TableBudget& budget, std::uint32_t depth) {
    if (budget.fields_left == 0) {
        return table_limit("more field-table values than the limit");
    }
    --budget.fields_left;
    std::uint8_t letter = 0;
    if (Fault f = u8(letter)) {
        return f;
    }
    switch (letter) {
    case 'V': v.emplace<std::monostate>(); return {};
    case 't': {
        std::uint8_t b = 0;
        Fault f = u8(b);
        v.emplace<bool>(b != 0);  // any non-zero octet is true, as RabbitMQ reads it
        return f;
    }
    case 'b': return read_integer<std::int8_t>(*this, v);
    case 'B': return read_integer<std::uint8_t>(*this, v);
    case 's': return read_integer<std::int16_t>(*this, v);
    case 'u': return read_integer<std::uint16_t>(*this, v);
    case 'I': return read_integer<std::int32_t>(*this, v);
    case 'i': return read_integer<std::uint32_t>(*this, v);
    case 'l': return read_integer<std::int64_t>(*this, v);
    case 'f': {
        std::uint32_t bits = 0;
        Fault f = u32(bits);
        v.emplace<float>(std::bit_cast<float>(bits));
        return f;
    }
    case 'd': {
        std::uint64_t bits = 0;
        Fault f = u64(bits);
        v.emplace<double>(std::bit_cast<double>(bits));
        return f;
    }
    case 'D': {
        auto& d = v.emplace<Decimal>();
        if (Fault f = u8(d.scale)) {
            return f;
        }
        return u32(d.value);
    }
    case 'S': return longstr(v.emplace<std::string>());
    case 'x': return longstr(v.emplace<ByteArray>().bytes);
    case 'T': return u64(v.emplace<Timestamp>().seconds);
    case 'A': return array(v.emplace<FieldArray>(), budget, depth + 1);
    case 'F': return table(v.emplace<FieldTable>(), budget, depth + 1);
    default: return syntax_error("unknown field type in a field table");
    }
}

}  // namespace detail

}  // namespace sy::amqp

namespace sy::amqp {

// Both go through a one-entry table with an empty name: 4 length octets and 1 name-length
// octet precede the value, so the table code stays the only value reader and writer.
void encode_field_value(const FieldValue& value, ByteWriter& out) {
    ByteWriter table;
    detail::write_table(table, FieldTable{FieldEntry{std::string(), value}});
    out.bytes(table.view().subspan(5));
}

bool decode_field_value(std::span<const std::byte> bytes, FieldValue& out) {
    if (bytes.size() > 0xFFFFFFFFu - 1) return false;
    ByteWriter table;
    table.u32(static_cast<std::uint32_t>(bytes.size() + 1));
    table.u8(0);
    table.bytes(bytes);
    const DecoderLimits limits;
    detail::TableBudget budget{limits.max_table_depth, limits.max_table_fields};
    detail::WireReader in(table.view(), detail::syntax_error);
    FieldTable decoded;
    if (in.table(decoded, budget) || !in.empty() || decoded.size() != 1) return false;
    out = std::move(decoded.front().value);
    return true;
}

}  // namespace sy::amqp

#pragma once
// Fills any method with values, walking the codec's own argument lists (method_fields.hpp) so
// that no method and no argument is forgotten: zeros, maximum values, or random ones. Random
// field tables use every type letter and nest.

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <variant>

#include "protocols/amqp/codec/method_fields.hpp"

namespace sy::amqp::test {

inline std::string random_bytes(std::mt19937_64& rng, std::size_t max_len) {
    std::string s(std::uniform_int_distribution<std::size_t>(0, max_len)(rng), '\0');
    for (auto& c : s) {
        c = static_cast<char>(rng() & 0xFF);
    }
    return s;
}

inline FieldTable random_table(std::mt19937_64& rng, int depth);

inline FieldValue random_value(std::mt19937_64& rng, int depth) {
    const auto pick = [&](std::uint64_t n) { return rng() % n; };
    switch (pick(depth > 0 ? 17 : 15)) {
    case 0: return std::monostate{};
    case 1: return pick(2) == 1;
    case 2: return static_cast<std::int8_t>(rng());
    case 3: return static_cast<std::uint8_t>(rng());
    case 4: return static_cast<std::int16_t>(rng());
    case 5: return static_cast<std::uint16_t>(rng());
    case 6: return static_cast<std::int32_t>(rng());
    case 7: return static_cast<std::uint32_t>(rng());
    case 8: return static_cast<std::int64_t>(rng());
    case 9: return std::bit_cast<float>(static_cast<std::uint32_t>(rng()));  // NaNs too
    case 10: return std::bit_cast<double>(rng());
    case 11: return Decimal{static_cast<std::uint8_t>(rng()), static_cast<std::uint32_t>(rng())};
    case 12: return random_bytes(rng, 20);
    case 13: return ByteArray{random_bytes(rng, 20)};
    case 14: return Timestamp{rng()};
    case 15: {
        FieldArray a(pick(4));
        for (auto& e : a) {
            e = random_value(rng, depth - 1);
        }
        return a;
    }
    default: return random_table(rng, depth - 1);
    }
}

inline FieldTable random_table(std::mt19937_64& rng, int depth) {
    FieldTable t(rng() % 5);
    for (auto& e : t) {
        e.name = random_bytes(rng, 12);
        e.value = random_value(rng, depth);
    }
    return t;
}

// An Io for detail::fields() that writes values into a method instead of reading the wire.
class RandomIo {
public:
    explicit RandomIo(std::uint64_t seed) : rng_(seed) {}

    void u8(std::uint8_t& v) { v = static_cast<std::uint8_t>(rng_()); }
    void u16(std::uint16_t& v) { v = static_cast<std::uint16_t>(rng_()); }
    void u32(std::uint32_t& v) { v = static_cast<std::uint32_t>(rng_()); }
    void u64(std::uint64_t& v) { v = rng_(); }
    void shortstr(std::string& v) { v = random_bytes(rng_, 255); }
    void longstr(std::string& v) { v = random_bytes(rng_, 600); }
    void table(FieldTable& v) { v = random_table(rng_, 3); }
    template <class... Bits>
    void bits(Bits&... b) {
        ((b = (rng_() & 1) != 0), ...);
    }

private:
    std::mt19937_64 rng_;
};

// Every argument at its largest: all bits set, 255-octet shortstrs, a table of every type.
class MaxIo {
public:
    void u8(std::uint8_t& v) { v = std::numeric_limits<std::uint8_t>::max(); }
    void u16(std::uint16_t& v) { v = std::numeric_limits<std::uint16_t>::max(); }
    void u32(std::uint32_t& v) { v = std::numeric_limits<std::uint32_t>::max(); }
    void u64(std::uint64_t& v) { v = std::numeric_limits<std::uint64_t>::max(); }
    void shortstr(std::string& v) { v.assign(255, '\xff'); }
    void longstr(std::string& v) { v.assign(70000, 'L'); }
    void table(FieldTable& v) {
        v = {{"V", std::monostate{}},
             {"t", true},
             {"b", std::numeric_limits<std::int8_t>::min()},
             {"B", std::numeric_limits<std::uint8_t>::max()},
             {"s", std::numeric_limits<std::int16_t>::min()},
             {"u", std::numeric_limits<std::uint16_t>::max()},
             {"I", std::numeric_limits<std::int32_t>::min()},
             {"i", std::numeric_limits<std::uint32_t>::max()},
             {"l", std::numeric_limits<std::int64_t>::min()},
             {"f", std::numeric_limits<float>::infinity()},
             {"d", -0.0},
             {"D", Decimal{255, 0xFFFFFFFF}},
             {"S", std::string(300, 'S')},
             {"x", ByteArray{std::string(3, '\0')}},
             {"T", Timestamp{std::numeric_limits<std::uint64_t>::max()}},
             {"A", FieldArray{1, FieldArray{}, FieldTable{}}},
             {"F", FieldTable{{"nested", FieldTable{{"deeper", std::string("x")}}}}},
             {std::string(255, 'n'), false}};
    }
    template <class... Bits>
    void bits(Bits&... b) {
        ((b = true), ...);
    }
};

// A Method holding alternative I, filled by io.
template <class Io>
Method filled_method(std::size_t index, Io& io) {
    Method m;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        static_cast<void>(((index == I && (detail::fields(io, m.emplace<I>()), true)) || ...));
    }(std::make_index_sequence<std::variant_size_v<Method>>{});
    return m;
}

}  // namespace sy::amqp::test

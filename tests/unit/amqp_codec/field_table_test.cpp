// Field tables: every type letter RabbitMQ's clients send, read from hand-written bytes and
// written back; order and duplicates kept; NaN and -0.0 exact; the depth and field-count
// limits; unknown letters and every way a table can run short.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <ostream>
#include <string>

#include "tests/unit/amqp_codec/codec_test_support.hpp"

namespace sy::amqp {
namespace {

using namespace std::string_literals;
using test::Bytes;
using test::concat;
using test::hex;

Bytes u32_bytes(std::uint32_t v) {
    return {std::byte(v >> 24), std::byte(v >> 16), std::byte(v >> 8), std::byte(v)};
}

// "field-table": a 4-octet length, then the entries.
Bytes table_bytes(const Bytes& entries) {
    return concat({u32_bytes(static_cast<std::uint32_t>(entries.size())), entries});
}

// queue.unbind on channel 1 with empty names and the given argument-table bytes, built by hand
// so the decoder is tested against bytes it did not write.
Bytes unbind_with_table(const Bytes& table) {
    const Bytes payload = concat({hex("00 32 00 32 00 00 00 00 00"), table});
    return concat({hex("01 00 01"), u32_bytes(static_cast<std::uint32_t>(payload.size())),
                   payload, hex("ce")});
}

Frame unbind_frame(FieldTable arguments) {
    return MethodFrame{1, QueueUnbind{0, "", "", "", std::move(arguments)}};
}

// One entry named "k" whose type letter and value are value_hex.
Bytes single_entry(std::string_view value_hex) { return concat({hex("01 6b"), hex(value_hex)}); }

struct TypeCase {
    std::string name;
    std::string value_hex;  // type letter then value
    FieldValue expected;
};

// gtest names the case instead of dumping its bytes.
void PrintTo(const TypeCase& c, std::ostream* os) { *os << c.name; }

std::vector<TypeCase> type_cases() {
    return {
        {"Void", "56", std::monostate{}},
        {"BoolTrue", "74 01", true},
        {"BoolFalse", "74 00", false},
        {"Int8", "62 80", std::int8_t{-128}},
        {"UInt8", "42 ff", std::uint8_t{255}},
        {"Int16", "73 ff fe", std::int16_t{-2}},
        {"UInt16", "75 ff fe", std::uint16_t{65534}},
        {"Int32", "49 ff ff ff ff", std::int32_t{-1}},
        {"UInt32", "69 ff ff ff ff", std::uint32_t{0xFFFFFFFF}},
        {"Int64", "6c 80 00 00 00 00 00 00 00", std::numeric_limits<std::int64_t>::min()},
        {"Float", "66 3f c0 00 00", 1.5f},
        {"Double", "64 3f f8 00 00 00 00 00 00", 1.5},
        {"Decimal", "44 02 00 00 30 39", Decimal{2, 12345}},
        {"LongString", "53 00 00 00 03 61 62 63", "abc"s},
        {"LongStringEmpty", "53 00 00 00 00", ""s},
        {"ByteArray", "78 00 00 00 02 00 ff", ByteArray{"\0\xff"s}},
        {"Timestamp", "54 00 00 00 00 65 53 f1 00", Timestamp{1700000000}},
        {"Array", "41 00 00 00 07 49 00 00 00 01 74 01", FieldArray{std::int32_t{1}, true}},
        {"ArrayEmpty", "41 00 00 00 00", FieldArray{}},
        {"NestedTable", "46 00 00 00 03 01 6e 56", FieldTable{{"n", std::monostate{}}}},
    };
}

class FieldType : public ::testing::TestWithParam<TypeCase> {};

TEST_P(FieldType, DecodesFromBytes) {
    const TypeCase& c = GetParam();
    const auto r = test::decode_one(unbind_with_table(table_bytes(single_entry(c.value_hex))));
    ASSERT_EQ(r.result.status, DecodeStatus::Complete) << r.result.error;
    EXPECT_EQ(r.frame, unbind_frame({{"k", c.expected}}));
}

TEST_P(FieldType, EncodesToTheSameBytes) {
    const TypeCase& c = GetParam();
    EXPECT_EQ(test::encoded(unbind_frame({{"k", c.expected}})),
              unbind_with_table(table_bytes(single_entry(c.value_hex))));
}

TEST_P(FieldType, TypeLetterMatchesTheWire) {
    const TypeCase& c = GetParam();
    EXPECT_EQ(type_letter(c.expected), static_cast<char>(hex(c.value_hex)[0]));
}

TEST_P(FieldType, TruncatedValueIsASyntaxError) {
    // Drop the entry's last octet but keep the table length honest: the table itself is
    // short. For 'V' that leaves a name without a type letter.
    const TypeCase& c = GetParam();
    Bytes entry = single_entry(c.value_hex);
    entry.pop_back();
    const auto r = test::decode_one(unbind_with_table(table_bytes(entry)));
    EXPECT_EQ(r.result.status, DecodeStatus::Malformed);
    EXPECT_EQ(r.result.reply_code, reply::kSyntaxError);
    EXPECT_EQ(r.result.class_id, kQueueClass);
    EXPECT_EQ(r.result.method_id, 50);
}

INSTANTIATE_TEST_SUITE_P(Amqp, FieldType, ::testing::ValuesIn(type_cases()),
                         [](const auto& param_info) { return param_info.param.name; });

TEST(FieldTable, EveryTypeInOneTableRoundTrips) {
    FieldTable all;
    for (const auto& c : type_cases()) {
        all.push_back({c.name, c.expected});
    }
    all.push_back({"array of everything", FieldArray{}});
    for (const auto& c : type_cases()) {
        std::get<FieldArray>(all.back().value).push_back(c.expected);
    }
    const Frame f = unbind_frame(all);
    const auto r = test::decode_one(test::encoded(f));
    ASSERT_EQ(r.result.status, DecodeStatus::Complete) << r.result.error;
    EXPECT_EQ(r.frame, f);
}

TEST(FieldTable, KeepsWireOrderAndDuplicates) {
    const FieldTable t = {{"b", std::int32_t{1}}, {"a", std::int32_t{2}}, {"b", std::int32_t{3}}};
    const auto r = test::decode_one(test::encoded(unbind_frame(t)));
    ASSERT_EQ(r.result.status, DecodeStatus::Complete);
    const auto& decoded = std::get<QueueUnbind>(std::get<MethodFrame>(r.frame).method).arguments;
    EXPECT_EQ(decoded, t);
    ASSERT_NE(find_field(decoded, "b"), nullptr);
    EXPECT_EQ(*find_field(decoded, "b"), FieldValue(std::int32_t{1}));
    EXPECT_EQ(find_field(decoded, "c"), nullptr);
}

TEST(FieldTable, AnyNonZeroBoolOctetIsTrue) {
    const auto r = test::decode_one(unbind_with_table(table_bytes(single_entry("74 02"))));
    ASSERT_EQ(r.result.status, DecodeStatus::Complete);
    EXPECT_EQ(r.frame, unbind_frame({{"k", true}}));
}

TEST(FieldTable, FloatsCompareByBitPattern) {
    const float nan = std::bit_cast<float>(std::uint32_t{0x7FC00001});
    EXPECT_EQ(FieldValue(nan), FieldValue(nan));
    EXPECT_NE(FieldValue(nan), FieldValue(std::bit_cast<float>(std::uint32_t{0x7FC00002})));
    EXPECT_NE(FieldValue(0.0), FieldValue(-0.0));
    EXPECT_NE(FieldValue(std::int32_t{1}), FieldValue(std::uint32_t{1}));
    EXPECT_NE(FieldValue("x"s), FieldValue(ByteArray{"x"}));
    const Frame f = unbind_frame({{"nan", nan},
                                  {"dnan", std::bit_cast<double>(std::uint64_t{0xFFF8000000000123})},
                                  {"neg0", -0.0}});
    EXPECT_EQ(test::decode_one(test::encoded(f)).frame, f);
}

TEST(FieldTable, EncodeFieldTableWritesTheWireForm) {
    ByteWriter w;
    encode_field_table({{"a", std::int16_t{7}}}, w);
    EXPECT_EQ(Bytes(w.view().begin(), w.view().end()), hex("00 00 00 05 01 61 73 00 07"));
}

// ---- unknown type letters ----

class UnknownLetter : public ::testing::TestWithParam<char> {};

TEST_P(UnknownLetter, IsASyntaxError) {
    // The spec's 'U' (int16), 'L' (int64) and short-string letters are not RabbitMQ's; a
    // client sending them would be misread by RabbitMQ too. The value octets are irrelevant.
    Bytes entry = hex("01 6b");
    entry.push_back(static_cast<std::byte>(GetParam()));
    entry.insert(entry.end(), 8, std::byte{0});
    const auto r = test::decode_one(unbind_with_table(table_bytes(entry)));
    EXPECT_EQ(r.result.status, DecodeStatus::Malformed);
    EXPECT_EQ(r.result.reply_code, reply::kSyntaxError);
    EXPECT_NE(r.result.error, nullptr);
}

INSTANTIATE_TEST_SUITE_P(Amqp, UnknownLetter,
                         ::testing::Values('U', 'L', 'c', 'e', 'Z', '\0', '\xff'));

// ---- running short ----

TEST(FieldTableMalformed, TableLongerThanTheFrame) {
    const auto r = test::decode_one(unbind_with_table(hex("00 00 00 10 01 6b 56")));
    EXPECT_EQ(r.result.status, DecodeStatus::Malformed);
    EXPECT_EQ(r.result.reply_code, reply::kSyntaxError);
}

TEST(FieldTableMalformed, TableLengthAllOnes) {
    // The length is unsigned: 0xFFFFFFFF is not -1 but four billion octets that are not there.
    const auto r = test::decode_one(unbind_with_table(hex("ff ff ff ff 01 6b 56")));
    EXPECT_EQ(r.result.status, DecodeStatus::Malformed);
    EXPECT_EQ(r.result.reply_code, reply::kSyntaxError);
}

TEST(FieldTableMalformed, TableLengthFieldCutShort) {
    const auto r = test::decode_one(unbind_with_table(hex("00 00")));
    EXPECT_EQ(r.result.status, DecodeStatus::Malformed);
    EXPECT_EQ(r.result.reply_code, reply::kSyntaxError);
}

TEST(FieldTableMalformed, NameLongerThanTheTable) {
    const auto r = test::decode_one(unbind_with_table(table_bytes(hex("05 61"))));
    EXPECT_EQ(r.result.status, DecodeStatus::Malformed);
    EXPECT_EQ(r.result.reply_code, reply::kSyntaxError);
}

TEST(FieldTableMalformed, NameWithoutAValue) {
    const auto r = test::decode_one(unbind_with_table(table_bytes(hex("01 6b"))));
    EXPECT_EQ(r.result.status, DecodeStatus::Malformed);
    EXPECT_EQ(r.result.reply_code, reply::kSyntaxError);
}

TEST(FieldTableMalformed, ArrayLongerThanItsTable) {
    const auto r =
        test::decode_one(unbind_with_table(table_bytes(single_entry("41 00 00 00 64 56"))));
    EXPECT_EQ(r.result.status, DecodeStatus::Malformed);
    EXPECT_EQ(r.result.reply_code, reply::kSyntaxError);
}

TEST(FieldTableMalformed, LongStringLengthAllOnes) {
    const auto r =
        test::decode_one(unbind_with_table(table_bytes(single_entry("53 ff ff ff ff 61"))));
    EXPECT_EQ(r.result.status, DecodeStatus::Malformed);
    EXPECT_EQ(r.result.reply_code, reply::kSyntaxError);
}

TEST(FieldTableMalformed, LongStringLengthWithTheSignBitSet) {
    const auto r =
        test::decode_one(unbind_with_table(table_bytes(single_entry("78 80 00 00 00 61"))));
    EXPECT_EQ(r.result.status, DecodeStatus::Malformed);
    EXPECT_EQ(r.result.reply_code, reply::kSyntaxError);
}

// ---- limits ----

// levels tables nested inside the argument table (which is level 1), built by hand.
Bytes nested_tables(int levels) {
    Bytes inner = table_bytes({});
    for (int i = 0; i < levels; ++i) {
        inner = table_bytes(concat({hex("01 6e 46"), inner}));
    }
    return unbind_with_table(inner);
}

// An argument table holding levels arrays, each inside the previous one.
Bytes nested_arrays(int levels) {
    Bytes inner;
    for (int i = 0; i < levels; ++i) {
        inner = concat({hex("41"), u32_bytes(static_cast<std::uint32_t>(inner.size())), inner});
    }
    return unbind_with_table(table_bytes(concat({hex("01 61"), inner})));
}

TEST(FieldTableLimits, NestingUpToTheLimitDecodes) {
    const DecoderLimits limits{131072, 4, 8192};
    EXPECT_EQ(test::decode_one(nested_tables(3), limits).result.status, DecodeStatus::Complete);
    EXPECT_EQ(test::decode_one(nested_arrays(3), limits).result.status, DecodeStatus::Complete);
}

TEST(FieldTableLimits, NestingPastTheLimitIsAResourceError) {
    const DecoderLimits limits{131072, 4, 8192};
    for (const Bytes& bytes : {nested_tables(4), nested_arrays(4)}) {
        const auto r = test::decode_one(bytes, limits);
        EXPECT_EQ(r.result.status, DecodeStatus::TooLarge);
        EXPECT_EQ(r.result.reply_code, reply::kResourceError);
        EXPECT_EQ(r.result.class_id, kQueueClass);
        EXPECT_NE(r.result.error, nullptr);
    }
}

TEST(FieldTableLimits, DeepNestingStopsAtTheDefaultLimit) {
    // Thousands of levels cost the decoder no more than sixteen.
    const auto r = test::decode_one(nested_tables(5000), DecoderLimits{0, 16, 8192});
    EXPECT_EQ(r.result.status, DecodeStatus::TooLarge);
    const auto a = test::decode_one(nested_arrays(5000), DecoderLimits{0, 16, 8192});
    EXPECT_EQ(a.result.status, DecodeStatus::TooLarge);
}

TEST(FieldTableLimits, FieldCountCoversEveryLevel) {
    // Three entries, one an array of two: five values in all.
    const Frame f = unbind_frame({{"a", true},
                                  {"b", FieldArray{std::int8_t{1}, std::int8_t{2}}},
                                  {"c", std::monostate{}}});
    const Bytes bytes = test::encoded(f);
    EXPECT_EQ(test::decode_one(bytes, DecoderLimits{131072, 16, 5}).result.status,
              DecodeStatus::Complete);
    const auto r = test::decode_one(bytes, DecoderLimits{131072, 16, 4});
    EXPECT_EQ(r.result.status, DecodeStatus::TooLarge);
    EXPECT_EQ(r.result.reply_code, reply::kResourceError);
}

TEST(FieldTableLimits, FieldCountIsPerFrame) {
    // Two frames of three values each pass a limit of three: the budget starts over per frame.
    const Frame f = unbind_frame({{"a", true}, {"b", true}, {"c", true}});
    const Bytes two = concat({test::encoded(f), test::encoded(f)});
    test::StreamDriver driver(DecoderLimits{131072, 16, 3});
    EXPECT_TRUE(driver.feed(two));
    EXPECT_EQ(driver.frames().size(), 2u);
}

}  // namespace
}  // namespace sy::amqp

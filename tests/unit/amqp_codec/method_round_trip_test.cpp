// decode(encode(F)) == F for every method: each at its zero values, at its largest values and
// with a few hundred random fillings, plus where the bit arguments land in the packed octet.

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>
#include <variant>

#include "tests/unit/amqp_codec/codec_test_support.hpp"
#include "tests/unit/amqp_codec/random_fields.hpp"

namespace sy::amqp {
namespace {

using test::Bytes;
using test::hex;

constexpr std::size_t kMethodCount = std::variant_size_v<Method>;

// Large enough for MaxIo's 70000-octet longstrs.
constexpr DecoderLimits kRoomy{1 << 20, 16, 8192};

void expect_round_trip(const Frame& frame) {
    const Bytes bytes = test::encoded(frame);
    const auto r = test::decode_one(bytes, kRoomy);
    ASSERT_EQ(r.result.status, DecodeStatus::Complete) << r.result.error;
    EXPECT_EQ(r.result.consumed, bytes.size());
    EXPECT_EQ(r.frame, frame);
    EXPECT_EQ(test::encoded(r.frame), bytes);
}

// A Method holding alternative index, value-initialized.
Method zero_method(std::size_t index) {
    Method m;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        static_cast<void>(((index == I && (m.emplace<I>(), true)) || ...));
    }(std::make_index_sequence<kMethodCount>{});
    return m;
}

// Each check loops over all methods in one test (a trace names the method on failure): one
// ctest process per method and check would cost more than the checks themselves.
template <class Check>
void for_every_method(Check check) {
    for (std::size_t i = 0; i < kMethodCount; ++i) {
        SCOPED_TRACE(method_name(zero_method(i)));
        check(i);
    }
}

TEST(EveryMethod, ZeroValuesRoundTrip) {
    for_every_method([](std::size_t i) {
        const Method m = zero_method(i);
        ASSERT_EQ(m.index(), i);
        expect_round_trip(MethodFrame{0, m});
    });
}

TEST(EveryMethod, LargestValuesRoundTrip) {
    for_every_method([](std::size_t i) {
        test::MaxIo io;
        const Method m = test::filled_method(i, io);
        ASSERT_EQ(m.index(), i);
        expect_round_trip(MethodFrame{0xFFFF, m});
    });
}

TEST(EveryMethod, RandomValuesRoundTrip) {
    for_every_method([](std::size_t i) {
        for (std::uint64_t seed = 0; seed < 200; ++seed) {
            SCOPED_TRACE(seed);
            test::RandomIo io(seed * 1000 + i);
            expect_round_trip(
                MethodFrame{static_cast<std::uint16_t>(seed), test::filled_method(i, io)});
            if (::testing::Test::HasFailure()) {
                return;
            }
        }
    });
}

TEST(EveryMethod, WireIdsMatchTheStruct) {
    for_every_method([](std::size_t i) {
        const Method m = zero_method(i);
        const Bytes bytes = test::encoded(MethodFrame{3, m});
        ASSERT_GE(bytes.size(), 12u);
        EXPECT_EQ(bytes[0], std::byte{1});  // method frame
        const auto at = [&](std::size_t k) { return std::to_integer<unsigned>(bytes[k]); };
        EXPECT_EQ(at(7) << 8 | at(8), class_id(m));
        EXPECT_EQ(at(9) << 8 | at(10), method_id(m));
        EXPECT_STREQ(method_name(class_id(m), method_id(m)), method_name(m));
    });
}

TEST(EveryMethod, EncodeMethodMatchesEncodeFrame) {
    for_every_method([](std::size_t i) {
        test::RandomIo io(i);
        const Method m = test::filled_method(i, io);
        ByteWriter direct;
        encode_method(9, m, direct);
        EXPECT_EQ(Bytes(direct.view().begin(), direct.view().end()),
                  test::encoded(MethodFrame{9, m}));
    });
}

TEST(MethodTable, HasEveryMethodOnceWithItsSpecName) {
    EXPECT_EQ(kMethodCount, 64u);
    std::set<std::string> names;
    std::set<std::uint32_t> keys;
    for (std::size_t i = 0; i < kMethodCount; ++i) {
        const Method m = zero_method(i);
        names.insert(method_name(m));
        keys.insert(std::uint32_t{class_id(m)} << 16 | method_id(m));
    }
    EXPECT_EQ(names.size(), kMethodCount);
    EXPECT_EQ(keys.size(), kMethodCount);
    EXPECT_EQ(method_name(kExchangeClass, 51), std::string("exchange.unbind-ok"));
    EXPECT_EQ(method_name(kBasicClass, 120), std::string("basic.nack"));
    EXPECT_EQ(method_name(kConnectionClass, 71), std::string("connection.update-secret-ok"));
    EXPECT_EQ(method_name(30, 10), nullptr);  // access.request: gone in 0-9-1
    EXPECT_EQ(method_name(kExchangeClass, 41), nullptr);
}

TEST(MethodTable, ContentCarryingMethods) {
    EXPECT_TRUE(carries_content(BasicPublish{}));
    EXPECT_TRUE(carries_content(BasicReturn{}));
    EXPECT_TRUE(carries_content(BasicDeliver{}));
    EXPECT_TRUE(carries_content(BasicGetOk{}));
    std::size_t count = 0;
    for (std::size_t i = 0; i < kMethodCount; ++i) {
        count += carries_content(zero_method(i)) ? 1 : 0;
    }
    EXPECT_EQ(count, 4u);
}

// ---- bit packing: consecutive bits share one octet, first argument in the lowest bit ----

// The octet holding the bits, found at a known offset of the encoded frame.
std::uint8_t bit_octet(const Method& m, std::size_t offset) {
    const Bytes bytes = test::encoded(MethodFrame{1, m});
    return std::to_integer<std::uint8_t>(bytes.at(offset));
}

// Frame header (7) + ids (4).
constexpr std::size_t kArgs = 11;

TEST(BitPacking, QueueDeclareFiveBitsInOrder) {
    // ticket (2) + shortstr "q" (2), then passive durable exclusive auto-delete no-wait.
    const std::size_t at = kArgs + 4;
    EXPECT_EQ(bit_octet(QueueDeclare{0, "q", true, false, false, false, false, {}}, at), 0x01);
    EXPECT_EQ(bit_octet(QueueDeclare{0, "q", false, true, false, false, false, {}}, at), 0x02);
    EXPECT_EQ(bit_octet(QueueDeclare{0, "q", false, false, true, false, false, {}}, at), 0x04);
    EXPECT_EQ(bit_octet(QueueDeclare{0, "q", false, false, false, true, false, {}}, at), 0x08);
    EXPECT_EQ(bit_octet(QueueDeclare{0, "q", false, false, false, false, true, {}}, at), 0x10);
}

TEST(BitPacking, ExchangeDeclareFiveBitsInOrder) {
    // ticket (2) + "x" (2) + "direct" (7), then passive durable auto-delete internal no-wait.
    const std::size_t at = kArgs + 11;
    EXPECT_EQ(bit_octet(ExchangeDeclare{0, "x", "direct", true, false, false, false, false, {}},
                        at),
              0x01);
    EXPECT_EQ(bit_octet(ExchangeDeclare{0, "x", "direct", false, false, true, false, false, {}},
                        at),
              0x04);
    EXPECT_EQ(bit_octet(ExchangeDeclare{0, "x", "direct", false, false, false, false, true, {}},
                        at),
              0x10);
}

TEST(BitPacking, BasicConsumeFourBitsInOrder) {
    // ticket (2) + "q" (2) + "" (1), then no-local no-ack exclusive no-wait.
    const std::size_t at = kArgs + 5;
    EXPECT_EQ(bit_octet(BasicConsume{0, "q", "", true, false, false, false, {}}, at), 0x01);
    EXPECT_EQ(bit_octet(BasicConsume{0, "q", "", false, true, false, false, {}}, at), 0x02);
    EXPECT_EQ(bit_octet(BasicConsume{0, "q", "", false, false, true, false, {}}, at), 0x04);
    EXPECT_EQ(bit_octet(BasicConsume{0, "q", "", false, false, false, true, {}}, at), 0x08);
}

TEST(BitPacking, SplitBitsGetTheirOwnOctets) {
    // basic.deliver's redelivered bit sits between a longlong and a shortstr: one octet alone.
    const Bytes bytes = test::encoded(MethodFrame{1, BasicDeliver{"c", 2, true, "e", "r"}});
    EXPECT_EQ(bytes, hex("01 00 01 00 00 00 13 00 3c 00 3c 01 63 00 00 00 00 00 00 00 02 01 01 65"
                         "01 72 ce"));
}

TEST(BitPacking, UndefinedBitsAreIgnoredOnInput) {
    // basic.ack with every bit of its flag octet set reads as multiple = true.
    const auto r = test::decode_one(hex("01 00 01 00 00 00 0d 00 3c 00 50 00 00 00 00 00 00 00 07"
                                        "ff ce"));
    ASSERT_EQ(r.result.status, DecodeStatus::Complete);
    EXPECT_EQ(r.frame, Frame(MethodFrame{1, BasicAck{7, true}}));
}

}  // namespace
}  // namespace sy::amqp

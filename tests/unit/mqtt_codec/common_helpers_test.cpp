// protocols/common helpers the codec relies on: UTF-8 checks, varints, the byte reader and the
// counting sink.

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "protocols/common/byte_counter.hpp"
#include "protocols/common/byte_reader.hpp"
#include "protocols/common/byte_writer.hpp"
#include "protocols/common/utf8.hpp"
#include "protocols/common/varint.hpp"
#include "tests/unit/mqtt_codec/codec_test_support.hpp"

namespace sy {
namespace {

using mqtt::test::hex;

std::string str(std::string_view hex_text) {
    const auto bytes = hex(hex_text);
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

TEST(Utf8, AcceptsWellFormed) {
    for (const char* h : {"", "41", "00", "7f", "c2 80", "df bf", "e0 a0 80", "ed 9f bf",
                          "ee 80 80", "ef bf bf", "f0 90 80 80", "f4 8f bf bf", "f3 bf bf bf",
                          "ef bb bf 41"}) {
        EXPECT_TRUE(is_valid_utf8(str(h))) << h;
    }
}

TEST(Utf8, RejectsIllFormed) {
    for (const char* h : {
             "80",           // lone continuation
             "bf",           //
             "c0 80",        // overlong U+0000
             "c1 bf",        // overlong U+007F
             "e0 80 80",     // overlong three-byte
             "e0 9f bf",     //
             "f0 80 80 80",  // overlong four-byte
             "f0 8f bf bf",  //
             "ed a0 80",     // U+D800 surrogate
             "ed bf bf",     // U+DFFF surrogate
             "f4 90 80 80",  // U+110000
             "f5 80 80 80",  // lead byte past the range
             "ff",           //
             "c2",           // truncated
             "e2 82",        //
             "f0 9d 84",     //
             "c2 41",        // continuation missing
             "e2 41 ac",     //
             "f0 9d 41 9e",  //
         }) {
        EXPECT_FALSE(is_valid_utf8(str(h))) << h;
    }
}

TEST(Varint, ReadsSpecExamples) {
    // Table 2.4 of 3.1.1: the boundaries of each length.
    const struct {
        const char* bytes;
        std::uint32_t value;
    } rows[] = {{"00", 0},          {"7f", 127},           {"80 01", 128},
                {"ff 7f", 16383},   {"80 80 01", 16384},   {"ff ff 7f", 2097151},
                {"80 80 80 01", 2097152}, {"ff ff ff 7f", 268435455}};
    for (const auto& r : rows) {
        const auto b = hex(r.bytes);
        const VarintRead got = read_varint(b);
        EXPECT_EQ(got.status, VarintStatus::Ok) << r.bytes;
        EXPECT_EQ(got.value, r.value) << r.bytes;
        EXPECT_EQ(got.length, b.size()) << r.bytes;
        EXPECT_EQ(varint_size(r.value), b.size()) << r.bytes;
        ByteWriter w;
        write_varint(w, r.value);
        EXPECT_EQ(std::vector<std::byte>(w.view().begin(), w.view().end()), b) << r.bytes;
    }
}

TEST(Varint, NeedMoreAndMalformed) {
    EXPECT_EQ(read_varint({}).status, VarintStatus::NeedMore);
    EXPECT_EQ(read_varint(hex("80")).status, VarintStatus::NeedMore);
    EXPECT_EQ(read_varint(hex("ff ff ff")).status, VarintStatus::NeedMore);
    EXPECT_EQ(read_varint(hex("ff ff ff ff")).status, VarintStatus::Malformed);
    EXPECT_EQ(read_varint(hex("80 80 80 80 00")).status, VarintStatus::Malformed);
}

TEST(ByteReader, FailsWithoutMoving) {
    const auto b = hex("01 02 03");
    ByteReader r(b);
    std::uint32_t v32 = 0;
    EXPECT_FALSE(r.u32(v32));
    EXPECT_EQ(r.position(), 0u);
    std::uint16_t v16 = 0;
    ASSERT_TRUE(r.u16(v16));
    EXPECT_EQ(v16, 0x0102);
    EXPECT_FALSE(r.u16(v16));
    std::span<const std::byte> s;
    EXPECT_FALSE(r.take(2, s));
    ASSERT_TRUE(r.take(1, s));
    EXPECT_TRUE(r.empty());
    std::uint8_t v8 = 0;
    EXPECT_FALSE(r.u8(v8));
}

TEST(ByteCounter, MatchesByteWriter) {
    ByteWriter w;
    ByteCounter c;
    auto both = [&](auto&& f) {
        f(w);
        f(c);
    };
    both([](auto& s) { s.u8(1); });
    both([](auto& s) { s.u16(2); });
    both([](auto& s) { s.u32(3); });
    both([](auto& s) { s.u64(4); });
    both([](auto& s) { s.bytes(std::string_view("hello")); });
    both([](auto& s) { write_varint(s, 300); });
    EXPECT_EQ(c.size(), w.size());
}

}  // namespace
}  // namespace sy

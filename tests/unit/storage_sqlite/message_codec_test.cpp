#include "storage/message_codec.hpp"

#include "tests/unit/storage_sqlite/test_support.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>

namespace sy::storage {
namespace {

using test::expect_same;
using test::full_message;

TEST(MessageCodec, RoundTripsEveryField) {
    auto m = full_message(123456789);
    auto bytes = encode_message(*m);
    EXPECT_EQ(static_cast<std::uint8_t>(bytes[0]), kCodecFormatV1);
    auto back = decode_message(bytes);
    ASSERT_TRUE(back.has_value()) << back.error();
    expect_same(*m, *back);
}

TEST(MessageCodec, RoundTripsAnEmptyMessage) {
    core::Message m;
    auto bytes = encode_message(m);
    // Format, id, flags, qos, protocol, time, presence, four empty strings, no headers, empty
    // payload: the fixed cost of a message is a dozen bytes.
    EXPECT_EQ(bytes.size(), 13U);
    auto back = decode_message(bytes);
    ASSERT_TRUE(back.has_value()) << back.error();
    expect_same(m, *back);
    EXPECT_FALSE(back->props.content_type.has_value());
    EXPECT_FALSE(back->props.priority.has_value());
}

TEST(MessageCodec, KeepsEachOptionalPropertyOnItsOwn) {
    // One property at a time, so a presence bit read for the wrong field shows up.
    for (int i = 0; i < 8; ++i) {
        core::Message m;
        m.id = core::MessageId{static_cast<std::uint64_t>(i)};
        switch (i) {
            case 0:
                m.props.content_type = "a";
                break;
            case 1:
                m.props.content_encoding = "b";
                break;
            case 2:
                m.props.correlation_id = "c";
                break;
            case 3:
                m.props.reply_to = "d";
                break;
            case 4:
                m.props.message_id = "e";
                break;
            case 5:
                m.props.expiration_ms = 0;
                break;
            case 6:
                m.props.timestamp_s = std::numeric_limits<std::uint64_t>::max();
                break;
            default:
                m.props.priority = 0;
                break;
        }
        auto back = decode_message(encode_message(m));
        ASSERT_TRUE(back.has_value()) << i << ": " << back.error();
        expect_same(m, *back);
    }
}

TEST(MessageCodec, KeepsDoubleBitsExactly) {
    core::Message m;
    const double values[] = {0.0, -0.0, std::numeric_limits<double>::infinity(),
                             std::numeric_limits<double>::denorm_min(), std::nan("")};
    for (double d : values) m.headers.emplace_back("d", d);
    auto back = decode_message(encode_message(m));
    ASSERT_TRUE(back.has_value()) << back.error();
    ASSERT_EQ(back->headers.size(), std::size(values));
    for (std::size_t i = 0; i < std::size(values); ++i) {
        EXPECT_EQ(std::bit_cast<std::uint64_t>(std::get<double>(back->headers[i].second)),
                  std::bit_cast<std::uint64_t>(values[i]));
    }
}

TEST(MessageCodec, RejectsEveryTruncation) {
    auto bytes = encode_message(*full_message(7));
    for (std::size_t n = 0; n < bytes.size(); ++n) {
        auto r = decode_message(std::string_view(bytes).substr(0, n));
        EXPECT_FALSE(r.has_value()) << "prefix of " << n << " bytes decoded";
    }
}

TEST(MessageCodec, RejectsTrailingBytesUnknownFormatAndBadFields) {
    auto good = encode_message(*test::msg(5));
    EXPECT_FALSE(decode_message(good + "x").has_value());

    auto bad_format = good;
    bad_format[0] = 2;
    auto r = decode_message(bad_format);
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().find("unknown format"), std::string::npos) << r.error();

    auto bad_flags = good;
    bad_flags[2] = static_cast<char>(0x80);  // after format and the one-byte id
    EXPECT_FALSE(decode_message(bad_flags).has_value());

    auto bad_qos = good;
    bad_qos[3] = 3;
    EXPECT_FALSE(decode_message(bad_qos).has_value());

    auto bad_protocol = good;
    bad_protocol[4] = 9;
    EXPECT_FALSE(decode_message(bad_protocol).has_value());
}

TEST(MessageCodec, RejectsHugeLengthsAndCountsWithoutAllocating) {
    // Format 1, id 1, flags, qos, protocol, time, presence 0, then an exchange whose length is
    // a 10-byte varint near 2^64.
    std::string bytes = {1, 1, 0, 0, 0, 0, 0};
    bytes += std::string(9, static_cast<char>(0xFF)) + std::string(1, 1);
    auto r = decode_message(bytes);
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().find("beyond end"), std::string::npos) << r.error();

    // A varint with more than 64 bits.
    std::string overflow = {1};
    overflow += std::string(10, static_cast<char>(0xFF)) + std::string(1, 1);
    EXPECT_FALSE(decode_message(overflow).has_value());

    // A header table claiming 2^40 entries.
    std::string headers = {1,
                           static_cast<char>(0x80),
                           static_cast<char>(0x80),
                           static_cast<char>(0x80),
                           static_cast<char>(0x80),
                           static_cast<char>(0x80),
                           0x20};
    auto h = decode_headers(headers);
    ASSERT_FALSE(h.has_value());
    EXPECT_NE(h.error().find("count beyond end"), std::string::npos) << h.error();
}

TEST(MessageCodec, SurvivesRandomGarbageAndBitFlips) {
    std::mt19937_64 rng(20261122);
    int decoded = 0;
    for (int i = 0; i < 20000; ++i) {
        std::string bytes(rng() % 64, '\0');
        for (auto& c : bytes) c = static_cast<char>(rng());
        if (i % 2 == 0 && !bytes.empty()) bytes[0] = 1;  // get past the format byte
        if (decode_message(bytes).has_value()) ++decoded;
        (void)decode_headers(bytes);
        (void)decode_subscriptions(bytes);
        (void)decode_packet_ids(bytes);
    }
    // Random bytes that happen to form a valid message are possible but must be rare.
    EXPECT_LT(decoded, 200);

    auto good = encode_message(*full_message(99));
    for (std::size_t i = 0; i < good.size(); ++i) {
        for (int bit = 0; bit < 8; ++bit) {
            auto flipped = good;
            flipped[i] = static_cast<char>(flipped[i] ^ (1 << bit));
            (void)decode_message(flipped);  // must not crash, hang or over-read (ASan)
        }
    }
}

TEST(MessageCodec, HeadersRoundTripAndEncodeDeterministically) {
    core::Headers h = {{"x-match", std::string("all")}, {"n", std::int64_t{1}}, {"b", false}};
    auto bytes = encode_headers(h);
    EXPECT_EQ(bytes, encode_headers(h));
    auto back = decode_headers(bytes);
    ASSERT_TRUE(back.has_value()) << back.error();
    EXPECT_EQ(*back, h);
    auto empty = decode_headers(encode_headers({}));
    ASSERT_TRUE(empty.has_value());
    EXPECT_TRUE(empty->empty());
    EXPECT_FALSE(decode_headers("").has_value());
}

TEST(MessageCodec, MqttSessionStateRoundTrips) {
    MqttSubscriptions subs = {{"sensors/+/temp", 1}, {"#", 0}, {"a/b", 2}};
    auto s = decode_subscriptions(encode_subscriptions(subs));
    ASSERT_TRUE(s.has_value()) << s.error();
    EXPECT_EQ(*s, subs);

    std::vector<std::uint16_t> ids = {1, 127, 128, 65535};
    auto i = decode_packet_ids(encode_packet_ids(ids));
    ASSERT_TRUE(i.has_value()) << i.error();
    EXPECT_EQ(*i, ids);

    auto bad_qos = encode_subscriptions({{"t", 3}});
    EXPECT_FALSE(decode_subscriptions(bad_qos).has_value());
    // A packet id above 65535.
    std::string big = {1, 1, static_cast<char>(0x80), static_cast<char>(0x80), 0x04};
    EXPECT_FALSE(decode_packet_ids(big).has_value());
}

}  // namespace
}  // namespace sy::storage

// Maximum packet size: refused from the fixed header alone, before the body is buffered.

#include <gtest/gtest.h>

#include "tests/unit/mqtt_codec/codec_test_support.hpp"

namespace sy::mqtt {
namespace {

using test::hex;

TEST(MaxPacketSize, RefusedFromTheFixedHeaderAlone) {
    // Remaining length 101 makes a 103-byte packet; only the two header bytes are present.
    const auto r = test::decode_one(hex("30 65"), ProtocolVersion::V311, {100});
    EXPECT_EQ(r.result.status, DecodeStatus::TooLarge);
    EXPECT_EQ(r.result.reason, reason::kPacketTooLarge);
    EXPECT_NE(r.result.error, nullptr);
    EXPECT_EQ(r.result.consumed, 0u);
}

TEST(MaxPacketSize, HostileFourByteLengthIsRefusedAtOnce) {
    // 268,435,455 bytes announced; a server with a 1 MiB limit must not wait for them.
    const auto r = test::decode_one(hex("30 ff ff ff 7f"), ProtocolVersion::V5, {1u << 20});
    EXPECT_EQ(r.result.status, DecodeStatus::TooLarge);
}

TEST(MaxPacketSize, DefaultLimitAcceptsTheLargestEncodableLength) {
    // 1 + 4 + 268,435,455 is exactly the default limit, so the decoder waits for the body.
    const auto r = test::decode_one(hex("30 ff ff ff 7f 00 01 74"), ProtocolVersion::V311);
    EXPECT_EQ(r.result.status, DecodeStatus::NeedMore);
}

TEST(MaxPacketSize, CountsTheWholePacketIncludingTheFixedHeader) {
    const auto packet = hex("30 05 00 01 74 68 69");  // 7 bytes in all
    EXPECT_EQ(test::decode_one(packet, ProtocolVersion::V311, {7}).result.status,
              DecodeStatus::Complete);
    EXPECT_EQ(test::decode_one(packet, ProtocolVersion::V311, {6}).result.status,
              DecodeStatus::TooLarge);
    // Still judged from the header when the body is incomplete.
    EXPECT_EQ(test::decode_one(std::span(packet).first(2), ProtocolVersion::V311, {6})
                  .result.status,
              DecodeStatus::TooLarge);
}

TEST(MaxPacketSize, AppliesToConnectBeforeTheVersionIsKnown) {
    const auto r = test::decode_one(hex("10 ff 01"), std::nullopt, {128});
    EXPECT_EQ(r.result.status, DecodeStatus::TooLarge);
}

TEST(RemainingLength, MultiByteLengthsFrame) {
    // A 200-byte payload needs a two-byte remaining length: 3 + 1 + 200 = 204 = 0xcc 0x01.
    Publish p;
    p.topic = "t";
    p.payload.assign(200, 'x');
    const auto bytes = test::encoded(p, ProtocolVersion::V5);
    ASSERT_GE(bytes.size(), 3u);
    EXPECT_EQ(bytes[1], std::byte{0xcc});
    EXPECT_EQ(bytes[2], std::byte{0x01});
    const auto r = test::decode_one(bytes, ProtocolVersion::V5);
    ASSERT_EQ(r.result.status, DecodeStatus::Complete);
    EXPECT_EQ(r.result.consumed, bytes.size());
    EXPECT_EQ(r.packet, Packet{p});
}

TEST(RemainingLength, NonMinimalEncodingIsAccepted) {
    // 0x82 0x00 encodes 2 in two bytes; readers take it (only writers must be minimal).
    const auto r = test::decode_one(hex("40 82 00 00 05"), ProtocolVersion::V311);
    ASSERT_EQ(r.result.status, DecodeStatus::Complete);
    EXPECT_EQ(r.result.consumed, 5u);
}

TEST(Decoder, EmptyInputNeedsMore) {
    const auto r = test::decode_one({}, std::nullopt);
    EXPECT_EQ(r.result.status, DecodeStatus::NeedMore);
    EXPECT_EQ(r.result.consumed, 0u);
}

TEST(Decoder, ServerDecoderLearnsItsVersionFromConnect) {
    Decoder d;
    Packet p;
    // Before CONNECT an AUTH is a reserved type: the decoder reads as 3.1.1.
    EXPECT_EQ(d.decode(hex("f0 00"), p).status, DecodeStatus::Malformed);
    const auto connect5 = hex("10 0d 00 04 4d 51 54 54 05 02 00 00 00 00 00");
    ASSERT_EQ(d.decode(connect5, p).status, DecodeStatus::Complete);
    EXPECT_EQ(d.version(), ProtocolVersion::V5);
    EXPECT_EQ(d.decode(hex("f0 00"), p).status, DecodeStatus::Complete);
    EXPECT_EQ(p, Packet{Auth{}});
    // v5 PUBACK forms now apply.
    ASSERT_EQ(d.decode(hex("40 03 00 01 10"), p).status, DecodeStatus::Complete);
    EXPECT_EQ(std::get<PubAckLike>(p).reason, 0x10);
}

TEST(Decoder, Mqtt31ConnectReadsLaterPacketsAs311) {
    Decoder d;
    Packet p;
    const auto connect31 = hex("10 10 00 06 4d 51 49 73 64 70 03 02 00 3c 00 02 63 31");
    ASSERT_EQ(d.decode(connect31, p).status, DecodeStatus::Complete);
    EXPECT_EQ(d.version(), ProtocolVersion::V31);
    EXPECT_EQ(d.decode(hex("40 03 00 01 10"), p).status, DecodeStatus::Malformed);
    EXPECT_EQ(d.decode(hex("f0 00"), p).status, DecodeStatus::Malformed);
    EXPECT_EQ(d.decode(hex("40 02 00 01"), p).status, DecodeStatus::Complete);
}

TEST(Decoder, UnsupportedConnectLeavesVersionAlone) {
    Decoder d;
    Packet p;
    const auto level9 = hex("10 0d 00 04 4d 51 54 54 09 02 00 00 00 01 63");
    const DecodeResult r = d.decode(level9, p);
    EXPECT_EQ(r.status, DecodeStatus::Unsupported);
    EXPECT_EQ(r.reason, reason::kUnsupportedProtocolVersion);
    EXPECT_EQ(d.version(), ProtocolVersion::V311);
}

}  // namespace
}  // namespace sy::mqtt

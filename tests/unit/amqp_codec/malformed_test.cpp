// Frames the decoder must refuse, one case per rule, with the reply code connection.close
// should carry: framing (501), method arguments (502), heartbeat and content channel rules
// (505), unknown class or method ids (540), and frame-max (TooLarge, 501).

#include <gtest/gtest.h>

#include <cstdint>
#include <ostream>
#include <string>

#include "tests/unit/amqp_codec/codec_test_support.hpp"

namespace sy::amqp {
namespace {

using test::Bytes;
using test::hex;

struct BadCase {
    std::string name;
    std::string bytes;
    DecodeStatus status;
    std::uint16_t reply_code;
    std::uint16_t class_id = 0;
    std::uint16_t method_id = 0;
};

// gtest names the case instead of dumping its bytes.
void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

class Malformed : public ::testing::TestWithParam<BadCase> {};

TEST_P(Malformed, IsRefusedWithItsReplyCode) {
    const BadCase& c = GetParam();
    const auto r = test::decode_one(hex(c.bytes));
    EXPECT_EQ(r.result.status, c.status);
    EXPECT_EQ(r.result.reply_code, c.reply_code);
    EXPECT_EQ(r.result.class_id, c.class_id);
    EXPECT_EQ(r.result.method_id, c.method_id);
    EXPECT_EQ(r.result.consumed, 0u);
    ASSERT_NE(r.result.error, nullptr);
    EXPECT_GT(std::string(r.result.error).size(), 0u);
}

TEST_P(Malformed, IsRefusedAlsoWhenMoreFollows) {
    // Trailing octets (the next frame) change nothing.
    const BadCase& c = GetParam();
    const auto r = test::decode_one(test::concat({hex(c.bytes), hex("08 00 00 00 00 00 00 ce")}));
    EXPECT_EQ(r.result.status, c.status);
    EXPECT_EQ(r.result.reply_code, c.reply_code);
}

constexpr auto kMalformed = DecodeStatus::Malformed;

INSTANTIATE_TEST_SUITE_P(
    Framing, Malformed,
    ::testing::Values(
        BadCase{"FrameEndZero", "08 00 00 00 00 00 00 00", kMalformed, reply::kFrameError},
        BadCase{"FrameEndCf", "01 00 00 00 00 00 04 00 0a 00 33 cf", kMalformed,
                reply::kFrameError},
        BadCase{"SizeOneShortOfTheEnd", "01 00 00 00 00 00 03 00 0a 00 33 ce", kMalformed,
                reply::kFrameError},
        BadCase{"FrameTypeZero", "00", kMalformed, reply::kFrameError},
        BadCase{"FrameTypeFourOldHeartbeat", "04 00 00 00 00 00 00 ce", kMalformed,
                reply::kFrameError},
        // A client repeating its protocol header, and an HTTP client on the AMQP port.
        BadCase{"ProtocolHeaderMidStream", "41 4d 51 50 00 00 09 01", kMalformed,
                reply::kFrameError},
        BadCase{"HttpRequest", "47 45 54 20 2f 20 48 54 54 50", kMalformed, reply::kFrameError},
        BadCase{"MethodShorterThanItsIds", "01 00 00 00 00 00 03 00 0a 00 ce", kMalformed,
                reply::kFrameError},
        BadCase{"HeartbeatWithPayload", "08 00 00 00 00 00 01 00 ce", kMalformed,
                reply::kFrameError},
        BadCase{"HeartbeatOnChannelOne", "08 00 01 00 00 00 00 ce", kMalformed,
                reply::kUnexpectedFrame}),
    [](const auto& param_info) { return param_info.param.name; });

INSTANTIATE_TEST_SUITE_P(
    Methods, Malformed,
    ::testing::Values(
        // access.request (class 30) was dropped from 0-9-1.
        BadCase{"UnknownClass", "01 00 01 00 00 00 04 00 1e 00 0a ce",
                DecodeStatus::Unsupported, reply::kNotImplemented, 30, 10},
        BadCase{"UnknownMethodOfBasic", "01 00 01 00 00 00 04 00 3c 00 c8 ce",
                DecodeStatus::Unsupported, reply::kNotImplemented, 60, 200},
        BadCase{"ExchangeUnbindOkAtFortyOne", "01 00 01 00 00 00 04 00 28 00 29 ce",
                DecodeStatus::Unsupported, reply::kNotImplemented, 40, 41},
        BadCase{"TuneCutShort", "01 00 00 00 00 00 0b 00 0a 00 1e 07 ff 00 02 00 00 00 ce",
                kMalformed, reply::kSyntaxError, 10, 30},
        BadCase{"OctetAfterTheLastArgument", "01 00 00 00 00 00 05 00 0a 00 33 00 ce",
                kMalformed, reply::kSyntaxError, 10, 51},
        BadCase{"ShortstrLongerThanTheFrame", "01 00 01 00 00 00 06 00 3c 00 15 05 61 ce",
                kMalformed, reply::kSyntaxError, 60, 21},
        BadCase{"LongstrLengthAllOnes",
                "01 00 00 00 00 00 09 00 0a 00 14 ff ff ff ff 61 ce", kMalformed,
                reply::kSyntaxError, 10, 20},
        BadCase{"LongstrLengthSignBit", "01 00 00 00 00 00 09 00 0a 00 15 80 00 00 00 61 ce",
                kMalformed, reply::kSyntaxError, 10, 21},
        BadCase{"MissingBitOctet", "01 00 01 00 00 00 0c 00 3c 00 50 00 00 00 00 00 00 00 07 ce",
                kMalformed, reply::kSyntaxError, 60, 80},
        BadCase{"ArgumentTableLengthAllOnes",
                "01 00 01 00 00 00 0c 00 32 00 0a 00 00 00 00 ff ff ff ff ce", kMalformed,
                reply::kSyntaxError, 50, 10}),
    [](const auto& param_info) { return param_info.param.name; });

TEST(MalformedFraming, UnknownFrameTypeIsReportedFromOneOctet) {
    const auto r = test::decode_one(hex("41"));
    EXPECT_EQ(r.result.status, DecodeStatus::Malformed);
    EXPECT_EQ(r.result.reply_code, reply::kFrameError);
}

TEST(MalformedFraming, BadFrameEndIsCheckedBeforeThePayload) {
    // A truncated tune whose frame-end is also wrong: the frame error wins.
    const auto r = test::decode_one(hex("01 00 00 00 00 00 05 00 0a 00 1e 07 00"));
    EXPECT_EQ(r.result.reply_code, reply::kFrameError);
}

// ---- frame-max ----

TEST(FrameMax, FrameOfExactlyFrameMaxDecodes) {
    // 8 octets of framing + 4088 of body = 4096.
    const Frame f = ContentBody{1, std::string(4088, 'x')};
    const auto r = test::decode_one(test::encoded(f), DecoderLimits{4096, 16, 8192});
    EXPECT_EQ(r.result.status, DecodeStatus::Complete);
}

TEST(FrameMax, OneOctetMoreIsTooLargeFromTheHeaderAlone) {
    const Bytes bytes = test::encoded(Frame(ContentBody{1, std::string(4089, 'x')}));
    // Only the 7-octet frame header is needed to refuse it.
    const auto r = test::decode_one(std::span(bytes).first(7), DecoderLimits{4096, 16, 8192});
    EXPECT_EQ(r.result.status, DecodeStatus::TooLarge);
    EXPECT_EQ(r.result.reply_code, reply::kFrameError);
    EXPECT_EQ(r.result.consumed, 0u);
    EXPECT_NE(r.result.error, nullptr);
}

TEST(FrameMax, HostileSizeIsRefusedBeforeBuffering) {
    const auto r = test::decode_one(hex("03 00 01 ff ff ff ff"));
    EXPECT_EQ(r.result.status, DecodeStatus::TooLarge);
}

TEST(FrameMax, ZeroMeansNoLimit) {
    const auto r = test::decode_one(hex("03 00 01 ff ff ff f7"), DecoderLimits{0, 16, 8192});
    EXPECT_EQ(r.result.status, DecodeStatus::NeedMore);
}

TEST(FrameMax, SetFrameMaxAfterTune) {
    // Before tune the decoder may run with a small limit; tune-ok raises it.
    Decoder d(DecoderLimits{4096, 16, 8192});
    const Bytes bytes = test::encoded(Frame(ContentBody{1, std::string(10000, 'x')}));
    Frame f;
    EXPECT_EQ(d.decode(bytes, f).status, DecodeStatus::TooLarge);
    d.set_frame_max(131072);
    EXPECT_EQ(d.limits().frame_max, 131072u);
    EXPECT_EQ(d.decode(bytes, f).status, DecodeStatus::Complete);
}

TEST(FrameMax, TruncatedFramesNeedMoreAtEveryLength) {
    const Bytes bytes = test::encoded(Frame(MethodFrame{1, BasicPublish{0, "ex", "rk", 0, 0}}));
    for (std::size_t n = 0; n < bytes.size(); ++n) {
        EXPECT_EQ(test::decode_one(std::span(bytes).first(n)).result.status,
                  DecodeStatus::NeedMore)
            << n;
    }
}

}  // namespace
}  // namespace sy::amqp

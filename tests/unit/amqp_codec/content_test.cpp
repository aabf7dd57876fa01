// Content: the 14 basic properties and their flags, content header rules, and the hot-path
// encoders that split a body over frames of at most frame_max octets.

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <ostream>
#include <string>
#include <vector>

#include "tests/unit/amqp_codec/codec_test_support.hpp"

namespace sy::amqp {
namespace {

using namespace std::string_literals;
using test::Bytes;
using test::concat;
using test::hex;

// Sets property i (0 = content-type ... 13 = cluster-id) to a recognisable value.
void set_property(BasicProperties& p, int i) {
    switch (i) {
    case 0: p.content_type = "text/plain"; break;
    case 1: p.content_encoding = "utf-8"; break;
    case 2: p.headers = FieldTable{{"h", std::int32_t{1}}}; break;
    case 3: p.delivery_mode = 2; break;
    case 4: p.priority = 5; break;
    case 5: p.correlation_id = "c-1"; break;
    case 6: p.reply_to = "amq.rabbitmq.reply-to"; break;
    case 7: p.expiration = "60000"; break;
    case 8: p.message_id = "m-1"; break;
    case 9: p.timestamp = 1700000000; break;
    case 10: p.type = "reading"; break;
    case 11: p.user_id = "guest"; break;
    case 12: p.app_id = "sensor"; break;
    default: p.cluster_id = ""; break;  // empty but present
    }
}

Frame header_with(const BasicProperties& p, std::uint64_t body_size = 0) {
    return ContentHeader{1, kBasicClass, body_size, p};
}

// Payload octets 12..13 of a content header frame: the property flags.
std::uint16_t wire_flags(const Bytes& frame) {
    return static_cast<std::uint16_t>(std::to_integer<unsigned>(frame.at(19)) << 8 |
                                      std::to_integer<unsigned>(frame.at(20)));
}

class SingleProperty : public ::testing::TestWithParam<int> {};

TEST_P(SingleProperty, SetsExactlyItsFlagAndRoundTrips) {
    BasicProperties p;
    set_property(p, GetParam());
    const auto expected_flag = static_cast<std::uint16_t>(0x8000u >> GetParam());
    EXPECT_EQ(property_flags(p), expected_flag);
    const Bytes bytes = test::encoded(header_with(p));
    EXPECT_EQ(wire_flags(bytes), expected_flag);
    const auto r = test::decode_one(bytes);
    ASSERT_EQ(r.result.status, DecodeStatus::Complete) << r.result.error;
    EXPECT_EQ(r.frame, header_with(p));
}

INSTANTIATE_TEST_SUITE_P(Amqp, SingleProperty, ::testing::Range(0, 14));

TEST(Properties, NoneIsAZeroFlagWordAndNoPropertyOctets) {
    const Bytes bytes = test::encoded(header_with({}, 5));
    EXPECT_EQ(bytes, hex("02 00 01 00 00 00 0e 00 3c 00 00 00 00 00 00 00 00 00 05 00 00 ce"));
    EXPECT_EQ(test::decode_one(bytes).frame, header_with({}, 5));
}

TEST(Properties, EveryCombinationOfFlagsRoundTrips) {
    // All 2^14 subsets would be slow under sanitizers; a fixed random sample of 2000 plus
    // the all-set word is plenty, as each property is read on its own.
    std::mt19937 rng(42);
    std::vector<unsigned> masks = {0x3FFF};
    for (int i = 0; i < 2000; ++i) {
        masks.push_back(rng() & 0x3FFF);
    }
    for (unsigned mask : masks) {
        BasicProperties p;
        for (int i = 0; i < 14; ++i) {
            if ((mask & (1u << i)) != 0) {
                set_property(p, i);
            }
        }
        const auto r = test::decode_one(test::encoded(header_with(p, mask)));
        ASSERT_EQ(r.result.status, DecodeStatus::Complete) << "mask " << mask;
        ASSERT_EQ(r.frame, header_with(p, mask)) << "mask " << mask;
    }
    BasicProperties all;
    for (int i = 0; i < 14; ++i) {
        set_property(all, i);
    }
    EXPECT_EQ(property_flags(all), property_flag::kAll);
}

TEST(Properties, HeadersTableErrorsAreSyntaxErrors) {
    // Flags say headers; the table holds an unknown type letter.
    const auto r = test::decode_one(
        hex("02 00 01 00 00 00 15 00 3c 00 00 00 00 00 00 00 00 00 00 20 00 00 00 00 03 01 6b"
            "55 ce"));
    EXPECT_EQ(r.result.status, DecodeStatus::Malformed);
    EXPECT_EQ(r.result.reply_code, reply::kSyntaxError);
}

// ---- content header rules ----

struct HeaderCase {
    std::string name;
    std::string bytes;
    DecodeStatus status;
    std::uint16_t reply_code;
};

// gtest names the case instead of dumping its bytes.
void PrintTo(const HeaderCase& c, std::ostream* os) { *os << c.name; }

class BadHeader : public ::testing::TestWithParam<HeaderCase> {};

TEST_P(BadHeader, IsRefused) {
    const HeaderCase& c = GetParam();
    const auto r = test::decode_one(hex(c.bytes));
    EXPECT_EQ(r.result.status, c.status);
    EXPECT_EQ(r.result.reply_code, c.reply_code);
    EXPECT_EQ(r.result.consumed, 0u);
    EXPECT_NE(r.result.error, nullptr);
}

INSTANTIATE_TEST_SUITE_P(
    Amqp, BadHeader,
    ::testing::Values(
        HeaderCase{"ClassWithoutContent",
                   "02 00 01 00 00 00 0e 00 0a 00 00 00 00 00 00 00 00 00 00 00 00 ce",
                   DecodeStatus::Malformed, reply::kFrameError},
        HeaderCase{"NonZeroWeight",
                   "02 00 01 00 00 00 0e 00 3c 00 01 00 00 00 00 00 00 00 00 00 00 ce",
                   DecodeStatus::Malformed, reply::kFrameError},
        HeaderCase{"ContinuationFlag",
                   "02 00 01 00 00 00 10 00 3c 00 00 00 00 00 00 00 00 00 00 00 01 00 00 ce",
                   DecodeStatus::Malformed, reply::kFrameError},
        HeaderCase{"FifteenthProperty",
                   "02 00 01 00 00 00 0e 00 3c 00 00 00 00 00 00 00 00 00 00 00 02 ce",
                   DecodeStatus::Malformed, reply::kFrameError},
        HeaderCase{"ShorterThanItsFixedPart", "02 00 01 00 00 00 0c 00 3c 00 00 00 00 00 00 00 00 00 00 ce",
                   DecodeStatus::Malformed, reply::kFrameError},
        HeaderCase{"PropertyPastTheEnd",
                   "02 00 01 00 00 00 10 00 3c 00 00 00 00 00 00 00 00 00 00 80 00 05 61 ce",
                   DecodeStatus::Malformed, reply::kFrameError},
        HeaderCase{"TimestampCutShort",
                   "02 00 01 00 00 00 11 00 3c 00 00 00 00 00 00 00 00 00 00 00 40 00 00 01 ce",
                   DecodeStatus::Malformed, reply::kFrameError},
        HeaderCase{"OctetsAfterTheLastProperty",
                   "02 00 01 00 00 00 10 00 3c 00 00 00 00 00 00 00 00 00 00 10 00 02 00 ce",
                   DecodeStatus::Malformed, reply::kFrameError},
        HeaderCase{"OnChannelZero",
                   "02 00 00 00 00 00 0e 00 3c 00 00 00 00 00 00 00 00 00 00 00 00 ce",
                   DecodeStatus::Malformed, reply::kUnexpectedFrame},
        HeaderCase{"BodyOnChannelZero", "03 00 00 00 00 00 01 41 ce", DecodeStatus::Malformed,
                   reply::kUnexpectedFrame}),
    [](const auto& param_info) { return param_info.param.name; });

TEST(ContentBody, EmptyBodyFrameDecodes) {
    const auto r = test::decode_one(hex("03 00 02 00 00 00 00 ce"));
    ASSERT_EQ(r.result.status, DecodeStatus::Complete);
    EXPECT_EQ(r.frame, Frame(ContentBody{2, ""}));
}

TEST(ContentBody, BinaryPayloadIsKeptAsIs) {
    const Frame f = ContentBody{7, "\0\xce\xff"s};
    EXPECT_EQ(test::encoded(f), hex("03 00 07 00 00 00 03 00 ce ff ce"));
    EXPECT_EQ(test::decode_one(test::encoded(f)).frame, f);
}

// ---- the hot-path encoders ----

BasicProperties sample_props() {
    BasicProperties p;
    p.content_type = "application/json";
    p.delivery_mode = 2;
    p.headers = FieldTable{{"x-origin", "mqtt"s}};
    return p;
}

std::string body_of(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) {
        s[i] = static_cast<char>('a' + i % 26);
    }
    return s;
}

// What encode_deliver and friends should write, built frame by frame with encode().
Bytes expected_frames(std::uint16_t channel, const Method& m, const BasicProperties& p,
                      const std::string& body, std::size_t piece) {
    // Built in place: GCC 12 at -O2 takes moving a ContentHeader through the variant for a
    // read of an uninitialised member (a false -Wmaybe-uninitialized).
    std::vector<Frame> frames;
    frames.emplace_back(std::in_place_type<MethodFrame>, channel, m);
    frames.emplace_back(std::in_place_type<ContentHeader>, channel, kBasicClass, body.size(), p);
    for (std::size_t at = 0; at < body.size(); at += piece) {
        frames.emplace_back(std::in_place_type<ContentBody>, channel, body.substr(at, piece));
    }
    return test::encoded(frames);
}

TEST(EncodeDeliver, SplitsTheBodyAtFrameMaxMinusEight) {
    const BasicDeliver deliver{"ctag", 42, false, "amq.topic", "sensors.t1"};
    const std::string body = body_of(10000);
    ByteWriter out;
    encode_deliver(3, deliver, sample_props(), body, 4096, out);

    // Every frame fits the negotiated frame_max exactly, and the body comes back whole.
    test::StreamDriver driver(DecoderLimits{4096, 16, 8192});
    ASSERT_TRUE(driver.feed(out.view())) << driver.last_error().error;
    const auto& frames = driver.frames();
    ASSERT_EQ(frames.size(), 5u);  // method, header, 4088 + 4088 + 1824
    EXPECT_EQ(frames[0], Frame(MethodFrame{3, deliver}));
    EXPECT_EQ(frames[1], Frame(ContentHeader{3, kBasicClass, 10000, sample_props()}));
    EXPECT_EQ(std::get<ContentBody>(frames[2]).payload.size(), 4088u);
    EXPECT_EQ(std::get<ContentBody>(frames[3]).payload.size(), 4088u);
    EXPECT_EQ(std::get<ContentBody>(frames[4]).payload.size(), 1824u);
    std::string joined;
    for (std::size_t i = 2; i < frames.size(); ++i) {
        joined += std::get<ContentBody>(frames[i]).payload;
    }
    EXPECT_EQ(joined, body);
    EXPECT_EQ(Bytes(out.view().begin(), out.view().end()),
              expected_frames(3, deliver, sample_props(), body, 4088));
}

TEST(EncodeDeliver, BodyOfExactlyOneFrame) {
    const std::string body = body_of(4096 - 8);
    ByteWriter out;
    encode_deliver(1, BasicDeliver{}, {}, body, 4096, out);
    EXPECT_EQ(test::decode_all(out.view(), DecoderLimits{4096, 16, 8192}).size(), 3u);

    ByteWriter more;
    encode_deliver(1, BasicDeliver{}, {}, body + "!", 4096, more);
    const auto frames = test::decode_all(more.view(), DecoderLimits{4096, 16, 8192});
    ASSERT_EQ(frames.size(), 4u);
    EXPECT_EQ(std::get<ContentBody>(frames[3]).payload, "!");
}

TEST(EncodeDeliver, EmptyBodyHasNoBodyFrame) {
    ByteWriter out;
    encode_deliver(1, BasicDeliver{"c", 1, true, "", "q"}, {}, "", 4096, out);
    const auto frames = test::decode_all(out.view());
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(std::get<ContentHeader>(frames[1]).body_size, 0u);
}

TEST(EncodeDeliver, FrameMaxZeroMeansOneBodyFrame) {
    const std::string body = body_of(300000);
    ByteWriter out;
    encode_deliver(1, BasicDeliver{}, {}, body, 0, out);
    const auto frames = test::decode_all(out.view(), DecoderLimits{0, 16, 8192});
    ASSERT_EQ(frames.size(), 3u);
    EXPECT_EQ(std::get<ContentBody>(frames[2]).payload, body);
}

TEST(EncodeDeliver, SmallestFrameMaxOneOctetPerFrame) {
    ByteWriter out;
    encode_deliver(1, BasicDeliver{}, {}, "abc", 9, out);
    test::StreamDriver driver(DecoderLimits{0, 16, 8192});
    ASSERT_TRUE(driver.feed(out.view()));
    ASSERT_EQ(driver.frames().size(), 5u);
    EXPECT_EQ(driver.frames()[4], Frame(ContentBody{1, "c"}));
}

TEST(EncodeDeliver, AppendsToWhatIsAlreadyInTheWriter) {
    ByteWriter out;
    encode(Heartbeat{}, out);
    encode_deliver(1, BasicDeliver{}, {}, "x", 4096, out);
    const auto frames = test::decode_all(out.view());
    ASSERT_EQ(frames.size(), 4u);
    EXPECT_EQ(frames[0], Frame(Heartbeat{}));
}

TEST(ContentEncoders, GetOkReturnAndPublishMatchFrameByFrameEncoding) {
    const std::string body = body_of(5000);
    const auto props = sample_props();
    {
        const BasicGetOk m{9, true, "ex", "rk", 17};
        ByteWriter out;
        encode_get_ok(2, m, props, body, 4096, out);
        EXPECT_EQ(Bytes(out.view().begin(), out.view().end()),
                  expected_frames(2, m, props, body, 4088));
    }
    {
        const BasicReturn m{reply::kNoRoute, "NO_ROUTE", "ex", "rk"};
        ByteWriter out;
        encode_return(2, m, props, body, 131072, out);
        EXPECT_EQ(Bytes(out.view().begin(), out.view().end()),
                  expected_frames(2, m, props, body, 131064));
    }
    {
        const BasicPublish m{0, "amq.topic", "a.b", true, false};
        ByteWriter out;
        encode_publish(2, m, props, body, 1000, out);
        EXPECT_EQ(Bytes(out.view().begin(), out.view().end()),
                  expected_frames(2, m, props, body, 992));
        EXPECT_EQ(test::decode_all(out.view(), DecoderLimits{1000, 16, 8192}).size(), 8u);
    }
}

TEST(ContentEncoders, SplitContentSurvivesEveryCut) {
    // A delivery split over several body frames, fed in two pieces cut at every offset. The
    // properties are kept small: a content header cannot be split, so it must fit frame_max.
    BasicProperties persistent;
    persistent.delivery_mode = 2;
    ByteWriter out;
    encode_deliver(4, BasicDeliver{"t", 5, false, "e", "k"}, persistent, body_of(100), 40, out);
    const Bytes bytes(out.view().begin(), out.view().end());
    const auto whole = test::decode_all(bytes, DecoderLimits{40, 16, 8192});
    ASSERT_EQ(whole.size(), 2u + 4u);  // 32 + 32 + 32 + 4
    for (std::size_t cut = 0; cut <= bytes.size(); ++cut) {
        test::StreamDriver driver(DecoderLimits{40, 16, 8192});
        ASSERT_TRUE(driver.feed(std::span(bytes).first(cut)));
        ASSERT_TRUE(driver.feed(std::span(bytes).subspan(cut)));
        ASSERT_EQ(driver.frames(), whole) << "cut at " << cut;
    }
}

}  // namespace
}  // namespace sy::amqp

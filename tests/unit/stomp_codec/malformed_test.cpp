// Malformed input and limits: each gives its own error, with nothing consumed.

#include <gtest/gtest.h>

#include "tests/unit/stomp_codec/codec_test_support.hpp"

namespace sy::stomp::test {
namespace {

using namespace std::string_literals;

struct Case {
    const char* name;
    std::string input;
    DecodeStatus status;
    DecodeError error;
};

class StompMalformed : public ::testing::TestWithParam<Case> {};

TEST_P(StompMalformed, Rejected) {
    const Case& c = GetParam();
    Decoder d;
    Frame f;
    const DecodeResult r = d.decode(bytes(c.input), f);
    EXPECT_EQ(r.status, c.status);
    EXPECT_EQ(r.error, c.error);
    EXPECT_EQ(r.consumed, 0u);
    EXPECT_STRNE(message(r.error), "");
}

INSTANTIATE_TEST_SUITE_P(
    Cases, StompMalformed,
    ::testing::Values(
        Case{"unknown_command", "HELLO\n\n\0"s, DecodeStatus::Unsupported,
             DecodeError::UnknownCommand},
        Case{"lowercase_command", "send\n\n\0"s, DecodeStatus::Unsupported,
             DecodeError::UnknownCommand},
        Case{"no_colon", "SEND\nnocolon\n\n\0"s, DecodeStatus::Malformed, DecodeError::MissingColon},
        Case{"empty_name", "SEND\n:v\n\n\0"s, DecodeStatus::Malformed, DecodeError::EmptyHeaderName},
        Case{"bare_cr", "SEND\nk:a\rb\n\n\0"s, DecodeStatus::Malformed,
             DecodeError::BadCarriageReturn},
        Case{"nul_in_headers", "CONNECT\naccept-version:1.2\n\0"s, DecodeStatus::Malformed,
             DecodeError::NulInHeaders},
        Case{"bad_length", "SEND\ncontent-length:12a\n\nx\0"s, DecodeStatus::Malformed,
             DecodeError::BadContentLength},
        Case{"negative_length", "SEND\ncontent-length:-1\n\n\0"s, DecodeStatus::Malformed,
             DecodeError::BadContentLength},
        Case{"no_nul_after_length", "SEND\ncontent-length:2\n\nabc\0"s, DecodeStatus::Malformed,
             DecodeError::MissingNul},
        Case{"huge_length", "SEND\ncontent-length:99999999999\n\n"s, DecodeStatus::TooLarge,
             DecodeError::FrameTooLarge}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(StompLimits, FrameTooLargeWithoutNul) {
    DecoderLimits limits;
    limits.max_frame_size = 64;
    Decoder d(limits);
    Frame f;
    std::string in = "SEND\n\n" + std::string(40, 'x');
    EXPECT_EQ(d.decode(bytes(in), f).status, DecodeStatus::NeedMore);
    in += std::string(40, 'x');
    const auto r = d.decode(bytes(in), f);
    EXPECT_EQ(r.status, DecodeStatus::TooLarge);
    EXPECT_EQ(r.error, DecodeError::FrameTooLarge);
}

TEST(StompLimits, FrameAtTheLimitPasses) {
    DecoderLimits limits;
    limits.max_frame_size = 16;
    const std::string exact = "SEND\n\n123456789\0"s;  // 16 bytes with the NUL
    ASSERT_EQ(exact.size(), 16u);
    EXPECT_EQ(decode_all(exact, Version::V1_2, nullptr, limits).size(), 1u);
    DecodeResult r;
    EXPECT_TRUE(decode_all("SEND\n\n1234567890\0"s, Version::V1_2, &r, limits).empty());
    EXPECT_EQ(r.error, DecodeError::FrameTooLarge);
}

TEST(StompLimits, ContentLengthRefusedFromTheHeader) {
    DecoderLimits limits;
    limits.max_frame_size = 1000;
    DecodeResult r;
    EXPECT_TRUE(decode_all("SEND\ncontent-length:5000\n"s, Version::V1_2, &r, limits).empty());
    EXPECT_EQ(r.status, DecodeStatus::TooLarge);
    EXPECT_EQ(r.error, DecodeError::FrameTooLarge);
}

TEST(StompLimits, TooManyHeaders) {
    DecoderLimits limits;
    limits.max_headers = 3;
    std::string in = "SEND\n";
    for (int i = 0; i < 3; ++i) in += "h" + std::to_string(i) + ":v\n";
    EXPECT_EQ(decode_all(in + "\n\0"s, Version::V1_2, nullptr, limits).size(), 1u);
    DecodeResult r;
    EXPECT_TRUE(decode_all(in + "h9:v\n\n\0"s, Version::V1_2, &r, limits).empty());
    EXPECT_EQ(r.status, DecodeStatus::TooLarge);
    EXPECT_EQ(r.error, DecodeError::TooManyHeaders);
}

TEST(StompLimits, RepeatsCountTowardsTheHeaderLimit) {
    DecoderLimits limits;
    limits.max_headers = 2;
    DecodeResult r;
    EXPECT_TRUE(decode_all("SEND\na:1\na:2\na:3\n\n\0"s, Version::V1_2, &r, limits).empty());
    EXPECT_EQ(r.error, DecodeError::TooManyHeaders);
}

TEST(StompLimits, HeaderTooLongEvenBeforeItsEnd) {
    DecoderLimits limits;
    limits.max_header_length = 10;
    EXPECT_EQ(decode_all("SEND\nk:12345678\n\n\0"s, Version::V1_2, nullptr, limits).size(), 1u);
    // Still arriving, already past the limit: refused without waiting for the line's end.
    Decoder d(limits);
    Frame f;
    const auto r = d.decode(bytes("SEND\nk:1234567890123"), f);
    EXPECT_EQ(r.status, DecodeStatus::TooLarge);
    EXPECT_EQ(r.error, DecodeError::HeaderTooLong);
}

}  // namespace
}  // namespace sy::stomp::test

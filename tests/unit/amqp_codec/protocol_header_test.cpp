// The protocol header (section 4.2.2): 0-9-1 is accepted; any other AMQP version and anything
// that is not AMQP are reported apart, so the session answers with its own header and closes.

#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "tests/unit/amqp_codec/codec_test_support.hpp"

namespace sy::amqp {
namespace {

using test::Bytes;
using test::hex;

TEST(ProtocolHeader, AcceptsZeroNineOne) {
    const auto r = read_protocol_header(hex("41 4d 51 50 00 00 09 01"));
    EXPECT_EQ(r.status, HeaderStatus::Supported);
    EXPECT_EQ(r.consumed, 8u);
    EXPECT_EQ(r.received, kSupportedProtocol);
}

TEST(ProtocolHeader, ConsumesOnlyTheHeaderWhenFramesFollow) {
    const Bytes bytes = test::concat({hex("41 4d 51 50 00 00 09 01"), hex("08 00 00 00 00 00 00 ce")});
    const auto r = read_protocol_header(bytes);
    ASSERT_EQ(r.status, HeaderStatus::Supported);
    EXPECT_EQ(test::decode_one(std::span(bytes).subspan(r.consumed)).frame, Frame(Heartbeat{}));
}

TEST(ProtocolHeader, EveryPrefixNeedsMore) {
    const Bytes bytes = hex("41 4d 51 50 00 00 09 01");
    for (std::size_t n = 0; n < bytes.size(); ++n) {
        const auto r = read_protocol_header(std::span(bytes).first(n));
        EXPECT_EQ(r.status, HeaderStatus::NeedMore) << n;
        EXPECT_EQ(r.consumed, 0u);
    }
}

TEST(ProtocolHeader, EncodeWritesTheSupportedHeaderAndReadsBack) {
    ByteWriter w;
    encode_protocol_header(w);
    EXPECT_EQ(Bytes(w.view().begin(), w.view().end()), test::bytes_of(std::string("AMQP\0\0\x09\x01", 8)));
    EXPECT_EQ(read_protocol_header(w.view()).status, HeaderStatus::Supported);
}

struct OtherVersion {
    std::string name;
    std::string bytes;
    ProtocolHeader received;
};

// gtest names the case instead of dumping its bytes.
void PrintTo(const OtherVersion& c, std::ostream* os) { *os << c.name; }

class OtherAmqpVersion : public ::testing::TestWithParam<OtherVersion> {};

TEST_P(OtherAmqpVersion, IsUnsupportedWithTheVersionReported) {
    const auto r = read_protocol_header(hex(GetParam().bytes));
    EXPECT_EQ(r.status, HeaderStatus::Unsupported);
    EXPECT_EQ(r.consumed, 0u);
    EXPECT_EQ(r.received, GetParam().received);
}

INSTANTIATE_TEST_SUITE_P(
    Amqp, OtherAmqpVersion,
    ::testing::Values(OtherVersion{"Amqp0_9", "41 4d 51 50 01 01 00 09", {1, 1, 0, 9}},
                      OtherVersion{"Amqp0_8", "41 4d 51 50 01 01 08 00", {1, 1, 8, 0}},
                      OtherVersion{"Amqp1_0", "41 4d 51 50 00 01 00 00", {0, 1, 0, 0}},
                      OtherVersion{"Amqp1_0Sasl", "41 4d 51 50 03 01 00 00", {3, 1, 0, 0}},
                      OtherVersion{"Amqp1_0Tls", "41 4d 51 50 02 01 00 00", {2, 1, 0, 0}},
                      OtherVersion{"Amqp0_9_0", "41 4d 51 50 00 00 09 00", {0, 0, 9, 0}},
                      OtherVersion{"Amqp0_9_2", "41 4d 51 50 00 00 09 02", {0, 0, 9, 2}}),
    [](const auto& param_info) { return param_info.param.name; });

class NotAmqp : public ::testing::TestWithParam<std::string> {};

TEST_P(NotAmqp, IsReportedWithoutWaitingForEightOctets) {
    const auto r = read_protocol_header(hex(GetParam()));
    EXPECT_EQ(r.status, HeaderStatus::NotAmqp);
    EXPECT_EQ(r.consumed, 0u);
}

INSTANTIATE_TEST_SUITE_P(Amqp, NotAmqp,
                         ::testing::Values("47",                       // "G" of an HTTP GET
                                           "16 03 01",                 // a TLS ClientHello
                                           "41 58",                    // "AX"
                                           "41 4d 51 58 00 00 09 01",  // "AMQX"
                                           "61 6d 71 70 00 00 09 01",  // lower case
                                           "01 00 00 00 00 00 04"));   // a frame, no header

}  // namespace
}  // namespace sy::amqp

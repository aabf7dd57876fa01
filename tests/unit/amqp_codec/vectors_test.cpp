// Byte vectors for the frames real peers exchange: RabbitMQ's connection.start (server
// properties with the nested capabilities table), pika's start-ok with a PLAIN response, the
// tune/open handshake, and the channel, queue, publish and deliver traffic after it. The bytes
// were built by a separate encoder from the spec, not by this codec. Each vector is decoded
// whole, byte by byte, split at every offset, and re-encoded to the same bytes.

#include <gtest/gtest.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "tests/unit/amqp_codec/codec_test_support.hpp"

namespace sy::amqp {
namespace {

using namespace std::string_literals;
using test::Bytes;
using test::hex;
using test::method_frame;

struct Vector {
    std::string name;
    std::string bytes;  // hex
    std::vector<Frame> expected;
};

// gtest names the case instead of dumping its bytes.
void PrintTo(const Vector& c, std::ostream* os) { *os << c.name; }

FieldTable rabbitmq_server_properties() {
    const FieldTable capabilities = {
        {"publisher_confirms", true},       {"exchange_exchange_bindings", true},
        {"basic.nack", true},               {"consumer_cancel_notify", true},
        {"connection.blocked", true},       {"consumer_priorities", true},
        {"authentication_failure_close", true}, {"per_consumer_qos", true},
        {"direct_reply_to", true}};
    return {{"capabilities", capabilities},
            {"cluster_name", "rabbit@broker"s},
            {"copyright", "Copyright (c) 2007-2024 Broadcom Inc and/or its subsidiaries"s},
            {"information", "Licensed under the MPL 2.0. Website: https://rabbitmq.com"s},
            {"platform", "Erlang/OTP 26.2.5"s},
            {"product", "RabbitMQ"s},
            {"version", "3.13.7"s}};
}

FieldTable pika_client_properties() {
    const FieldTable capabilities = {{"authentication_failure_close", true},
                                     {"basic.nack", true},
                                     {"connection.blocked", true},
                                     {"consumer_cancel_notify", true},
                                     {"publisher_confirms", true}};
    return {{"product", "Pika Python Client Library"s},
            {"platform", "Python 3.11.2"s},
            {"capabilities", capabilities},
            {"information", "See http://pika.rtfd.org"s},
            {"version", "1.3.2"s}};
}

std::vector<Vector> handshake_vectors() {
    std::vector<Vector> v;
    v.push_back({"ConnectionStartRabbitMq",
                 "01 00 00 00 00 01 f9 00 0a 00 0a 00 09 00 00 01 d4 0c 63 61 70 61 62 69 6c 69"
                 "74 69 65 73 46 00 00 00 c7 12 70 75 62 6c 69 73 68 65 72 5f 63 6f 6e 66 69 72"
                 "6d 73 74 01 1a 65 78 63 68 61 6e 67 65 5f 65 78 63 68 61 6e 67 65 5f 62 69 6e"
                 "64 69 6e 67 73 74 01 0a 62 61 73 69 63 2e 6e 61 63 6b 74 01 16 63 6f 6e 73 75"
                 "6d 65 72 5f 63 61 6e 63 65 6c 5f 6e 6f 74 69 66 79 74 01 12 63 6f 6e 6e 65 63"
                 "74 69 6f 6e 2e 62 6c 6f 63 6b 65 64 74 01 13 63 6f 6e 73 75 6d 65 72 5f 70 72"
                 "69 6f 72 69 74 69 65 73 74 01 1c 61 75 74 68 65 6e 74 69 63 61 74 69 6f 6e 5f"
                 "66 61 69 6c 75 72 65 5f 63 6c 6f 73 65 74 01 10 70 65 72 5f 63 6f 6e 73 75 6d"
                 "65 72 5f 71 6f 73 74 01 0f 64 69 72 65 63 74 5f 72 65 70 6c 79 5f 74 6f 74 01"
                 "0c 63 6c 75 73 74 65 72 5f 6e 61 6d 65 53 00 00 00 0d 72 61 62 62 69 74 40 62"
                 "72 6f 6b 65 72 09 63 6f 70 79 72 69 67 68 74 53 00 00 00 3c 43 6f 70 79 72 69"
                 "67 68 74 20 28 63 29 20 32 30 30 37 2d 32 30 32 34 20 42 72 6f 61 64 63 6f 6d"
                 "20 49 6e 63 20 61 6e 64 2f 6f 72 20 69 74 73 20 73 75 62 73 69 64 69 61 72 69"
                 "65 73 0b 69 6e 66 6f 72 6d 61 74 69 6f 6e 53 00 00 00 39 4c 69 63 65 6e 73 65"
                 "64 20 75 6e 64 65 72 20 74 68 65 20 4d 50 4c 20 32 2e 30 2e 20 57 65 62 73 69"
                 "74 65 3a 20 68 74 74 70 73 3a 2f 2f 72 61 62 62 69 74 6d 71 2e 63 6f 6d 08 70"
                 "6c 61 74 66 6f 72 6d 53 00 00 00 11 45 72 6c 61 6e 67 2f 4f 54 50 20 32 36 2e"
                 "32 2e 35 07 70 72 6f 64 75 63 74 53 00 00 00 08 52 61 62 62 69 74 4d 51 07 76"
                 "65 72 73 69 6f 6e 53 00 00 00 06 33 2e 31 33 2e 37 00 00 00 0e 41 4d 51 50 4c"
                 "41 49 4e 20 50 4c 41 49 4e 00 00 00 05 65 6e 5f 55 53 ce",
                 {method_frame(0, ConnectionStart{0, 9, rabbitmq_server_properties(),
                                                  "AMQPLAIN PLAIN", "en_US"})}});
    v.push_back({"ConnectionStartOkPikaPlain",
                 "01 00 00 00 00 01 22 00 0a 00 0b 00 00 00 fe 07 70 72 6f 64 75 63 74 53 00 00"
                 "00 1a 50 69 6b 61 20 50 79 74 68 6f 6e 20 43 6c 69 65 6e 74 20 4c 69 62 72 61"
                 "72 79 08 70 6c 61 74 66 6f 72 6d 53 00 00 00 0d 50 79 74 68 6f 6e 20 33 2e 31"
                 "31 2e 32 0c 63 61 70 61 62 69 6c 69 74 69 65 73 46 00 00 00 6f 1c 61 75 74 68"
                 "65 6e 74 69 63 61 74 69 6f 6e 5f 66 61 69 6c 75 72 65 5f 63 6c 6f 73 65 74 01"
                 "0a 62 61 73 69 63 2e 6e 61 63 6b 74 01 12 63 6f 6e 6e 65 63 74 69 6f 6e 2e 62"
                 "6c 6f 63 6b 65 64 74 01 16 63 6f 6e 73 75 6d 65 72 5f 63 61 6e 63 65 6c 5f 6e"
                 "6f 74 69 66 79 74 01 12 70 75 62 6c 69 73 68 65 72 5f 63 6f 6e 66 69 72 6d 73"
                 "74 01 0b 69 6e 66 6f 72 6d 61 74 69 6f 6e 53 00 00 00 18 53 65 65 20 68 74 74"
                 "70 3a 2f 2f 70 69 6b 61 2e 72 74 66 64 2e 6f 72 67 07 76 65 72 73 69 6f 6e 53"
                 "00 00 00 05 31 2e 33 2e 32 05 50 4c 41 49 4e 00 00 00 0c 00 67 75 65 73 74 00"
                 "67 75 65 73 74 05 65 6e 5f 55 53 ce",
                 {method_frame(0, ConnectionStartOk{pika_client_properties(), "PLAIN",
                                                    "\0guest\0guest"s, "en_US"})}});
    v.push_back({"ConnectionTune", "01 00 00 00 00 00 0c 00 0a 00 1e 07 ff 00 02 00 00 00 3c ce",
                 {method_frame(0, ConnectionTune{2047, 131072, 60})}});
    v.push_back({"ConnectionTuneOk", "01 00 00 00 00 00 0c 00 0a 00 1f 07 ff 00 02 00 00 00 3c ce",
                 {method_frame(0, ConnectionTuneOk{2047, 131072, 60})}});
    v.push_back({"ConnectionOpen", "01 00 00 00 00 00 08 00 0a 00 28 01 2f 00 00 ce",
                 {method_frame(0, ConnectionOpen{"/", "", false})}});
    v.push_back({"ConnectionOpenOk", "01 00 00 00 00 00 05 00 0a 00 29 00 ce",
                 {method_frame(0, ConnectionOpenOk{})}});
    v.push_back({"ConnectionClose",
                 "01 00 00 00 00 00 1a 00 0a 00 32 00 c8 0f 4e 6f 72 6d 61 6c 20 73 68 75 74 64"
                 "6f 77 6e 00 00 00 00 ce",
                 {method_frame(0, ConnectionClose{200, "Normal shutdown", 0, 0})}});
    v.push_back({"ConnectionCloseOk", "01 00 00 00 00 00 04 00 0a 00 33 ce",
                 {method_frame(0, ConnectionCloseOk{})}});
    v.push_back({"Heartbeat", "08 00 00 00 00 00 00 ce", {Heartbeat{}}});
    return v;
}

std::vector<Vector> channel_vectors() {
    std::vector<Vector> v;
    v.push_back({"ChannelOpen", "01 00 01 00 00 00 05 00 14 00 0a 00 ce",
                 {method_frame(1, ChannelOpen{})}});
    v.push_back({"ChannelOpenOk", "01 00 01 00 00 00 08 00 14 00 0b 00 00 00 00 ce",
                 {method_frame(1, ChannelOpenOk{})}});
    v.push_back({"ChannelCloseNotFound",
                 "01 00 01 00 00 00 23 00 14 00 28 01 94 18 4e 4f 54 5f 46 4f 55 4e 44 20 2d 20"
                 "6e 6f 20 71 75 65 75 65 20 27 71 27 00 32 00 0a ce",
                 {method_frame(1, ChannelClose{404, "NOT_FOUND - no queue 'q'", 50, 10})}});
    // durable only: the second bit of the passive/durable/exclusive/auto-delete/no-wait octet.
    v.push_back({"QueueDeclareDurableWithArguments",
                 "01 00 01 00 00 00 40 00 32 00 0a 00 00 05 68 65 6c 6c 6f 02 00 00 00 2f 0c 78"
                 "2d 71 75 65 75 65 2d 74 79 70 65 53 00 00 00 07 63 6c 61 73 73 69 63 0c 78 2d"
                 "6d 61 78 2d 6c 65 6e 67 74 68 6c 00 00 00 00 00 00 03 e8 ce",
                 {method_frame(1, QueueDeclare{0, "hello", false, true, false, false, false,
                                               {{"x-queue-type", "classic"s},
                                                {"x-max-length", std::int64_t{1000}}}})}});
    v.push_back({"QueueDeclareOk",
                 "01 00 01 00 00 00 12 00 32 00 0b 05 68 65 6c 6c 6f 00 00 00 03 00 00 00 01 ce",
                 {method_frame(1, QueueDeclareOk{"hello", 3, 1})}});
    // durable, auto-delete, internal, no-wait set; passive clear: 0b11110.
    v.push_back({"ExchangeDeclareFourBits",
                 "01 00 01 00 00 00 16 00 28 00 0a 00 00 04 6c 6f 67 73 05 74 6f 70 69 63 1e 00"
                 "00 00 00 ce",
                 {method_frame(1, ExchangeDeclare{0, "logs", "topic", false, true, true, true,
                                                  true, {}})}});
    v.push_back({"BasicQos", "01 00 01 00 00 00 0b 00 3c 00 0a 00 00 00 00 00 0a 00 ce",
                 {method_frame(1, BasicQos{0, 10, false})}});
    // no-ack and exclusive: 0b0110.
    v.push_back({"BasicConsumeWithPriority",
                 "01 00 01 00 00 00 29 00 3c 00 14 00 00 05 68 65 6c 6c 6f 07 63 74 61 67 31 2e"
                 "30 06 00 00 00 10 0a 78 2d 70 72 69 6f 72 69 74 79 49 00 00 00 05 ce",
                 {method_frame(1, BasicConsume{0, "hello", "ctag1.0", false, true, true, false,
                                               {{"x-priority", std::int32_t{5}}}})}});
    v.push_back({"BasicAckMultiple", "01 00 01 00 00 00 0d 00 3c 00 50 00 00 00 00 00 00 00 07 01 ce",
                 {method_frame(1, BasicAck{7, true})}});
    v.push_back({"BasicNackMultipleRequeue",
                 "01 00 01 00 00 00 0d 00 3c 00 78 ff ff ff ff ff ff ff ff 03 ce",
                 {method_frame(1, BasicNack{0xFFFFFFFFFFFFFFFF, true, true})}});
    v.push_back({"ConfirmSelect", "01 00 01 00 00 00 05 00 55 00 0a 00 ce",
                 {method_frame(1, ConfirmSelect{false})}});
    return v;
}

std::vector<Vector> content_vectors() {
    std::vector<Vector> v;
    BasicProperties persistent;
    persistent.content_type = "text/plain";
    persistent.delivery_mode = 2;
    v.push_back({"PublishHeaderBody",
                 "01 00 01 00 00 00 0e 00 3c 00 28 00 00 00 05 68 65 6c 6c 6f 01 ce"
                 "02 00 01 00 00 00 1a 00 3c 00 00 00 00 00 00 00 00 00 0c 90 00 0a 74 65 78 74"
                 "2f 70 6c 61 69 6e 02 ce"
                 "03 00 01 00 00 00 0c 48 65 6c 6c 6f 20 57 6f 72 6c 64 21 ce",
                 {method_frame(1, BasicPublish{0, "", "hello", true, false}),
                  ContentHeader{1, kBasicClass, 12, persistent},
                  ContentBody{1, "Hello World!"}}});
    v.push_back({"BasicDeliverRedelivered",
                 "01 00 01 00 00 00 23 00 3c 00 3c 07 63 74 61 67 31 2e 30 00 00 00 00 00 00 00"
                 "01 01 09 61 6d 71 2e 74 6f 70 69 63 03 61 2e 62 ce",
                 {method_frame(1, BasicDeliver{"ctag1.0", 1, true, "amq.topic", "a.b"})}});
    BasicProperties all;
    all.content_type = "application/json";
    all.content_encoding = "gzip";
    all.headers = FieldTable{{"k", "v"s}, {"n", std::int16_t{-2}}};
    all.delivery_mode = 2;
    all.priority = 9;
    all.correlation_id = "corr";
    all.reply_to = "reply";
    all.expiration = "60000";
    all.message_id = "mid";
    all.timestamp = 1700000000;
    all.type = "t";
    all.user_id = "guest";
    all.app_id = "app";
    all.cluster_id = "cl";
    v.push_back({"HeaderWithAllFourteenProperties",
                 "02 00 05 00 00 00 63 00 3c 00 00 00 00 00 00 00 00 00 00 ff fc 10 61 70 70 6c"
                 "69 63 61 74 69 6f 6e 2f 6a 73 6f 6e 04 67 7a 69 70 00 00 00 0d 01 6b 53 00 00"
                 "00 01 76 01 6e 73 ff fe 02 09 04 63 6f 72 72 05 72 65 70 6c 79 05 36 30 30 30"
                 "30 03 6d 69 64 00 00 00 00 65 53 f1 00 01 74 05 67 75 65 73 74 03 61 70 70 02"
                 "63 6c ce",
                 {ContentHeader{5, kBasicClass, 0, all}}});
    return v;
}

std::vector<Vector> all_vectors() {
    std::vector<Vector> all;
    for (auto part : {handshake_vectors(), channel_vectors(), content_vectors()}) {
        all.insert(all.end(), part.begin(), part.end());
    }
    return all;
}

class VectorTest : public ::testing::TestWithParam<Vector> {};

TEST_P(VectorTest, DecodesWhole) {
    const Vector& v = GetParam();
    const Bytes bytes = hex(v.bytes);
    test::StreamDriver driver;
    ASSERT_TRUE(driver.feed(bytes)) << driver.last_error().error;
    EXPECT_EQ(driver.buffered(), 0u);
    EXPECT_EQ(driver.frames(), v.expected);
}

TEST_P(VectorTest, FirstFrameConsumesExactlyItsLength) {
    const Vector& v = GetParam();
    const Bytes bytes = hex(v.bytes);
    const auto first = test::encoded(v.expected.front());
    const auto r = test::decode_one(bytes);
    ASSERT_EQ(r.result.status, DecodeStatus::Complete) << r.result.error;
    EXPECT_EQ(r.result.consumed, first.size());
    EXPECT_EQ(r.frame, v.expected.front());
}

TEST_P(VectorTest, EveryPrefixNeedsMore) {
    const Vector& v = GetParam();
    const Bytes bytes = hex(v.bytes);
    const std::size_t first = test::encoded(v.expected.front()).size();
    for (std::size_t n = 0; n < first; ++n) {
        const auto r = test::decode_one(std::span(bytes).first(n));
        EXPECT_EQ(r.result.status, DecodeStatus::NeedMore) << "prefix of " << n;
        EXPECT_EQ(r.result.consumed, 0u);
    }
}

TEST_P(VectorTest, ByteByByteStream) {
    const Vector& v = GetParam();
    const Bytes bytes = hex(v.bytes);
    test::StreamDriver driver;
    for (std::byte b : bytes) {
        ASSERT_TRUE(driver.feed(std::span(&b, 1))) << driver.last_error().error;
    }
    EXPECT_EQ(driver.buffered(), 0u);
    EXPECT_EQ(driver.frames(), v.expected);
}

TEST_P(VectorTest, SplitAtEveryOffset) {
    const Vector& v = GetParam();
    const Bytes bytes = hex(v.bytes);
    for (std::size_t cut = 0; cut <= bytes.size(); ++cut) {
        test::StreamDriver driver;
        ASSERT_TRUE(driver.feed(std::span(bytes).first(cut)));
        ASSERT_TRUE(driver.feed(std::span(bytes).subspan(cut))) << "cut at " << cut;
        EXPECT_EQ(driver.frames(), v.expected) << "cut at " << cut;
    }
}

TEST_P(VectorTest, BackToBackWithItself) {
    const Vector& v = GetParam();
    const Bytes bytes = test::concat({hex(v.bytes), hex(v.bytes)});
    test::StreamDriver driver;
    ASSERT_TRUE(driver.feed(bytes));
    std::vector<Frame> twice = v.expected;
    twice.insert(twice.end(), v.expected.begin(), v.expected.end());
    EXPECT_EQ(driver.frames(), twice);
}

TEST_P(VectorTest, ReEncodesToTheSameBytes) {
    const Vector& v = GetParam();
    EXPECT_EQ(test::encoded(v.expected), hex(v.bytes));
}

INSTANTIATE_TEST_SUITE_P(Amqp, VectorTest, ::testing::ValuesIn(all_vectors()),
                         [](const auto& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace sy::amqp

// One rejected input per MUST rule on the bytes, with the status and the v5 reason code the
// session will answer with.

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "protocols/common/varint.hpp"
#include "tests/unit/mqtt_codec/codec_test_support.hpp"

namespace sy::mqtt {
namespace {

using test::hex;

constexpr auto kV311 = ProtocolVersion::V311;
constexpr auto kV5 = ProtocolVersion::V5;
constexpr auto kMalformed = DecodeStatus::Malformed;
constexpr std::uint8_t k81 = reason::kMalformedPacket;
constexpr std::uint8_t k82 = reason::kProtocolError;

struct BadCase {
    std::string name;
    std::optional<ProtocolVersion> version;  // nullopt: fresh server decoder
    std::string bytes;
    DecodeStatus status = kMalformed;
    std::uint8_t reason = k81;
};

// CONNECT bodies are long; these build one from its parts.
// "MQTT" level 4 or 5, the given flags, keep alive 0.
std::string connect_header(int level, const std::string& flags) {
    return "00 04 4d 51 54 54 0" + std::to_string(level) + " " + flags + " 00 00";
}

std::vector<BadCase> fixed_header_cases() {
    return {
        {"ReservedType0", kV311, "00 00"},
        {"AuthIn311", kV311, "f0 00"},
        {"ConnectFlags", std::nullopt, "11"},  // [MQTT-2.2.2-1,2], judged from byte 1 alone
        {"PubackFlags", kV311, "42 02 00 01"},
        {"PubrelFlags0", kV311, "60 02 00 01"},
        {"SubscribeFlags0", kV311, "80"},
        {"UnsubscribeFlags0", kV5, "a0"},
        {"PingreqFlags", kV311, "c1 00"},
        {"DisconnectFlags", kV5, "e8 00"},
        {"PublishQos3", kV311, "36"},              // [MQTT-3.3.1-4]
        {"PublishQos0Dup", kV5, "38 03 00 01 74"},  // [MQTT-3.3.1-2]
        {"RemainingLengthFiveBytes", kV311, "30 ff ff ff ff 01"},
        {"PingreqWithBody", kV311, "c0 01 00"},
        {"Puback311Length3", kV311, "40 03 00 01 00"},
        {"Connack311Length3", kV311, "20 03 00 00 00"},
        {"Disconnect311Length1", kV311, "e0 01 00"},
        {"Unsuback311WithCodes", kV311, "b0 03 00 01 00"},
    };
}

std::vector<BadCase> connect_cases() {
    const auto client = std::string(" 00 01 63");
    return {
        {"ConnectLevel6", std::nullopt, "10 0d " + connect_header(6, "02") + client,
         DecodeStatus::Unsupported, reason::kUnsupportedProtocolVersion},
        {"ConnectMqttLevel3", std::nullopt, "10 0d " + connect_header(3, "02") + client,
         DecodeStatus::Unsupported, reason::kUnsupportedProtocolVersion},
        {"ConnectMqisdpLevel4", std::nullopt,
         "10 0f 00 06 4d 51 49 73 64 70 04 02 00 00 00 01 63", DecodeStatus::Unsupported,
         reason::kUnsupportedProtocolVersion},
        {"ConnectUnknownName", std::nullopt, "10 0d 00 04 4d 51 54 58 04 02 00 00 00 01 63",
         DecodeStatus::Unsupported, reason::kUnsupportedProtocolVersion},
        {"ConnectReservedFlag", std::nullopt, "10 0d " + connect_header(4, "03") + client},
        {"ConnectWillQosWithoutWill", std::nullopt, "10 0d " + connect_header(4, "0a") + client},
        {"ConnectWillRetainWithoutWill", std::nullopt,
         "10 0d " + connect_header(4, "22") + client},
        {"ConnectWillQos3", std::nullopt,
         "10 12 " + connect_header(4, "1e") + client + " 00 01 74 00 00"},
        {"ConnectPasswordWithoutUser311", std::nullopt,
         "10 11 " + connect_header(4, "42") + client + " 00 02 70 77"},
        {"ConnectTruncatedClientId", std::nullopt,
         "10 0d " + connect_header(4, "02") + " 00 05 63"},
        {"ConnectMissingPassword", std::nullopt, "10 0d " + connect_header(4, "c2") + client},
        {"ConnectTrailingByte", std::nullopt, "10 0e " + connect_header(4, "02") + client + " 00"},
        {"ConnectOverlongNul", std::nullopt, "10 0e " + connect_header(4, "02") + " 00 02 c0 80"},
        {"ConnectNulInClientId", std::nullopt, "10 0d " + connect_header(4, "02") + " 00 01 00"},
        {"ConnectSurrogate", std::nullopt, "10 0f " + connect_header(4, "02") + " 00 03 ed a0 80"},
        {"ConnectTruncatedUtf8", std::nullopt, "10 0e " + connect_header(4, "02") + " 00 02 e2 82"},
        {"ConnectAboveMaxCodePoint", std::nullopt,
         "10 10 " + connect_header(4, "02") + " 00 04 f4 90 80 80"},
        {"ConnectLoneContinuation", std::nullopt,
         "10 0d " + connect_header(4, "02") + " 00 01 80"},
    };
}

std::vector<BadCase> property_cases() {
    const auto tail = std::string(" 00 00");  // empty client id
    return {
        {"ReceiveMaximum0", std::nullopt,
         "10 10 " + connect_header(5, "02") + " 03 21 00 00" + tail, kMalformed, k82},
        {"MaximumPacketSize0", std::nullopt,
         "10 12 " + connect_header(5, "02") + " 05 27 00 00 00 00" + tail, kMalformed, k82},
        {"DuplicateSessionExpiry", std::nullopt,
         "10 17 " + connect_header(5, "02") + " 0a 11 00 00 00 01 11 00 00 00 02" + tail,
         kMalformed, k82},
        {"TopicAliasOnConnect", std::nullopt,
         "10 10 " + connect_header(5, "02") + " 03 23 00 01" + tail},
        {"UnknownPropertyId", std::nullopt,
         "10 0f " + connect_header(5, "02") + " 02 7f 00" + tail},
        {"MultiBytePropertyId", std::nullopt,
         "10 0f " + connect_header(5, "02") + " 02 80 01" + tail},
        {"PropertyLengthPastEnd", std::nullopt,
         "10 0f " + connect_header(5, "02") + " 09 11 00" + tail},
        {"PropertyValueTruncated", std::nullopt,
         "10 0f " + connect_header(5, "02") + " 02 11 00" + tail},
        {"AuthDataWithoutMethod", std::nullopt,
         "10 10 " + connect_header(5, "02") + " 03 16 00 00" + tail, kMalformed, k82},
        {"RequestProblemInformation2", std::nullopt,
         "10 0f " + connect_header(5, "02") + " 02 17 02" + tail, kMalformed, k82},
        {"ReceiveMaximumInWill", std::nullopt,
         "10 16 " + connect_header(5, "06") + " 00" + tail + " 03 21 00 05 00 01 74 00 00"},
        {"UserPropertyBadUtf8", kV5, "40 0a 00 01 00 06 26 00 01 ff 00 00"},
        {"ReasonStringOnPublish", kV5, "30 08 00 01 74 04 1f 00 01 78"},
        {"MaximumQos2", kV5, "20 05 00 00 02 24 02", kMalformed, k82},
        {"SubscriptionIdInConnack", kV5, "20 05 00 00 02 0b 01"},
        {"DuplicateReasonString", kV5, "40 0c 00 01 80 08 1f 00 01 78 1f 00 01 79", kMalformed,
         k82},
    };
}

std::vector<BadCase> publish_cases() {
    return {
        {"PublishPlusInTopic", kV311, "30 05 00 03 61 2f 2b"},  // [MQTT-3.3.2-2]
        {"PublishHashInTopic", kV5, "30 04 00 01 23 00"},
        {"PublishEmptyTopic311", kV311, "30 03 00 00 78"},  // [MQTT-4.7.3-1]
        {"PublishEmptyTopicNoAlias5", kV5, "30 03 00 00 00", kMalformed, k82},
        {"PublishTopicAlias0", kV5, "30 07 00 01 74 03 23 00 00", kMalformed,
         reason::kTopicAliasInvalid},
        {"PublishPacketId0", kV311, "32 05 00 01 74 00 00"},  // [MQTT-2.3.1-1]
        {"PublishMissingPacketId", kV311, "32 04 00 01 74 00"},
        {"PublishSubscriptionId0", kV5, "30 06 00 01 74 02 0b 00", kMalformed, k82},
        {"PublishPayloadFormat2", kV5, "30 06 00 01 74 02 01 02", kMalformed, k82},
        {"PublishTopicPastEnd", kV311, "30 03 00 05 61"},
        {"PubackPacketId0", kV311, "40 02 00 00"},
        {"Pubrel5PropertyPastEnd", kV5, "62 05 00 01 00 05 1f"},
    };
}

std::vector<BadCase> subscribe_cases() {
    return {
        {"Subscribe311NoFilter", kV311, "82 02 00 01", kMalformed, k82},  // [MQTT-3.8.3-3]
        {"Subscribe5NoFilter", kV5, "82 03 00 01 00", kMalformed, k82},
        {"Subscribe311UpperBits", kV311, "82 06 00 01 00 01 74 04"},  // [MQTT-3-8.3-4]
        {"Subscribe311Qos3", kV311, "82 06 00 01 00 01 74 03"},
        {"Subscribe5ReservedBits", kV5, "82 07 00 01 00 00 01 74 40"},  // [MQTT-3.8.3-5]
        {"Subscribe5Qos3", kV5, "82 07 00 01 00 00 01 74 03"},
        {"Subscribe5RetainHandling3", kV5, "82 07 00 01 00 00 01 74 30", kMalformed, k82},
        {"Subscribe5TwoSubscriptionIds", kV5, "82 0b 00 01 04 0b 01 0b 02 00 01 74 00",
         kMalformed, k82},
        {"SubscribePacketId0", kV311, "82 06 00 00 00 01 74 00"},
        {"SubscribeMissingOptions", kV311, "82 05 00 01 00 01 74"},
        {"SubscribeFilterBadUtf8", kV311, "82 06 00 01 00 01 fe 00"},
        {"Unsubscribe311NoFilter", kV311, "a2 02 00 01", kMalformed, k82},  // [MQTT-3.10.3-2]
        {"Unsubscribe5NoFilter", kV5, "a2 03 00 01 00", kMalformed, k82},
        {"UnsubscribeFilterNul", kV5, "a2 06 00 01 00 00 01 00"},
        {"Suback311ReservedCode", kV311, "90 03 00 01 03"},  // [MQTT-3.9.3-2]
        {"SubackNoCodes", kV311, "90 02 00 01", kMalformed, k82},
        {"Unsuback5NoCodes", kV5, "b0 03 00 01 00", kMalformed, k82},
        {"ConnackReservedFlags", kV311, "20 02 02 00"},
        {"ConnackSessionPresentOnRefusal", kV311, "20 02 01 05"},  // [MQTT-3.2.2-4]
        {"Connack5MissingProperties", kV5, "20 02 00 00"},
        {"Disconnect5PropertyNotAllowed", kV5, "e0 04 00 02 23 00"},
    };
}

std::vector<BadCase> all_cases() {
    std::vector<BadCase> all;
    for (auto part : {fixed_header_cases(), connect_cases(), property_cases(), publish_cases(),
                      subscribe_cases()}) {
        all.insert(all.end(), part.begin(), part.end());
    }
    return all;
}

class BadInputTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadInputTest, IsRejected) {
    const BadCase& c = GetParam();
    const auto bytes = hex(c.bytes);
    // Each case must be exactly one packet as framed, so it fails for the rule it names and
    // not because its length byte is off.
    const VarintRead length = read_varint(std::span(bytes).subspan(1));
    if (length.status == VarintStatus::Ok) {
        ASSERT_EQ(1 + length.length + length.value, bytes.size()) << "vector framing";
    }
    Decoder d = test::make_decoder(c.version);
    const ProtocolVersion before = d.version();
    Packet p;
    const DecodeResult r = d.decode(bytes, p);
    EXPECT_EQ(r.status, c.status);
    EXPECT_EQ(r.reason, c.reason);
    ASSERT_NE(r.error, nullptr);
    EXPECT_EQ(r.consumed, 0u);
    RecordProperty("error", r.error);
    // A refused CONNECT does not switch the decoder to its version.
    EXPECT_EQ(d.version(), before);
}

INSTANTIATE_TEST_SUITE_P(Mqtt, BadInputTest, ::testing::ValuesIn(all_cases()),
                         [](const auto& param_info) { return param_info.param.name; });

// A lone first byte is enough to refuse bad fixed-header flags without waiting for the length.
TEST(FixedHeader, BadFlagsNeedOnlyTheFirstByte) {
    for (const char* first : {"11", "36", "38", "42", "60", "80", "a0", "c8", "f1"}) {
        const auto r = test::decode_one(hex(first), ProtocolVersion::V5);
        EXPECT_EQ(r.result.status, DecodeStatus::Malformed) << first;
    }
}

TEST(FixedHeader, LengthHeldBackWaitsForMore) {
    for (const char* partial : {"30", "30 80", "30 ff ff", "30 ff ff ff"}) {
        const auto r = test::decode_one(hex(partial), ProtocolVersion::V311);
        EXPECT_EQ(r.result.status, DecodeStatus::NeedMore) << partial;
    }
}

}  // namespace
}  // namespace sy::mqtt

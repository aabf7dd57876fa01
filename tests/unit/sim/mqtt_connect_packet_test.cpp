#include "firmware-sim/mqtt_connect_packet.hpp"

#include <gtest/gtest.h>

namespace sy::sim {
namespace {

using namespace std::string_literals;

TEST(MqttConnectPacket, Connect311) {
    EXPECT_EQ(encode_connect("ab", 60, 3),
              "\x10\x0e\x00\x04MQTT\x04\x02\x00\x3c\x00\x02"
              "ab"s);
}

TEST(MqttConnectPacket, Connect5HasAnEmptyPropertyList) {
    EXPECT_EQ(encode_connect("ab", 0, 5),
              "\x10\x0f\x00\x04MQTT\x05\x02\x00\x00\x00\x00\x02"
              "ab"s);
}

TEST(MqttConnectPacket, LongClientIdUsesATwoByteLength) {
    const std::string id(200, 'x');
    const std::string packet = encode_connect(id, 30, 3);
    // 12 bytes before the id, so 212 remaining: 0xd4 0x01 as a variable byte integer.
    EXPECT_EQ(packet.substr(0, 3), "\x10\xd4\x01"s);
    EXPECT_EQ(packet.size(), 3u + 212u);
}

TEST(MqttConnectPacket, Connack) {
    using S = ConnackResult::Status;
    EXPECT_EQ(parse_connack("").status, S::NeedMore);
    EXPECT_EQ(parse_connack("\x20"s).status, S::NeedMore);
    EXPECT_EQ(parse_connack("\x20\x02\x00"s).status, S::NeedMore);
    auto ok = parse_connack("\x20\x02\x00\x00"s);
    EXPECT_EQ(ok.status, S::Accepted);
    EXPECT_EQ(ok.size, 4u);
    auto refused = parse_connack("\x20\x02\x00\x05"s);
    EXPECT_EQ(refused.status, S::Refused);
    EXPECT_EQ(refused.code, 5);
    // MQTT 5: reason code 0x84 (unsupported protocol version) and a property list.
    auto v5 = parse_connack("\x20\x03\x00\x84\x00"s);
    EXPECT_EQ(v5.status, S::Refused);
    EXPECT_EQ(v5.code, 0x84);
    EXPECT_EQ(parse_connack("\x30\x02\x00\x00"s).status, S::Malformed);
    EXPECT_EQ(parse_connack("\x20\x01\x00"s).status, S::Malformed);
    EXPECT_EQ(parse_connack("\x20\xff\xff\xff\xff\x01"s).status, S::Malformed);
}

}  // namespace
}  // namespace sy::sim

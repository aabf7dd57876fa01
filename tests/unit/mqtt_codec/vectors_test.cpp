// Hand-written spec byte vectors for every packet type in both versions. Each is decoded whole,
// byte by byte, split at every offset and back to back with itself, then re-encoded.

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "tests/unit/mqtt_codec/codec_test_support.hpp"

namespace sy::mqtt {
namespace {

using test::Bytes;
using test::hex;

constexpr auto kV311 = ProtocolVersion::V311;
constexpr auto kV5 = ProtocolVersion::V5;

struct Vector {
    std::string name;
    std::optional<ProtocolVersion> version;  // nullopt: a fresh server decoder (CONNECT)
    std::string bytes;                       // hex
    Packet expected;
    // The encoder writes exactly these bytes back (false where the vector uses a longer form
    // the spec allows, such as a v5 PUBREL with an explicit empty property list).
    bool canonical = true;
};

std::vector<Vector> connect_vectors() {
    std::vector<Vector> v;
    {
        Connect c;
        c.keep_alive = 60;
        c.client_id = "abc";
        v.push_back({"Connect311Minimal", std::nullopt,
                     "10 0f 00 04 4d 51 54 54 04 02 00 3c 00 03 61 62 63", c});
    }
    {
        Connect c;
        c.clean_start = false;
        c.keep_alive = 10;
        c.client_id = "c1";
        c.will = Will{"w/t", "bye", 1, true, {}};
        c.username = "u";
        c.password = std::string("\x01\xff", 2);
        v.push_back({"Connect311Full", std::nullopt,
                     "10 1f 00 04 4d 51 54 54 04 ec 00 0a 00 02 63 31 00 03 77 2f 74 00 03 62 79"
                     "65 00 01 75 00 02 01 ff",
                     c});
    }
    {
        Connect c;
        c.version = ProtocolVersion::V31;
        c.protocol_name = "MQIsdp";
        c.keep_alive = 60;
        c.client_id = "c1";
        v.push_back({"Connect31", std::nullopt,
                     "10 10 00 06 4d 51 49 73 64 70 03 02 00 3c 00 02 63 31", c});
    }
    {
        Connect c;
        c.version = kV5;
        c.keep_alive = 30;
        c.props.session_expiry_interval = 120;
        c.props.receive_maximum = 20;
        c.props.user_properties = {{"k", "v"}};
        v.push_back({"Connect5Properties", std::nullopt,
                     "10 1c 00 04 4d 51 54 54 05 02 00 1e 0f 11 00 00 00 78 21 00 14 26 00 01 6b"
                     "00 01 76 00 00",
                     c});
    }
    {
        // Password without user name is legal in v5 (section 3.1.2.9).
        Connect c;
        c.version = kV5;
        c.clean_start = false;
        c.client_id = "id";
        c.will = Will{"t", "", 2, false, {}};
        c.will->props.will_delay_interval = 5;
        c.will->props.payload_format_indicator = 1;
        c.password = "pw";
        v.push_back({"Connect5WillPasswordOnly", std::nullopt,
                     "10 20 00 04 4d 51 54 54 05 54 00 00 00 00 02 69 64 07 01 01 18 00 00 00 05"
                     "00 01 74 00 00 00 02 70 77",
                     c});
    }
    return v;
}

std::vector<Vector> connack_vectors() {
    std::vector<Vector> v;
    v.push_back({"Connack311SessionPresent", kV311, "20 02 01 00", Connack{true, 0, {}}});
    v.push_back({"Connack311Refused", kV311, "20 02 00 05", Connack{false, 5, {}}});
    {
        Connack c;
        c.props.assigned_client_identifier = "abc";
        c.props.topic_alias_maximum = 10;
        c.props.maximum_qos = 1;
        c.props.retain_available = 0;
        v.push_back({"Connack5Properties", kV5,
                     "20 10 00 00 0d 12 00 03 61 62 63 22 00 0a 24 01 25 00", c});
    }
    v.push_back({"Connack5Refused", kV5, "20 03 00 84 00", Connack{false, 0x84, {}}});
    return v;
}

std::vector<Vector> publish_vectors() {
    std::vector<Vector> v;
    {
        Publish p;
        p.topic = "a/b";
        p.payload = "hello";
        v.push_back({"Publish311Qos0", kV311, "30 0a 00 03 61 2f 62 68 65 6c 6c 6f", p});
    }
    {
        Publish p;
        p.dup = true;
        p.qos = 1;
        p.retain = true;
        p.topic = "t";
        p.packet_id = 7;
        p.payload = std::string("\x01\x02", 2);
        v.push_back({"Publish311Qos1DupRetain", kV311, "3b 07 00 01 74 00 07 01 02", p});
    }
    {
        Publish p;
        p.qos = 2;
        p.topic = "t";
        p.packet_id = 0xFFFF;
        v.push_back({"Publish311Qos2Empty", kV311, "34 05 00 01 74 ff ff", p});
    }
    {
        Publish p;
        p.qos = 1;
        p.topic = "a/b";
        p.packet_id = 1;
        p.payload = "hi";
        p.props.payload_format_indicator = 1;
        p.props.message_expiry_interval = 3600;
        p.props.content_type = "text";
        p.props.response_topic = "r";
        p.props.correlation_data = std::string("\x00\x01", 2);
        p.props.subscription_identifiers = {5, 128};
        p.props.user_properties = {{"a", ""}};
        v.push_back({"Publish5Properties", kV5,
                     "32 2c 00 03 61 2f 62 00 01 22 01 01 02 00 00 0e 10 03 00 04 74 65 78 74 08"
                     "00 01 72 09 00 02 00 01 0b 05 0b 80 01 26 00 01 61 00 00 68 69",
                     p});
    }
    {
        Publish p;
        p.props.topic_alias = 5;
        p.payload = "x";
        v.push_back({"Publish5AliasOnly", kV5, "30 07 00 00 03 23 00 05 78", p});
    }
    {
        Publish p;
        p.topic = "t";
        p.payload = "z";
        v.push_back({"Publish5Plain", kV5, "30 05 00 01 74 00 7a", p});
    }
    {
        // Control characters and non-characters are legal in strings (section 1.5.4).
        Publish p;
        p.topic = "\x01\x7f\xc2\x85\xef\xbf\xbf";
        v.push_back({"Publish311ControlChars", kV311, "30 09 00 07 01 7f c2 85 ef bf bf", p});
    }
    return v;
}

Packet ack(PacketType type, std::uint16_t id, std::uint8_t reason = 0) {
    PubAckLike a;
    a.type = type;
    a.packet_id = id;
    a.reason = reason;
    return a;
}

std::vector<Vector> ack_vectors() {
    std::vector<Vector> v;
    v.push_back({"Puback311", kV311, "40 02 00 05", ack(PacketType::Puback, 5)});
    v.push_back({"Pubrec311", kV311, "50 02 12 34", ack(PacketType::Pubrec, 0x1234)});
    v.push_back({"Pubrel311", kV311, "62 02 00 01", ack(PacketType::Pubrel, 1)});
    v.push_back({"Pubcomp311", kV311, "70 02 00 01", ack(PacketType::Pubcomp, 1)});
    v.push_back({"Puback5Short", kV5, "40 02 00 05", ack(PacketType::Puback, 5)});
    v.push_back({"Puback5ReasonOnly", kV5, "40 03 00 05 10", ack(PacketType::Puback, 5, 0x10)});
    {
        Packet p = ack(PacketType::Pubrec, 6, 0x80);
        std::get<PubAckLike>(p).props.reason_string = "bad";
        v.push_back({"Pubrec5ReasonString", kV5, "50 0a 00 06 80 06 1f 00 03 62 61 64", p});
    }
    v.push_back({"Pubrel5EmptyProperties", kV5, "62 04 00 01 00 00", ack(PacketType::Pubrel, 1),
                 false});
    v.push_back(
        {"Pubcomp5NotFound", kV5, "70 03 00 01 92", ack(PacketType::Pubcomp, 1, 0x92)});
    return v;
}

std::vector<Vector> subscribe_vectors() {
    std::vector<Vector> v;
    {
        Subscribe s;
        s.packet_id = 10;
        s.filters = {{"a/#", {1}}, {"+", {2}}};
        v.push_back({"Subscribe311", kV311, "82 0c 00 0a 00 03 61 2f 23 01 00 01 2b 02", s});
    }
    {
        Subscribe s;
        s.packet_id = 11;
        s.props.subscription_identifiers = {7};
        s.props.user_properties = {{"k", "v"}};
        s.filters = {{"$share/g/t", {1, false, true, 2}}, {"x", {2, true, false, 1}}};
        v.push_back({"Subscribe5Options", kV5,
                     "82 1d 00 0b 09 0b 07 26 00 01 6b 00 01 76 00 0a 24 73 68 61 72 65 2f 67 2f"
                     "74 29 00 01 78 16",
                     s});
    }
    {
        // Wildcard placement is the session's to judge; the decoder takes any UTF-8 filter.
        Subscribe s;
        s.packet_id = 1;
        s.filters = {{"a/#/b", {0}}};
        v.push_back({"Subscribe311BadFilterPassesThrough", kV311,
                     "82 0a 00 01 00 05 61 2f 23 2f 62 00", s});
    }
    v.push_back({"Suback311", kV311, "90 05 00 0a 01 02 80", Suback{10, {1, 2, 0x80}, {}}});
    v.push_back({"Suback5", kV5, "90 06 00 0b 00 01 02 8f", Suback{11, {1, 2, 0x8F}, {}}});
    v.push_back({"Unsubscribe311", kV311, "a2 0a 00 0c 00 03 61 2f 62 00 01 23",
                 Unsubscribe{12, {"a/b", "#"}, {}}});
    v.push_back({"Unsubscribe5", kV5, "a2 06 00 0c 00 00 01 74", Unsubscribe{12, {"t"}, {}}});
    v.push_back({"Unsuback311", kV311, "b0 02 00 0c", Unsuback{12, {}, {}}});
    {
        Unsuback u{12, {0x00, 0x11}, {}};
        u.props.reason_string = "x";
        v.push_back({"Unsuback5", kV5, "b0 09 00 0c 04 1f 00 01 78 00 11", u});
    }
    return v;
}

std::vector<Vector> control_vectors() {
    std::vector<Vector> v;
    v.push_back({"Pingreq311", kV311, "c0 00", Pingreq{}});
    v.push_back({"Pingresp311", kV311, "d0 00", Pingresp{}});
    v.push_back({"Pingreq5", kV5, "c0 00", Pingreq{}});
    v.push_back({"Pingresp5", kV5, "d0 00", Pingresp{}});
    v.push_back({"Disconnect311", kV311, "e0 00", Disconnect{}});
    v.push_back({"Disconnect5Empty", kV5, "e0 00", Disconnect{}});
    v.push_back({"Disconnect5ReasonOnly", kV5, "e0 01 04", Disconnect{0x04, {}}});
    {
        Disconnect d{0x8E, {}};
        d.props.session_expiry_interval = 0;
        d.props.server_reference = "s";
        v.push_back({"Disconnect5Properties", kV5, "e0 0b 8e 09 11 00 00 00 00 1c 00 01 73", d});
    }
    v.push_back({"Auth5Empty", kV5, "f0 00", Auth{}});
    {
        Auth a{0x18, {}};
        a.props.authentication_method = "SCRAM";
        a.props.authentication_data = std::string("\x01\x02", 2);
        v.push_back({"Auth5Continue", kV5,
                     "f0 0f 18 0d 15 00 05 53 43 52 41 4d 16 00 02 01 02", a});
    }
    return v;
}

std::vector<Vector> all_vectors() {
    std::vector<Vector> all;
    for (auto part : {connect_vectors(), connack_vectors(), publish_vectors(), ack_vectors(),
                      subscribe_vectors(), control_vectors()}) {
        all.insert(all.end(), part.begin(), part.end());
    }
    return all;
}

ProtocolVersion encode_version(const Vector& v) {
    if (v.version) {
        return *v.version;
    }
    return std::get<Connect>(v.expected).version;
}

class VectorTest : public ::testing::TestWithParam<Vector> {};

TEST_P(VectorTest, DecodesWhole) {
    const Vector& v = GetParam();
    const Bytes bytes = hex(v.bytes);
    Decoder d = test::make_decoder(v.version);
    Packet p;
    const DecodeResult r = d.decode(bytes, p);
    ASSERT_EQ(r.status, DecodeStatus::Complete) << (r.error ? r.error : "");
    EXPECT_EQ(r.consumed, bytes.size());
    EXPECT_EQ(p, v.expected);
    if (!v.version) {
        EXPECT_EQ(d.version(), std::get<Connect>(v.expected).version);
    }
}

TEST_P(VectorTest, EveryPrefixNeedsMore) {
    const Vector& v = GetParam();
    const Bytes bytes = hex(v.bytes);
    for (std::size_t n = 0; n < bytes.size(); ++n) {
        const auto r = test::decode_one(std::span(bytes).first(n), v.version);
        EXPECT_EQ(r.result.status, DecodeStatus::NeedMore) << "prefix " << n;
        EXPECT_EQ(r.result.consumed, 0u);
    }
}

TEST_P(VectorTest, ByteByByteStream) {
    const Vector& v = GetParam();
    const Bytes bytes = hex(v.bytes);
    test::StreamDriver s(test::make_decoder(v.version));
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        ASSERT_TRUE(s.feed(std::span(bytes).subspan(i, 1)));
        ASSERT_EQ(s.packets().size(), i + 1 == bytes.size() ? 1u : 0u) << "after byte " << i;
    }
    EXPECT_EQ(s.packets().front(), v.expected);
    EXPECT_EQ(s.buffered(), 0u);
}

TEST_P(VectorTest, SplitAtEveryOffset) {
    const Vector& v = GetParam();
    const Bytes bytes = hex(v.bytes);
    for (std::size_t cut = 0; cut <= bytes.size(); ++cut) {
        test::StreamDriver s(test::make_decoder(v.version));
        ASSERT_TRUE(s.feed(std::span(bytes).first(cut)));
        EXPECT_EQ(s.packets().size(), cut == bytes.size() ? 1u : 0u) << "cut " << cut;
        ASSERT_TRUE(s.feed(std::span(bytes).subspan(cut)));
        ASSERT_EQ(s.packets().size(), 1u) << "cut " << cut;
        EXPECT_EQ(s.packets().front(), v.expected) << "cut " << cut;
    }
}

TEST_P(VectorTest, BackToBackConsumesOnePacketAtATime) {
    const Vector& v = GetParam();
    const Bytes one = hex(v.bytes);
    const Bytes two = test::concat({one, one, hex("c0 00")});
    Decoder d = test::make_decoder(v.version);
    Packet p;
    const DecodeResult r = d.decode(two, p);
    ASSERT_EQ(r.status, DecodeStatus::Complete);
    EXPECT_EQ(r.consumed, one.size());
    test::StreamDriver s(test::make_decoder(v.version));
    ASSERT_TRUE(s.feed(two));
    ASSERT_EQ(s.packets().size(), 3u);
    EXPECT_EQ(s.packets()[1], v.expected);
    EXPECT_EQ(s.packets()[2], Packet{Pingreq{}});
}

TEST_P(VectorTest, ReEncodes) {
    const Vector& v = GetParam();
    const Bytes again = test::encoded(v.expected, encode_version(v));
    if (v.canonical) {
        EXPECT_EQ(again, hex(v.bytes));
    }
    const auto r = test::decode_one(again, v.version);
    ASSERT_EQ(r.result.status, DecodeStatus::Complete);
    EXPECT_EQ(r.packet, v.expected);
}

INSTANTIATE_TEST_SUITE_P(Mqtt, VectorTest, ::testing::ValuesIn(all_vectors()),
                         [](const auto& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace sy::mqtt

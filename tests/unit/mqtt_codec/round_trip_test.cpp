// decode(encode(P)) == P, for hand-built packets that use every field and for a few thousand
// random packets of every type in both versions. Also checks what the encoder leaves out.

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "tests/unit/mqtt_codec/codec_test_support.hpp"

namespace sy::mqtt {
namespace {

constexpr auto kV311 = ProtocolVersion::V311;
constexpr auto kV5 = ProtocolVersion::V5;

Packet round_trip(const Packet& p, ProtocolVersion v) {
    const auto bytes = test::encoded(p, v);
    // CONNECT is read by a fresh server decoder; everything else by one at the version.
    const bool is_connect = std::holds_alternative<Connect>(p);
    const auto r = test::decode_one(bytes, is_connect ? std::nullopt : std::optional(v));
    EXPECT_EQ(r.result.status, DecodeStatus::Complete) << (r.result.error ? r.result.error : "");
    EXPECT_EQ(r.result.consumed, bytes.size());
    return r.packet;
}

Properties every_property() {
    Properties p;
    p.payload_format_indicator = 1;
    p.message_expiry_interval = 10;
    p.content_type = "ct";
    p.response_topic = "resp";
    p.correlation_data = std::string("\x00\xff", 2);
    p.subscription_identifiers = {1, 268'435'455};
    p.session_expiry_interval = 0xFFFFFFFF;
    p.assigned_client_identifier = "assigned";
    p.server_keep_alive = 5;
    p.authentication_method = "m";
    p.authentication_data = "d";
    p.request_problem_information = 0;
    p.will_delay_interval = 9;
    p.request_response_information = 1;
    p.response_information = "ri";
    p.server_reference = "other";
    p.reason_string = "why";
    p.receive_maximum = 65535;
    p.topic_alias_maximum = 0;
    p.topic_alias = 3;
    p.maximum_qos = 0;
    p.retain_available = 1;
    p.user_properties = {{"a", "1"}, {"a", "2"}, {"", ""}};
    p.maximum_packet_size = 1024;
    p.wildcard_subscription_available = 0;
    p.subscription_identifier_available = 1;
    p.shared_subscription_available = 0;
    return p;
}

// The allow lists written out again by hand from table 2-4, so the codec's table is checked
// against an independent copy.
TEST(PropertyAllowList, PublishKeepsOnlyItsProperties) {
    Publish in;
    in.topic = "t";
    in.props = every_property();
    Properties want;
    want.payload_format_indicator = 1;
    want.message_expiry_interval = 10;
    want.content_type = "ct";
    want.response_topic = "resp";
    want.correlation_data = std::string("\x00\xff", 2);
    want.subscription_identifiers = {1, 268'435'455};
    want.topic_alias = 3;
    want.user_properties = in.props.user_properties;
    EXPECT_EQ(std::get<Publish>(round_trip(in, kV5)).props, want);
}

TEST(PropertyAllowList, ConnackKeepsOnlyItsProperties) {
    Connack in;
    in.props = every_property();
    Properties want = in.props;
    want.payload_format_indicator.reset();
    want.message_expiry_interval.reset();
    want.content_type.reset();
    want.response_topic.reset();
    want.correlation_data.reset();
    want.subscription_identifiers.clear();
    want.request_problem_information.reset();
    want.will_delay_interval.reset();
    want.request_response_information.reset();
    want.topic_alias.reset();
    EXPECT_EQ(std::get<Connack>(round_trip(in, kV5)).props, want);
}

TEST(PropertyAllowList, ConnectAndWillKeepOnlyTheirProperties) {
    Connect in;
    in.version = kV5;
    in.props = every_property();
    in.will = Will{"w", "p", 0, false, every_property()};
    const auto out = std::get<Connect>(round_trip(in, kV5));
    Properties want;
    want.session_expiry_interval = 0xFFFFFFFF;
    want.authentication_method = "m";
    want.authentication_data = "d";
    want.request_problem_information = 0;
    want.request_response_information = 1;
    want.receive_maximum = 65535;
    want.topic_alias_maximum = 0;
    want.maximum_packet_size = 1024;
    want.user_properties = in.props.user_properties;
    EXPECT_EQ(out.props, want);
    Properties want_will;
    want_will.payload_format_indicator = 1;
    want_will.message_expiry_interval = 10;
    want_will.content_type = "ct";
    want_will.response_topic = "resp";
    want_will.correlation_data = std::string("\x00\xff", 2);
    want_will.will_delay_interval = 9;
    want_will.user_properties = in.props.user_properties;
    ASSERT_TRUE(out.will.has_value());
    EXPECT_EQ(out.will->props, want_will);
}

TEST(PropertyAllowList, AcksAndDisconnectKeepOnlyTheirProperties) {
    Properties reason_only;
    reason_only.reason_string = "why";
    reason_only.user_properties = every_property().user_properties;

    PubAckLike ack{PacketType::Pubrec, 9, 0, every_property()};
    EXPECT_EQ(std::get<PubAckLike>(round_trip(ack, kV5)).props, reason_only);
    Suback suback{9, {0}, every_property()};
    EXPECT_EQ(std::get<Suback>(round_trip(suback, kV5)).props, reason_only);
    Unsuback unsuback{9, {0}, every_property()};
    EXPECT_EQ(std::get<Unsuback>(round_trip(unsuback, kV5)).props, reason_only);

    Properties want = reason_only;
    want.session_expiry_interval = 0xFFFFFFFF;
    want.server_reference = "other";
    EXPECT_EQ(std::get<Disconnect>(round_trip(Disconnect{0x8B, every_property()}, kV5)).props,
              want);

    Properties auth = reason_only;
    auth.authentication_method = "m";
    auth.authentication_data = "d";
    EXPECT_EQ(std::get<Auth>(round_trip(Auth{0x18, every_property()}, kV5)).props, auth);
}

TEST(PropertyAllowList, SubscribeCarriesOneSubscriptionIdentifier) {
    Subscribe in;
    in.packet_id = 1;
    in.filters = {{"a", {}}};
    in.props = every_property();
    Properties want;
    want.subscription_identifiers = {1};
    want.user_properties = in.props.user_properties;
    EXPECT_EQ(std::get<Subscribe>(round_trip(in, kV5)).props, want);
    Unsubscribe un{1, {"a"}, every_property()};
    Properties users;
    users.user_properties = in.props.user_properties;
    EXPECT_EQ(std::get<Unsubscribe>(round_trip(un, kV5)).props, users);
}

TEST(Version311, EncoderLeavesOutV5Fields) {
    Publish pub;
    pub.topic = "t";
    pub.props = every_property();
    EXPECT_EQ(test::encoded(pub, kV311), test::hex("30 03 00 01 74"));
    EXPECT_EQ(test::encoded(PubAckLike{PacketType::Puback, 1, 0x80, every_property()}, kV311),
              test::hex("40 02 00 01"));
    EXPECT_EQ(test::encoded(Unsuback{1, {0x11}, every_property()}, kV311),
              test::hex("b0 02 00 01"));
    EXPECT_EQ(test::encoded(Disconnect{0x04, every_property()}, kV311), test::hex("e0 00"));
    EXPECT_EQ(test::encoded(Connack{false, 0, every_property()}, kV311),
              test::hex("20 02 00 00"));
    Subscribe sub;
    sub.packet_id = 2;
    sub.filters = {{"a", {1, true, true, 2}}};
    EXPECT_EQ(test::encoded(sub, kV311), test::hex("82 06 00 02 00 01 61 01"));
}

TEST(Version5, ShortFormsForSuccessWithoutProperties) {
    EXPECT_EQ(test::encoded(PubAckLike{PacketType::Pubrel, 1, 0, {}}, kV5),
              test::hex("62 02 00 01"));
    EXPECT_EQ(test::encoded(PubAckLike{PacketType::Puback, 1, 0x10, {}}, kV5),
              test::hex("40 03 00 01 10"));
    EXPECT_EQ(test::encoded(Disconnect{}, kV5), test::hex("e0 00"));
    EXPECT_EQ(test::encoded(Disconnect{0x8E, {}}, kV5), test::hex("e0 01 8e"));
    EXPECT_EQ(test::encoded(Auth{}, kV5), test::hex("f0 00"));
    EXPECT_EQ(test::encoded(Auth{0x19, {}}, kV5), test::hex("f0 02 19 00"));
}

// ---- random packets ----

class Gen {
public:
    explicit Gen(std::uint32_t seed) : rng_(seed) {}

    std::uint32_t below(std::uint32_t n) {
        return std::uniform_int_distribution<std::uint32_t>(0, n - 1)(rng_);
    }
    bool coin() { return below(2) == 1; }
    std::uint16_t id() { return static_cast<std::uint16_t>(1 + below(0xFFFF)); }

    std::string text(std::size_t max_pieces = 6) {
        static const char* const kPieces[] = {"a", "b", "/", "$", "\x01", "\x7f", "\xc3\xa9",
                                              "\xe2\x82\xac", "\xf0\x9d\x84\x9e", " ", "z"};
        std::string s;
        const auto n = below(static_cast<std::uint32_t>(max_pieces + 1));
        for (std::uint32_t i = 0; i < n; ++i) {
            s += kPieces[below(std::size(kPieces))];
        }
        return s;
    }
    std::string topic() {
        std::string t = text();
        return t.empty() ? "t" : t;
    }
    std::string binary() {
        std::string s(below(8), '\0');
        for (char& c : s) {
            c = static_cast<char>(below(256));
        }
        return s;
    }
    template <class T>
    std::optional<T> maybe(T value) {
        return coin() ? std::optional<T>(value) : std::nullopt;
    }
    std::optional<std::uint8_t> flag() { return maybe(static_cast<std::uint8_t>(below(2))); }
    std::vector<std::pair<std::string, std::string>> users() {
        std::vector<std::pair<std::string, std::string>> u(below(3));
        for (auto& [k, v] : u) {
            k = text();
            v = text();
        }
        return u;
    }
    void message_props(Properties& p) {
        p.payload_format_indicator = flag();
        p.message_expiry_interval = maybe(below(100000));
        p.content_type = maybe(text());
        p.response_topic = maybe(topic());
        p.correlation_data = maybe(binary());
        p.user_properties = users();
    }

private:
    std::mt19937 rng_;
};

Connect random_connect(Gen& g, ProtocolVersion v) {
    Connect c;
    c.version = v;
    c.clean_start = g.coin();
    c.keep_alive = static_cast<std::uint16_t>(g.below(65536));
    c.client_id = g.text();
    if (g.coin()) {
        Will& w = c.will.emplace();
        w.topic = g.topic();
        w.payload = g.binary();
        w.qos = static_cast<std::uint8_t>(g.below(3));
        w.retain = g.coin();
        if (v == kV5) {
            g.message_props(w.props);
            w.props.will_delay_interval = g.maybe(g.below(1000));
        }
    }
    c.username = g.maybe(g.text());
    // 3.1.1 allows a password only with a user name [MQTT-3.1.2-22].
    if (v == kV5 || c.username) {
        c.password = g.maybe(g.binary());
    }
    if (v == kV5) {
        c.props.session_expiry_interval = g.maybe(g.below(100000));
        c.props.receive_maximum = g.maybe(g.id());
        c.props.maximum_packet_size = g.maybe(1 + g.below(100000));
        c.props.topic_alias_maximum = g.maybe(static_cast<std::uint16_t>(g.below(10)));
        c.props.request_problem_information = g.flag();
        c.props.request_response_information = g.flag();
        if (g.coin()) {
            c.props.authentication_method = g.text();
            c.props.authentication_data = g.maybe(g.binary());
        }
        c.props.user_properties = g.users();
    }
    return c;
}

Connack random_connack(Gen& g, ProtocolVersion v) {
    Connack c;
    c.code = g.coin() ? 0 : static_cast<std::uint8_t>(1 + g.below(0x9F));
    c.session_present = c.code == 0 && g.coin();
    if (v == kV5) {
        c.props.session_expiry_interval = g.maybe(g.below(100));
        c.props.assigned_client_identifier = g.maybe(g.text());
        c.props.server_keep_alive = g.maybe(static_cast<std::uint16_t>(g.below(100)));
        c.props.receive_maximum = g.maybe(g.id());
        c.props.maximum_qos = g.flag();
        c.props.retain_available = g.flag();
        c.props.maximum_packet_size = g.maybe(1 + g.below(100000));
        c.props.wildcard_subscription_available = g.flag();
        c.props.shared_subscription_available = g.flag();
        c.props.reason_string = g.maybe(g.text());
        c.props.server_reference = g.maybe(g.text());
        c.props.user_properties = g.users();
    }
    return c;
}

Publish random_publish(Gen& g, ProtocolVersion v) {
    Publish p;
    p.qos = static_cast<std::uint8_t>(g.below(3));
    p.dup = p.qos > 0 && g.coin();
    p.retain = g.coin();
    p.packet_id = p.qos > 0 ? g.id() : 0;
    p.payload = g.binary();
    p.topic = g.topic();
    if (v == kV5) {
        g.message_props(p.props);
        p.props.topic_alias = g.maybe(g.id());
        if (p.props.topic_alias && g.coin()) {
            p.topic.clear();
        }
        for (auto n = g.below(3); n > 0; --n) {
            p.props.subscription_identifiers.push_back(1 + g.below(1000));
        }
    }
    return p;
}

Packet random_ack(Gen& g, ProtocolVersion v) {
    static constexpr PacketType kTypes[] = {PacketType::Puback, PacketType::Pubrec,
                                            PacketType::Pubrel, PacketType::Pubcomp};
    PubAckLike a;
    a.type = kTypes[g.below(4)];
    a.packet_id = g.id();
    if (v == kV5) {
        a.reason = g.coin() ? 0 : static_cast<std::uint8_t>(g.below(256));
        a.props.reason_string = g.maybe(g.text());
        a.props.user_properties = g.users();
    }
    return a;
}

Packet random_subscription_packet(Gen& g, ProtocolVersion v) {
    const bool v5 = v == kV5;
    switch (g.below(4)) {
    case 0: {
        Subscribe s;
        s.packet_id = g.id();
        for (auto n = 1 + g.below(3); n > 0; --n) {
            SubscriptionOptions o;
            o.qos = static_cast<std::uint8_t>(g.below(3));
            if (v5) {
                o.no_local = g.coin();
                o.retain_as_published = g.coin();
                o.retain_handling = static_cast<std::uint8_t>(g.below(3));
            }
            s.filters.emplace_back(g.text(), o);
        }
        if (v5) {
            s.props.subscription_identifiers = {1 + g.below(268435455)};
            s.props.user_properties = g.users();
        }
        return s;
    }
    case 1: {
        Suback s;
        s.packet_id = g.id();
        static constexpr std::uint8_t k311[] = {0, 1, 2, 0x80};
        for (auto n = 1 + g.below(3); n > 0; --n) {
            s.codes.push_back(v5 ? static_cast<std::uint8_t>(g.below(256)) : k311[g.below(4)]);
        }
        if (v5) {
            s.props.reason_string = g.maybe(g.text());
        }
        return s;
    }
    case 2: {
        Unsubscribe u;
        u.packet_id = g.id();
        for (auto n = 1 + g.below(3); n > 0; --n) {
            u.filters.push_back(g.text());
        }
        if (v5) {
            u.props.user_properties = g.users();
        }
        return u;
    }
    default: {
        Unsuback u;
        u.packet_id = g.id();
        if (v5) {
            for (auto n = 1 + g.below(3); n > 0; --n) {
                u.codes.push_back(static_cast<std::uint8_t>(g.below(256)));
            }
            u.props.reason_string = g.maybe(g.text());
        }
        return u;
    }
    }
}

Packet random_control(Gen& g, ProtocolVersion v) {
    switch (g.below(v == kV5 ? 4 : 3)) {
    case 0:
        return Pingreq{};
    case 1:
        return Pingresp{};
    case 2: {
        Disconnect d;
        if (v == kV5) {
            d.reason = g.coin() ? 0 : static_cast<std::uint8_t>(g.below(256));
            d.props.session_expiry_interval = g.maybe(g.below(100));
            d.props.reason_string = g.maybe(g.text());
            d.props.server_reference = g.maybe(g.text());
        }
        return d;
    }
    default: {
        Auth a;
        a.reason = g.coin() ? 0 : 0x18;
        a.props.authentication_method = g.maybe(g.text());
        a.props.authentication_data = g.maybe(g.binary());
        return a;
    }
    }
}

Packet random_packet(Gen& g, ProtocolVersion v) {
    switch (g.below(6)) {
    case 0:
        return random_connect(g, v);
    case 1:
        return random_connack(g, v);
    case 2:
        return random_publish(g, v);
    case 3:
        return random_ack(g, v);
    case 4:
        return random_subscription_packet(g, v);
    default:
        return random_control(g, v);
    }
}

TEST(RoundTrip, RandomPackets) {
    for (auto v : {ProtocolVersion::V311, ProtocolVersion::V5}) {
        Gen g(static_cast<std::uint32_t>(v) * 7919u);
        for (int i = 0; i < 3000; ++i) {
            const Packet p = random_packet(g, v);
            ASSERT_EQ(round_trip(p, v), p) << "version " << static_cast<int>(v) << " #" << i;
        }
    }
}

TEST(RoundTrip, RandomStreamInRandomChunks) {
    Gen g(42);
    Decoder client;
    client.set_version(kV5);
    test::Bytes stream;
    std::vector<Packet> sent;
    for (int i = 0; i < 200; ++i) {
        Packet p = random_packet(g, kV5);
        if (std::holds_alternative<Connect>(p)) {
            continue;  // a CONNECT would switch the decoder's version mid-stream
        }
        stream = test::concat({stream, test::encoded(p, kV5)});
        sent.push_back(std::move(p));
    }
    test::StreamDriver s(client);
    std::size_t at = 0;
    while (at < stream.size()) {
        const std::size_t n = std::min<std::size_t>(1 + g.below(40), stream.size() - at);
        ASSERT_TRUE(s.feed(std::span(stream).subspan(at, n)));
        at += n;
    }
    EXPECT_EQ(s.packets(), sent);
    EXPECT_EQ(s.buffered(), 0u);
}

}  // namespace
}  // namespace sy::mqtt

// MQTT 5 session behaviour: properties, reason codes, session expiry, topic aliases,
// subscription options, shared subscriptions, flow control and delayed wills.

#include <gtest/gtest.h>

#include "core/model/clock.hpp"
#include "session_harness.hpp"

namespace sy::mqtt::test {
namespace {

constexpr auto V5 = ProtocolVersion::V5;

core::MqttConfig quiet() {
    core::MqttConfig c;
    c.sys_interval = 0;
    return c;
}

Properties expiry(std::uint32_t s) {
    Properties p;
    p.session_expiry_interval = s;
    return p;
}

Subscribe sub(const std::string& filter, SubscriptionOptions o, std::uint16_t pid = 1,
              std::optional<std::uint32_t> id = {}) {
    Subscribe s;
    s.packet_id = pid;
    s.filters.push_back({filter, o});
    if (id) s.props.subscription_identifiers.push_back(*id);
    return s;
}

TEST(MqttV5, ConnackAnnouncesCapabilitiesAndAssignsId) {
    Harness h(quiet());
    Client c(h.server, V5);
    auto ack = c.connect("");
    EXPECT_EQ(ack.code, reason::kSuccess);
    ASSERT_TRUE(ack.props.assigned_client_identifier);
    EXPECT_FALSE(ack.props.assigned_client_identifier->empty());
    EXPECT_EQ(ack.props.topic_alias_maximum, 10);
    EXPECT_EQ(ack.props.shared_subscription_available, 1);
}

TEST(MqttV5, EnhancedAuthIsRefused) {
    Harness h(quiet());
    Client c(h.server, V5);
    Properties p;
    p.authentication_method = "SCRAM-SHA-1";
    auto ack = c.connect("a", true, {}, 60, p);
    EXPECT_EQ(ack.code, reason::kBadAuthenticationMethod);
    EXPECT_TRUE(c.closed());
}

TEST(MqttV5, SessionExpiresAfterItsInterval) {
    Harness h(quiet());
    {
        Client c(h.server, V5);
        c.connect("exp", true, {}, 60, expiry(30));
        c.send(Disconnect{});
        c.drop();
    }
    EXPECT_EQ(h.server.session_count(), 1u);
    h.server.tick(core::now_ms() + 10'000);
    EXPECT_EQ(h.server.session_count(), 1u);
    h.server.tick(core::now_ms() + 31'000);
    EXPECT_EQ(h.server.session_count(), 0u);
}

TEST(MqttV5, ExpiryZeroSessionEndsWithConnectionAndCannotBeExtendedOnDisconnect) {
    Harness h(quiet());
    Client c(h.server, V5);
    c.connect("z", false);
    Disconnect d;
    d.props.session_expiry_interval = 100;
    c.send(d);
    auto got = c.received_of<Disconnect>();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].reason, reason::kProtocolError);
    c.drop();
    EXPECT_EQ(h.server.session_count(), 0u);
}

TEST(MqttV5, ResumedSessionIsPresent) {
    Harness h(quiet());
    {
        Client c(h.server, V5);
        c.connect("r", true, {}, 60, expiry(300));
        c.drop();
    }
    Client c(h.server, V5);
    EXPECT_TRUE(c.connect("r", false, {}, 60, expiry(300)).session_present);
}

TEST(MqttV5, TopicAliasesResolveAndOutOfRangeDisconnects) {
    Harness h(quiet());
    Client s(h.server, V5), p(h.server, V5);
    s.connect("s");
    s.send(sub("a/b", SubscriptionOptions{0}));
    s.received();
    p.connect("p");
    Publish first;
    first.topic = "a/b";
    first.payload = "1";
    first.props.topic_alias = 3;
    p.send(first);
    Publish second;
    second.payload = "2";
    second.props.topic_alias = 3;
    p.send(second);
    auto got = s.received_of<Publish>();
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[1].topic, "a/b");
    Publish bad = first;
    bad.props.topic_alias = 11;
    p.send(bad);
    auto d = p.received_of<Disconnect>();
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].reason, reason::kTopicAliasInvalid);
}

TEST(MqttV5, PubackSaysNoMatchingSubscribers) {
    Harness h(quiet());
    Client p(h.server, V5);
    p.connect("p");
    p.publish("nobody/listens", "x", 1, 5);
    auto acks = p.received_of<PubAckLike>();
    ASSERT_EQ(acks.size(), 1u);
    EXPECT_EQ(acks[0].reason, reason::kNoMatchingSubscribers);
}

TEST(MqttV5, PayloadNotUtf8DespiteIndicatorIsRefused) {
    Harness h(quiet());
    Client p(h.server, V5);
    p.connect("p");
    Publish bad;
    bad.topic = "t";
    bad.qos = 1;
    bad.packet_id = 2;
    bad.payload = std::string("\xff\xfe", 2);
    bad.props.payload_format_indicator = 1;
    p.send(bad);
    auto acks = p.received_of<PubAckLike>();
    ASSERT_EQ(acks.size(), 1u);
    EXPECT_EQ(acks[0].reason, reason::kPayloadFormatInvalid);
}

TEST(MqttV5, PropertiesTravelToTheSubscriber) {
    Harness h(quiet());
    Client s(h.server, V5), p(h.server, V5);
    s.connect("s");
    s.send(sub("req/#", SubscriptionOptions{1}, 1, 7));
    s.received();
    p.connect("p");
    Publish m;
    m.topic = "req/x";
    m.payload = "hello";
    m.qos = 1;
    m.packet_id = 1;
    m.props.content_type = "text/plain";
    m.props.correlation_data = std::string("\x01\x02", 2);
    m.props.response_topic = "reply/p";
    m.props.message_expiry_interval = 60;
    m.props.payload_format_indicator = 1;
    m.props.user_properties = {{"site", "north"}};
    p.send(m);
    auto got = s.received_of<Publish>();
    ASSERT_EQ(got.size(), 1u);
    const auto& q = got[0].props;
    EXPECT_EQ(q.content_type, "text/plain");
    EXPECT_EQ(q.correlation_data, std::string("\x01\x02", 2));
    EXPECT_EQ(q.response_topic, "reply/p");
    ASSERT_TRUE(q.message_expiry_interval);
    EXPECT_LE(*q.message_expiry_interval, 60u);
    EXPECT_GE(*q.message_expiry_interval, 59u);
    EXPECT_EQ(q.payload_format_indicator, 1);
    EXPECT_EQ(q.user_properties, (std::vector<std::pair<std::string, std::string>>{{"site", "north"}}));
    EXPECT_EQ(q.subscription_identifiers, std::vector<std::uint32_t>{7});
}

TEST(MqttV5, NoLocalAndRetainAsPublished) {
    Harness h(quiet());
    Client c(h.server, V5);
    c.connect("self");
    SubscriptionOptions nl{1};
    nl.no_local = true;
    c.send(sub("echo/#", nl, 1));
    SubscriptionOptions rap{1};
    rap.retain_as_published = true;
    c.send(sub("kept/#", rap, 2));
    c.received();
    c.publish("echo/1", "mine", 0);
    EXPECT_TRUE(c.received_of<Publish>().empty()) << "No Local";
    Client other(h.server, V5);
    other.connect("other");
    other.publish("echo/1", "theirs", 0);
    other.publish("kept/1", "r", 0, 0, true);
    auto got = c.received_of<Publish>();
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].payload, "theirs");
    EXPECT_TRUE(got[1].retain) << "Retain As Published";
}

TEST(MqttV5, RetainHandlingOptions) {
    Harness h(quiet());
    Client p(h.server, V5);
    p.connect("p");
    p.publish("r/1", "v", 0, 0, true);
    Client c(h.server, V5);
    c.connect("c");
    SubscriptionOptions never{0};
    never.retain_handling = 2;
    c.send(sub("r/#", never, 1));
    EXPECT_TRUE(c.received_of<Publish>().empty());
    SubscriptionOptions if_new{0};
    if_new.retain_handling = 1;
    c.send(sub("r/+", if_new, 2));
    EXPECT_EQ(c.received_of<Publish>().size(), 1u) << "new subscription";
    c.send(sub("r/+", if_new, 3));
    EXPECT_TRUE(c.received_of<Publish>().empty()) << "existing subscription";
}

TEST(MqttV5, UnsubackReasonCodes) {
    Harness h(quiet());
    Client c(h.server, V5);
    c.connect("c");
    c.send(sub("a", SubscriptionOptions{0}));
    c.received();
    Unsubscribe u;
    u.packet_id = 9;
    u.filters = {"a", "b"};
    c.send(u);
    auto acks = c.received_of<Unsuback>();
    ASSERT_EQ(acks.size(), 1u);
    EXPECT_EQ(acks[0].codes, (std::vector<std::uint8_t>{reason::kSuccess,
                                                         reason::kNoSubscriptionExisted}));
}

TEST(MqttV5, ReceiveMaximumLimitsTheWindow) {
    Harness h(quiet());
    Client s(h.server, V5), p(h.server, V5);
    Properties rm;
    rm.receive_maximum = 2;
    s.connect("s", true, {}, 60, rm);
    s.send(sub("t", SubscriptionOptions{1}));
    s.received();
    p.connect("p");
    for (int i = 0; i < 5; ++i) p.publish("t", "x", 1, static_cast<std::uint16_t>(i + 1));
    EXPECT_EQ(s.received_of<Publish>().size(), 2u);
}

TEST(MqttV5, MessagesOverTheClientsMaximumPacketSizeAreDropped) {
    Harness h(quiet());
    Client s(h.server, V5), p(h.server, V5);
    Properties mp;
    mp.maximum_packet_size = 64;
    s.connect("s", true, {}, 60, mp);
    s.send(sub("t", SubscriptionOptions{1}));
    s.received();
    p.connect("p");
    p.publish("t", std::string(200, 'x'), 1, 1);
    p.publish("t", "small", 1, 2);
    auto got = s.received_of<Publish>();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].payload, "small");
}

TEST(MqttV5, SharedSubscriptionSplitsMessagesAndGetsNoRetained) {
    Harness h(quiet());
    Client p(h.server, V5);
    p.connect("p");
    p.publish("jobs/old", "retained", 0, 0, true);
    Client a(h.server, V5), b(h.server), c(h.server, V5);  // b speaks 3.1.1
    a.connect("a");
    b.connect("b");
    a.send(sub("$share/workers/jobs/#", SubscriptionOptions{0}));
    b.subscribe("$share/workers/jobs/#", 0);
    EXPECT_TRUE(a.received_of<Publish>().empty());
    EXPECT_TRUE(b.received_of<Publish>().empty());
    for (int i = 0; i < 10; ++i) p.publish("jobs/new", std::to_string(i));
    const auto na = a.received_of<Publish>().size();
    const auto nb = b.received_of<Publish>().size();
    EXPECT_EQ(na + nb, 10u);
    EXPECT_EQ(na, 5u) << "round robin";
    b.drop();
    for (int i = 0; i < 4; ++i) p.publish("jobs/new", "later");
    EXPECT_EQ(a.received_of<Publish>().size(), 4u) << "the group goes on without b";
}

TEST(MqttV5, NoLocalOnSharedIsAProtocolError) {
    Harness h(quiet());
    Client c(h.server, V5);
    c.connect("c");
    SubscriptionOptions o{0};
    o.no_local = true;
    c.send(sub("$share/g/x", o));
    auto d = c.received_of<Disconnect>();
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].reason, reason::kProtocolError);
}

TEST(MqttV5, DelayedWillWaitsAndIsDroppedOnReconnect) {
    Harness h(quiet());
    Client w(h.server, V5);
    w.connect("watcher");
    w.send(sub("will/#", SubscriptionOptions{0}));
    w.received();
    Will will{"will/dev", "gone", 0, false, {}};
    will.props.will_delay_interval = 5;
    {
        Client dev(h.server, V5);
        dev.connect("dev", true, will, 60, expiry(60));
        dev.drop();
    }
    h.server.tick(core::now_ms() + 1000);
    EXPECT_TRUE(w.received_of<Publish>().empty()) << "still within the delay";
    h.server.tick(core::now_ms() + 6000);
    EXPECT_EQ(w.received_of<Publish>().size(), 1u);
    {
        Client dev(h.server, V5);
        dev.connect("dev", false, will, 60, expiry(60));
        dev.drop();
    }
    Client back(h.server, V5);
    back.connect("dev", false, {}, 60, expiry(60));
    h.server.tick(core::now_ms() + 10'000);
    EXPECT_TRUE(w.received_of<Publish>().empty()) << "the client came back in time";
}

}  // namespace
}  // namespace sy::mqtt::test

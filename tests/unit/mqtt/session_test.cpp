#include <gtest/gtest.h>

#include "core/model/clock.hpp"
#include "session_harness.hpp"

namespace sy::mqtt::test {
namespace {

core::MqttConfig sys_off() {
    core::MqttConfig c;
    c.sys_interval = 0;
    return c;
}

TEST(MqttSession, ConnectAccepted) {
    Harness h;
    Client c(h.server);
    auto ack = c.connect("dev1");
    EXPECT_EQ(ack.code, connack311::kAccepted);
    EXPECT_FALSE(ack.session_present);
    EXPECT_EQ(h.server.connected_count(), 1u);
}

TEST(MqttSession, EmptyIdWithoutCleanSessionIsRejected) {
    Harness h;
    Client c(h.server);
    auto ack = c.connect("", false);
    EXPECT_EQ(ack.code, connack311::kIdentifierRejected);
    EXPECT_TRUE(c.closed());
}

TEST(MqttSession, EmptyIdWithCleanSessionGetsOne) {
    Harness h;
    Client c(h.server);
    EXPECT_EQ(c.connect("").code, connack311::kAccepted);
    EXPECT_EQ(h.server.session_count(), 1u);
}

TEST(MqttSession, UnknownProtocolLevelGetsReturnCode1) {
    Harness h;
    Client c(h.server);
    // CONNECT, protocol "MQTT" level 9.
    const unsigned char raw[] = {0x10, 0x0d, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x09, 0x02,
                                 0x00, 0x3c, 0x00, 0x01, 'x'};
    c.send_bytes(std::as_bytes(std::span(raw)));
    auto acks = c.received_of<Connack>();
    ASSERT_EQ(acks.size(), 1u);
    EXPECT_EQ(acks[0].code, connack311::kBadProtocolVersion);
    EXPECT_TRUE(c.closed());
}

TEST(MqttSession, FirstPacketMustBeConnect) {
    Harness h;
    Client c(h.server);
    c.send(Pingreq{});
    EXPECT_TRUE(c.closed());
    EXPECT_TRUE(c.received().empty());
}

TEST(MqttSession, SecondConnectCloses) {
    Harness h;
    Client c(h.server);
    c.connect("a");
    Connect again;
    again.client_id = "a";
    c.send(again);
    EXPECT_TRUE(c.closed());
}

TEST(MqttSession, PingAnswered) {
    Harness h;
    Client c(h.server);
    c.connect("a");
    c.send(Pingreq{});
    EXPECT_EQ(c.received_of<Pingresp>().size(), 1u);
}

TEST(MqttSession, PublishReachesSubscriberWithDowngrade) {
    Harness h;
    Client sub(h.server), pub(h.server);
    sub.connect("sub");
    sub.subscribe("plant/+/temp", 1);
    auto subacks = sub.received_of<Suback>();
    ASSERT_EQ(subacks.size(), 1u);
    EXPECT_EQ(subacks[0].codes, std::vector<std::uint8_t>{1});
    pub.connect("pub");
    pub.publish("plant/1/temp", "21.5", 2, 7);
    auto rec = pub.received_of<PubAckLike>();
    ASSERT_EQ(rec.size(), 1u);
    EXPECT_EQ(rec[0].type, PacketType::Pubrec);
    EXPECT_EQ(rec[0].packet_id, 7);
    auto got = sub.received_of<Publish>();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].topic, "plant/1/temp");
    EXPECT_EQ(got[0].payload, "21.5");
    EXPECT_EQ(got[0].qos, 1) << "downgraded to the granted QoS";
    EXPECT_FALSE(got[0].retain);
}

TEST(MqttSession, DotsInLevelsSurviveRouting) {
    Harness h;
    Client sub(h.server), pub(h.server);
    sub.connect("sub");
    sub.subscribe("a.b/+", 0);
    pub.connect("pub");
    pub.publish("a.b/c.d", "x");
    pub.publish("a/b/c", "no");
    auto got = sub.received_of<Publish>();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].topic, "a.b/c.d");
}

TEST(MqttSession, InvalidFilterGets0x80AndOthersStillGranted) {
    Harness h;
    Client c(h.server);
    c.connect("c");
    Subscribe s;
    s.packet_id = 3;
    s.filters.push_back({"a/#/b", SubscriptionOptions{1}});
    s.filters.push_back({"a/+", SubscriptionOptions{2}});
    c.send(s);
    auto acks = c.received_of<Suback>();
    ASSERT_EQ(acks.size(), 1u);
    EXPECT_EQ(acks[0].codes, (std::vector<std::uint8_t>{0x80, 2}));
}

TEST(MqttSession, DollarTopicsNotMatchedByLeadingWildcard) {
    Harness h(sys_off());
    Client sub(h.server), pub(h.server);
    sub.connect("sub");
    sub.subscribe("#", 0);
    sub.subscribe("+/x", 0, 2);
    sub.received();
    pub.connect("pub");
    h.server.publish_sys(0);
    auto got = sub.received_of<Publish>();
    EXPECT_TRUE(got.empty());
    sub.subscribe("$SYS/#", 0, 3);
    auto retained = sub.received_of<Publish>();
    EXPECT_FALSE(retained.empty());
    for (auto& p : retained) EXPECT_TRUE(p.retain);
}

TEST(MqttSession, QosOneAckedOnlyAfterPuback) {
    core::MqttConfig cfg = sys_off();
    cfg.max_inflight = 2;
    Harness h(cfg);
    Client sub(h.server), pub(h.server);
    sub.connect("sub");
    sub.subscribe("t", 1);
    sub.received();
    pub.connect("pub");
    for (int i = 0; i < 5; ++i) pub.publish("t", std::to_string(i), 1, static_cast<std::uint16_t>(i + 1));
    auto first = sub.received_of<Publish>();
    ASSERT_EQ(first.size(), 2u) << "in-flight window";
    sub.send(PubAckLike{PacketType::Puback, first[0].packet_id, 0, {}});
    auto next = sub.received_of<Publish>();
    ASSERT_EQ(next.size(), 1u);
    EXPECT_EQ(next[0].payload, "2");
    EXPECT_NE(next[0].packet_id, first[1].packet_id);
}

TEST(MqttSession, InboundQos2DeliveredOnceDespiteResend) {
    Harness h(sys_off());
    Client sub(h.server), pub(h.server);
    sub.connect("sub");
    sub.subscribe("t", 2);
    sub.received();
    pub.connect("pub");
    pub.publish("t", "once", 2, 9);
    Publish dup;
    dup.topic = "t";
    dup.payload = "once";
    dup.qos = 2;
    dup.packet_id = 9;
    dup.dup = true;
    pub.send(dup);
    auto recs = pub.received_of<PubAckLike>();
    EXPECT_EQ(recs.size(), 2u);
    pub.send(PubAckLike{PacketType::Pubrel, 9, 0, {}});
    auto comps = pub.received_of<PubAckLike>();
    ASSERT_EQ(comps.size(), 1u);
    EXPECT_EQ(comps[0].type, PacketType::Pubcomp);
    EXPECT_EQ(sub.received_of<Publish>().size(), 1u);
}

TEST(MqttSession, OutboundQos2Flow) {
    Harness h(sys_off());
    Client sub(h.server), pub(h.server);
    sub.connect("sub");
    sub.subscribe("t", 2);
    sub.received();
    pub.connect("pub");
    pub.publish("t", "x", 2, 1);
    auto got = sub.received_of<Publish>();
    ASSERT_EQ(got.size(), 1u);
    sub.send(PubAckLike{PacketType::Pubrec, got[0].packet_id, 0, {}});
    auto rel = sub.received_of<PubAckLike>();
    ASSERT_EQ(rel.size(), 1u);
    EXPECT_EQ(rel[0].type, PacketType::Pubrel);
    sub.send(PubAckLike{PacketType::Pubcomp, got[0].packet_id, 0, {}});
    EXPECT_EQ(h.broker.find_queue("mqtt-session.sub")->unacked_count(), 0u);
}

TEST(MqttSession, RetainedDeliveredOnSubscribeAndClearedByEmptyPayload) {
    Harness h(sys_off());
    Client pub(h.server);
    pub.connect("pub");
    pub.publish("s/1", "on", 1, 1, true);
    Client a(h.server);
    a.connect("a");
    a.subscribe("s/#", 1);
    auto got = a.received_of<Publish>();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_TRUE(got[0].retain);
    EXPECT_EQ(got[0].payload, "on");
    pub.publish("s/1", "", 0, 0, true);
    Client b(h.server);
    b.connect("b");
    b.subscribe("s/#", 1);
    EXPECT_TRUE(b.received_of<Publish>().empty());
}

TEST(MqttSession, WillOnAbnormalCloseOnly) {
    Harness h(sys_off());
    Client sub(h.server);
    sub.connect("sub");
    sub.subscribe("will/#", 0);
    sub.received();
    {
        Client dev(h.server);
        dev.connect("dev", true, Will{"will/dev", "gone", 0, false, {}});
        dev.drop();
    }
    auto got = sub.received_of<Publish>();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].payload, "gone");
    {
        Client dev(h.server);
        dev.connect("dev", true, Will{"will/dev", "gone", 0, false, {}});
        dev.send(Disconnect{});
        dev.drop();
    }
    EXPECT_TRUE(sub.received_of<Publish>().empty());
}

TEST(MqttSession, TakeoverClosesFirstConnection) {
    Harness h(sys_off());
    Client first(h.server), second(h.server);
    first.connect("same");
    second.connect("same");
    EXPECT_TRUE(first.closed());
    EXPECT_FALSE(second.closed());
    first.drop();
    EXPECT_EQ(h.server.connected_count(), 1u);
}

TEST(MqttSession, PersistentSessionQueuesWhileOfflineAndResends) {
    Harness h(sys_off());
    Client pub(h.server);
    pub.connect("pub");
    {
        Client sub(h.server);
        EXPECT_FALSE(sub.connect("keep", false).session_present);
        sub.subscribe("t", 1);
        sub.received();
        pub.publish("t", "inflight", 1, 1);
        auto got = sub.received_of<Publish>();
        ASSERT_EQ(got.size(), 1u);
        sub.drop();  // never acked
    }
    pub.publish("t", "queued", 1, 2);
    Client sub(h.server);
    auto ack = sub.connect("keep", false);
    EXPECT_TRUE(ack.session_present);
    auto got = sub.received_of<Publish>();
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].payload, "inflight");
    EXPECT_TRUE(got[0].dup);
    EXPECT_EQ(got[1].payload, "queued");
    EXPECT_FALSE(got[1].dup);
}

TEST(MqttSession, CleanSessionDiscardsState) {
    Harness h(sys_off());
    {
        Client sub(h.server);
        sub.connect("x", false);
        sub.subscribe("t", 1);
        sub.drop();
    }
    Client sub(h.server);
    EXPECT_FALSE(sub.connect("x", true).session_present);
    sub.drop();
    EXPECT_EQ(h.server.session_count(), 0u);
    EXPECT_EQ(h.broker.queue_count(), 0u);
}

TEST(MqttSession, KeepaliveExpiresAfterOneAndAHalfPeriods) {
    Harness h(sys_off());
    Client c(h.server);
    c.connect("k", true, {}, 2);
    h.server.tick(core::now_ms() + 2000);
    EXPECT_FALSE(c.closed());
    h.server.tick(core::now_ms() + 3100);
    EXPECT_TRUE(c.closed());
}

TEST(MqttSession, MalformedPacketCloses) {
    Harness h(sys_off());
    Client c(h.server);
    c.connect("m");
    const unsigned char bad[] = {0x36, 0x00};  // PUBLISH QoS 3
    c.send_bytes(std::as_bytes(std::span(bad)));
    EXPECT_TRUE(c.closed());
}

TEST(MqttSession, OversizedPacketCloses) {
    core::MqttConfig cfg = sys_off();
    cfg.max_packet_size = 128;
    Harness h(cfg);
    Client c(h.server);
    c.connect("big");
    c.publish("t", std::string(500, 'x'));
    EXPECT_TRUE(c.closed());
}

}  // namespace
}  // namespace sy::mqtt::test

namespace sy::mqtt::test {
namespace {

// A store whose commits complete only when the test says so, as the SQLite writer thread's do.
class DeferredStore final : public storage::MemoryStore {
public:
    void append(const core::MessagePtr& m, const std::vector<std::string>& queues,
                Completion done) override {
        storage::MemoryStore::append(m, queues, nullptr);
        pending.push_back(std::move(done));
    }
    void complete_all(bool ok = true) {
        auto p = std::move(pending);
        pending.clear();
        for (auto& d : p) d(ok);
    }
    std::vector<Completion> pending;
};

struct DeferredHarness {
    DeferredStore store;
    core::Broker broker{store};
    Server server{broker, [] {
                      core::MqttConfig c;
                      c.sys_interval = 0;
                      return c;
                  }()};
};

TEST(MqttSession, PubacksWaitForCommitAndKeepArrivalOrder) {
    DeferredHarness h;
    Client sub(h.server), pub(h.server);
    sub.connect("durable-sub", false);  // persistent session: durable queue
    sub.subscribe("durable", 1);
    sub.received();
    pub.connect("pub");
    pub.publish("durable", "a", 1, 1);  // waits for the commit
    pub.publish("nobody", "b", 1, 2);   // routed nowhere: safe at once
    EXPECT_TRUE(pub.received_of<PubAckLike>().empty()) << "no ack may overtake the first";
    h.store.complete_all();
    auto acks = pub.received_of<PubAckLike>();
    ASSERT_EQ(acks.size(), 2u);
    EXPECT_EQ(acks[0].packet_id, 1);
    EXPECT_EQ(acks[1].packet_id, 2);
}

TEST(MqttSession, FailedCommitClosesWithoutAck) {
    DeferredHarness h;
    Client sub(h.server), pub(h.server);
    sub.connect("durable-sub", false);
    sub.subscribe("durable", 2);
    pub.connect("pub", false);
    pub.publish("durable", "a", 2, 5);
    h.store.complete_all(false);
    EXPECT_TRUE(pub.received_of<PubAckLike>().empty());
    EXPECT_TRUE(pub.closed());
}

TEST(MqttSession, RetainedOnSubscribeRespectsInflightWindow) {
    core::MqttConfig cfg;
    cfg.sys_interval = 0;
    cfg.max_inflight = 3;
    Harness h(cfg);
    Client pub(h.server);
    pub.connect("pub");
    for (int i = 0; i < 10; ++i) {
        pub.publish("r/" + std::to_string(i), "v", 1, static_cast<std::uint16_t>(i + 1), true);
    }
    Client sub(h.server);
    sub.connect("sub");
    sub.subscribe("r/#", 1);
    auto first = sub.received_of<Publish>();
    ASSERT_EQ(first.size(), 3u);
    for (const auto& p : first) EXPECT_TRUE(p.retain);
    sub.send(PubAckLike{PacketType::Puback, first[0].packet_id, 0, {}});
    EXPECT_EQ(sub.received_of<Publish>().size(), 1u);
}

TEST(MqttSession, TakeoverOfPersistentSessionDropsOldWill) {
    Harness h(sys_off());
    Client watcher(h.server);
    watcher.connect("w");
    watcher.subscribe("will/#", 0);
    watcher.received();
    Client first(h.server), second(h.server);
    first.connect("dev", false, Will{"will/dev", "gone", 0, false, {}});
    second.connect("dev", false);
    first.drop();
    EXPECT_TRUE(watcher.received_of<Publish>().empty());
    Client third(h.server);
    third.connect("dev", true);  // a clean takeover ends the session: but second had no will
    EXPECT_TRUE(watcher.received_of<Publish>().empty());
}

TEST(MqttSession, TakeoverByCleanSessionSendsOldWill) {
    Harness h(sys_off());
    Client watcher(h.server);
    watcher.connect("w");
    watcher.subscribe("will/#", 0);
    watcher.received();
    Client first(h.server), second(h.server);
    first.connect("dev", true, Will{"will/dev", "gone", 0, false, {}});
    second.connect("dev", true);
    EXPECT_EQ(watcher.received_of<Publish>().size(), 1u);
}

}  // namespace
}  // namespace sy::mqtt::test

namespace sy::mqtt::test {
namespace {

// A broker and MQTT server over a store that outlives them, as a restart sees it.
struct Restartable {
    explicit Restartable(storage::QueueStore& store)
        : broker(store), server(broker, sys_off()) {
        server.recover();
    }
    core::Broker broker;
    Server server;
};

TEST(MqttSession, PersistentSessionSurvivesRestart) {
    storage::MemoryStore store;
    {
        Restartable gw(store);
        Client sub(gw.server);
        sub.connect("keeper", false);
        sub.subscribe("plant/#", 1);
        sub.received();
        Client pub(gw.server);
        pub.connect("pub");
        pub.publish("plant/1/temp", "sent-unacked", 1, 1);
        ASSERT_EQ(sub.received_of<Publish>().size(), 1u);
        sub.drop();
        pub.publish("plant/1/temp", "queued", 1, 2);
        pub.publish("plant/1/temp", "transient", 0);
        pub.drop();
    }
    Restartable gw(store);
    EXPECT_EQ(gw.server.session_count(), 1u);
    Client pub(gw.server);
    pub.connect("pub2");
    pub.publish("plant/2/temp", "after-restart", 1, 1);
    Client sub(gw.server);
    auto ack = sub.connect("keeper", false);
    EXPECT_TRUE(ack.session_present);
    auto got = sub.received_of<Publish>();
    ASSERT_EQ(got.size(), 3u) << "QoS 0 is not kept across a restart";
    EXPECT_EQ(got[0].payload, "sent-unacked");
    EXPECT_TRUE(got[0].dup) << "it had been sent before the restart";
    EXPECT_EQ(got[1].payload, "queued");
    EXPECT_FALSE(got[1].dup);
    EXPECT_EQ(got[2].payload, "after-restart");
}

TEST(MqttSession, CleanSessionLeavesNothingInTheStore) {
    storage::MemoryStore store;
    {
        Restartable gw(store);
        Client a(gw.server);
        a.connect("tmp", false);
        a.subscribe("x", 1);
        a.drop();
        Client b(gw.server);
        b.connect("tmp", true);  // ends the persistent session
        b.drop();
    }
    Restartable gw(store);
    EXPECT_EQ(gw.server.session_count(), 0u);
    EXPECT_TRUE(store.load_topology().mqtt_sessions.empty());
}

TEST(MqttSession, OutboundQos2StateSurvivesRestart) {
    storage::MemoryStore store;
    std::uint16_t first_pid = 0, second_pid = 0;
    {
        Restartable gw(store);
        Client sub(gw.server);
        sub.connect("sub2", false);
        sub.subscribe("t/#", 2);
        sub.received();
        Client pub(gw.server);
        pub.connect("pub");
        pub.publish("t/a", "rec-seen", 2, 1);
        pub.publish("t/b", "rec-lost", 2, 2);
        auto got = sub.received_of<Publish>();
        ASSERT_EQ(got.size(), 2u);
        first_pid = got[0].packet_id;
        second_pid = got[1].packet_id;
        // The client confirms the first only; then the gateway dies.
        sub.send(PubAckLike{PacketType::Pubrec, first_pid, 0, {}});
        ASSERT_EQ(sub.received_of<PubAckLike>().size(), 1u);  // PUBREL
    }
    Restartable gw(store);
    Client sub(gw.server);
    EXPECT_TRUE(sub.connect("sub2", false).session_present);
    auto again = sub.received();
    // The PUBREL still owed, and the unconfirmed message with its old packet id: a receiver
    // that kept that id knows it is the same message (exactly once).
    bool pubrel = false, republished = false;
    for (auto& p : again) {
        if (auto* a = std::get_if<PubAckLike>(&p)) {
            pubrel = pubrel || (a->type == PacketType::Pubrel && a->packet_id == first_pid);
        } else if (auto* m = std::get_if<Publish>(&p)) {
            EXPECT_NE(m->payload, "rec-seen") << "a message past PUBREC came back";
            if (m->payload == "rec-lost") {
                republished = true;
                EXPECT_EQ(m->packet_id, second_pid);
                EXPECT_TRUE(m->dup);
            }
        }
    }
    EXPECT_TRUE(pubrel);
    EXPECT_TRUE(republished);
    sub.send(PubAckLike{PacketType::Pubcomp, first_pid, 0, {}});
    sub.send(PubAckLike{PacketType::Pubrec, second_pid, 0, {}});
    sub.send(PubAckLike{PacketType::Pubcomp, second_pid, 0, {}});
    auto stored = store.load_topology().mqtt_sessions;
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_TRUE(stored[0].outbound_qos2.empty());
}

TEST(MqttSession, SessionExpiryIsKeptAcrossRestart) {
    storage::MemoryStore store;
    {
        Restartable gw(store);
        Client c(gw.server, ProtocolVersion::V5);
        Properties props;
        props.session_expiry_interval = 120;
        c.connect("v5", false, {}, 60, props);
        c.subscribe("x", 1);
        c.drop();
    }
    auto stored = store.load_topology().mqtt_sessions;
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_EQ(stored[0].expiry_s, 120u);
    Restartable gw(store);
    gw.server.tick(core::now_ms() + 119'000);
    EXPECT_EQ(gw.server.session_count(), 1u);
    gw.server.tick(core::now_ms() + 121'000);
    EXPECT_EQ(gw.server.session_count(), 0u) << "the session outlived its expiry interval";
}

TEST(MqttSession, InboundQos2IdsSurviveRestart) {
    storage::MemoryStore store;
    {
        Restartable gw(store);
        Client sub(gw.server);
        sub.connect("sub", false);
        sub.subscribe("t", 2);
        sub.drop();
        Client pub(gw.server);
        pub.connect("pub", false);
        pub.publish("t", "once", 2, 42);
        EXPECT_EQ(pub.received_of<PubAckLike>().size(), 1u);
        pub.drop();  // crash before PUBREL
    }
    Restartable gw(store);
    Client pub(gw.server);
    pub.connect("pub", false);
    Publish dup;
    dup.topic = "t";
    dup.payload = "once";
    dup.qos = 2;
    dup.packet_id = 42;
    dup.dup = true;
    pub.send(dup);
    pub.send(PubAckLike{PacketType::Pubrel, 42, 0, {}});
    Client sub(gw.server);
    sub.connect("sub", false);
    EXPECT_EQ(sub.received_of<Publish>().size(), 1u) << "delivered once";
}

}  // namespace
}  // namespace sy::mqtt::test

// Broker::tick: queues with x-expires are deleted once unused that long, and every queue sheds
// its expired messages even when nobody consumes from it.

#include <gtest/gtest.h>

#include "broker_test_support.hpp"

namespace sy::core::test {
namespace {

QueueOptions expiring(std::uint64_t ms) {
    QueueOptions o;
    o.expires_ms = ms;
    return o;
}

enum class Use { None, Redeclare, Get, ConsumeAndCancel, Publish };

TEST(QueueExpiry, DeletesOnlyQueuesUnusedForTheirExpiry) {
    struct Case {
        const char* name;
        Use use;            // at t0 + 600
        std::int64_t tick;  // relative to t0
        bool deleted;
    };
    const Case cases[] = {
        {"unused, before", Use::None, 999, false},
        {"unused, at expiry", Use::None, 1000, true},
        {"publishing is not use", Use::Publish, 1000, true},
        {"redeclare restarts it", Use::Redeclare, 1000, false},
        {"redeclare, then expiry", Use::Redeclare, 1600, true},
        {"get restarts it", Use::Get, 1599, false},
        {"get, then expiry", Use::Get, 1600, true},
        {"consume restarts it", Use::ConsumeAndCancel, 1599, false},
        {"consume, then expiry", Use::ConsumeAndCancel, 1600, true},
    };
    for (const auto& c : cases) {
        BrokerFixture f;
        const std::int64_t t0 = f.clock.now;
        auto* q = f.queue("q", expiring(1000));
        f.broker.bind("amq.topic", Binding{q, "#", std::nullopt, {}, 2});
        f.clock.now = t0 + 600;
        Sink s;
        switch (c.use) {
        case Use::None: break;
        case Use::Redeclare: f.queue("q", expiring(1000)); break;
        case Use::Get: q->get(true); break;
        case Use::ConsumeAndCancel:
            q->add_consumer(&s);
            q->remove_consumer(&s);
            break;
        case Use::Publish: f.send("q", "x"); break;
        }
        f.clock.now = t0 + c.tick;
        f.broker.tick(f.clock.now);
        EXPECT_EQ(f.broker.find_queue("q") == nullptr, c.deleted) << c.name;
        EXPECT_EQ(f.broker.stats().queues_expired, c.deleted ? 1u : 0u) << c.name;
        if (c.deleted) {
            EXPECT_EQ(f.broker.find_exchange("amq.topic")->binding_count(), 0u) << c.name;
        }
    }
}

TEST(QueueExpiry, QueueWithAConsumerStays) {
    BrokerFixture f;
    auto* q = f.queue("q", expiring(1000));
    Sink s;
    q->add_consumer(&s);
    f.clock.now += 10'000;
    f.broker.tick(f.clock.now);
    ASSERT_EQ(f.broker.find_queue("q"), q);
    q->remove_consumer(&s);  // idle from now on
    f.broker.tick(f.clock.now + 999);
    EXPECT_NE(f.broker.find_queue("q"), nullptr);
    f.broker.tick(f.clock.now + 1000);
    EXPECT_EQ(f.broker.find_queue("q"), nullptr);
}

TEST(QueueExpiry, QueueWithoutExpiresStays) {
    BrokerFixture f;
    f.queue("q");
    f.broker.tick(f.clock.now + 1'000'000'000);
    EXPECT_NE(f.broker.find_queue("q"), nullptr);
}

TEST(QueueExpiry, OnlyTheUnusedQueueGoes) {
    BrokerFixture f;
    f.queue("idle", expiring(1000));
    f.queue("busy", expiring(1000));
    f.queue("forever");
    f.clock.now += 800;
    f.queue("busy", expiring(1000));
    f.clock.now += 200;
    f.broker.tick(f.clock.now);
    EXPECT_EQ(f.broker.find_queue("idle"), nullptr);
    EXPECT_NE(f.broker.find_queue("busy"), nullptr);
    EXPECT_NE(f.broker.find_queue("forever"), nullptr);
    EXPECT_EQ(f.broker.queue_count(), 2u);
}

TEST(QueueExpiry, MessagesOfAnExpiredQueueAreNotDeadLettered) {
    BrokerFixture f;
    auto* dead = f.queue("dead");
    QueueOptions o = expiring(1000);
    o.durable = true;
    o.dead_letter_exchange = "";
    o.dead_letter_routing_key = "dead";
    f.queue("q", o);
    f.send("q", "a", /*persistent=*/true);
    f.send("q", "b", /*persistent=*/true);
    EXPECT_EQ(f.store.stored_count("q"), 2u);
    f.clock.now += 1000;
    f.broker.tick(f.clock.now);
    EXPECT_EQ(f.broker.find_queue("q"), nullptr);
    EXPECT_EQ(dead->ready_count(), 0u);
    EXPECT_EQ(f.store.stored_count("q"), 0u) << "durable queue dropped from the store";
}

TEST(QueueExpiry, TickShedsExpiredMessagesOfQueuesWithoutConsumers) {
    BrokerFixture f;
    QueueOptions ttl;
    ttl.message_ttl_ms = 100;
    ttl.durable = true;
    auto* a = f.queue("a", ttl);
    auto* b = f.queue("b");
    f.send("a", "a1", true);
    f.send("b", "b-short", false, 100);
    f.send("b", "b-forever");
    f.clock.now += 50;
    f.send("a", "a2", true);
    f.clock.now += 51;
    f.broker.tick(f.clock.now);
    EXPECT_EQ(a->ready_count(), 1u);
    EXPECT_EQ(f.store.stored_count("a"), 1u) << "the store forgets expired messages";
    EXPECT_EQ(b->ready_count(), 1u);
    EXPECT_EQ(f.broker.stats().messages_expired, 2u);
    f.clock.now += 50;
    f.broker.tick(f.clock.now);
    EXPECT_EQ(a->ready_count(), 0u);
    EXPECT_EQ(f.store.stored_count("a"), 0u);
}

TEST(QueueExpiry, TickLeavesAnExpiredMessageBehindALiveHead) {
    BrokerFixture f;
    auto* q = f.queue("q");
    f.send("q", "long", false, 10'000);
    f.send("q", "short", false, 10);
    f.clock.now += 100;
    f.broker.tick(f.clock.now);
    EXPECT_EQ(q->ready_count(), 2u);
    auto got = f.drain("q");
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0]->payload, "long");
    EXPECT_EQ(f.broker.stats().messages_expired, 1u);
}

TEST(QueueExpiry, ExpiredMessageIsNotDeliveredWhenAConsumerArrives) {
    BrokerFixture f;
    auto* q = f.queue("q");
    f.send("q", "stale", false, 100);
    f.send("q", "fresh");
    f.clock.now += 101;
    Sink s;
    q->add_consumer(&s);
    ASSERT_EQ(s.got.size(), 1u);
    EXPECT_EQ(s.got[0]->payload, "fresh");
}

TEST(QueueExpiry, RecoveredExpiredMessagesWaitForTheTick) {
    BrokerFixture f;
    QueueOptions o;
    o.durable = true;
    o.message_ttl_ms = 100;
    // A store holding a message that expired while the broker was down.
    Message old;
    old.id = MessageId{77};
    old.routing_key = "q";
    old.payload = "old";
    old.props.persistent = true;
    old.published_at_ms = f.clock.now - 1000;
    f.store.append(std::make_shared<const Message>(old), {"q"}, nullptr);
    auto* q = f.queue("q", o);
    EXPECT_EQ(q->ready_count(), 1u) << "recovery does not dead-letter before bindings are back";
    f.broker.tick(f.clock.now);
    EXPECT_EQ(q->ready_count(), 0u);
    EXPECT_EQ(f.store.stored_count("q"), 0u);
}

}  // namespace
}  // namespace sy::core::test

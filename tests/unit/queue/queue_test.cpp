#include "core/queue/queue.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace sy::core {
namespace {

MessagePtr msg(std::string payload, std::uint64_t id = 0) {
    auto m = std::make_shared<Message>();
    m->payload = std::move(payload);
    m->id = MessageId{id};
    return m;
}

// Records deliveries; acks later unless told to settle at once.
class RecordingConsumer : public Consumer {
public:
    bool ready() const override { return ready_; }
    bool deliver(Queue&, DeliveryTag tag, const QueueEntry& e) override {
        got.push_back({tag, e.msg->payload, e.redelivered});
        return !settle_now;
    }
    struct Got {
        DeliveryTag tag;
        std::string payload;
        bool redelivered;
    };
    std::vector<Got> got;
    bool ready_ = true;
    bool settle_now = false;
};

class CountingObserver : public QueueObserver {
public:
    void on_settled(Queue&, const QueueEntry&) override { ++settled; }
    void on_dropped(Queue&, const QueueEntry&) override { ++dropped; }
    int settled = 0;
    int dropped = 0;
};

TEST(Queue, HoldsMessagesUntilAConsumerArrives) {
    Queue q("q", {});
    q.enqueue(msg("a"), 2);
    q.enqueue(msg("b"), 2);
    EXPECT_EQ(q.ready_count(), 2u);
    EXPECT_EQ(q.ready_bytes(), 2u);
    RecordingConsumer c;
    q.add_consumer(&c);
    ASSERT_EQ(c.got.size(), 2u);
    EXPECT_EQ(c.got[0].payload, "a");
    EXPECT_EQ(c.got[1].payload, "b");
    EXPECT_EQ(q.ready_count(), 0u);
    EXPECT_EQ(q.unacked_count(), 2u);
}

TEST(Queue, RoundRobinAcrossConsumers) {
    Queue q("q", {});
    RecordingConsumer a, b;
    q.add_consumer(&a);
    q.add_consumer(&b);
    for (int i = 0; i < 6; ++i) q.enqueue(msg(std::to_string(i)), 2);
    ASSERT_EQ(a.got.size(), 3u);
    ASSERT_EQ(b.got.size(), 3u);
    EXPECT_EQ(a.got[0].payload, "0");
    EXPECT_EQ(b.got[0].payload, "1");
    EXPECT_EQ(a.got[1].payload, "2");
}

TEST(Queue, PrefetchLimitsUnackedPerConsumer) {
    Queue q("q", {});
    RecordingConsumer c;
    q.add_consumer(&c, 2);
    for (int i = 0; i < 5; ++i) q.enqueue(msg(std::to_string(i)), 2);
    ASSERT_EQ(c.got.size(), 2u);
    EXPECT_TRUE(q.ack(c.got[0].tag));
    ASSERT_EQ(c.got.size(), 3u);
    EXPECT_EQ(c.got[2].payload, "2");
    EXPECT_FALSE(q.ack(c.got[0].tag)) << "a tag is settled once";
}

TEST(Queue, SettledAtOnceDoesNotUseCredit) {
    Queue q("q", {});
    RecordingConsumer c;
    c.settle_now = true;
    q.add_consumer(&c, 1);
    for (int i = 0; i < 5; ++i) q.enqueue(msg("x"), 0);
    EXPECT_EQ(c.got.size(), 5u);
    EXPECT_EQ(q.unacked_count(), 0u);
}

TEST(Queue, NackRequeuesAtHeadFlaggedRedelivered) {
    Queue q("q", {});
    RecordingConsumer c;
    q.add_consumer(&c, 1);
    q.enqueue(msg("first"), 2);
    q.enqueue(msg("second"), 2);
    ASSERT_EQ(c.got.size(), 1u);
    EXPECT_FALSE(c.got[0].redelivered);
    EXPECT_TRUE(q.nack(c.got[0].tag, true));
    ASSERT_EQ(c.got.size(), 2u);
    EXPECT_EQ(c.got[1].payload, "first");
    EXPECT_TRUE(c.got[1].redelivered);
}

TEST(Queue, RequeuedMessagesReturnToTheirOriginalPlace) {
    Queue q("q", {});
    std::vector<std::pair<DeliveryTag, QueueEntry>> held;
    for (std::uint64_t i = 1; i <= 4; ++i) q.enqueue(msg("m" + std::to_string(i), i), 2);
    for (int i = 0; i < 3; ++i) held.push_back(*q.get(false));  // m1..m3 out, m4 ready
    // Requeued out of order, they still line up by publish order, before m4.
    EXPECT_TRUE(q.nack(held[2].first, true));
    EXPECT_TRUE(q.nack(held[0].first, true));
    std::vector<std::string> order;
    while (auto g = q.get(true)) order.push_back(g->second.msg->payload);
    EXPECT_EQ(order, (std::vector<std::string>{"m1", "m3", "m4"}));
}

TEST(Queue, NackWithoutRequeueDrops) {
    CountingObserver obs;
    Queue q("q", {}, &obs);
    RecordingConsumer c;
    q.add_consumer(&c);
    q.enqueue(msg("a"), 2);
    EXPECT_TRUE(q.nack(c.got[0].tag, false));
    EXPECT_EQ(obs.dropped, 1);
    EXPECT_EQ(q.ready_count(), 0u);
}

TEST(Queue, RemovingConsumerRequeuesInOriginalOrder) {
    Queue q("q", {});
    RecordingConsumer a;
    q.add_consumer(&a);
    for (int i = 0; i < 3; ++i) q.enqueue(msg(std::to_string(i)), 2);
    q.ack(a.got[1].tag);
    q.remove_consumer(&a);
    EXPECT_EQ(q.ready_count(), 2u);
    RecordingConsumer b;
    q.add_consumer(&b);
    ASSERT_EQ(b.got.size(), 2u);
    EXPECT_EQ(b.got[0].payload, "0");
    EXPECT_EQ(b.got[1].payload, "2");
    EXPECT_TRUE(b.got[0].redelivered);
}

TEST(Queue, RemovingConsumerWithoutRequeueKeepsUnacked) {
    Queue q("q", {});
    RecordingConsumer a;
    q.add_consumer(&a);
    q.enqueue(msg("a"), 2);
    q.remove_consumer(&a, false);
    EXPECT_EQ(q.unacked_count(), 1u);
    EXPECT_TRUE(q.ack(a.got[0].tag));
}

TEST(Queue, NotReadyConsumerIsSkippedUntilDispatch) {
    Queue q("q", {});
    RecordingConsumer c;
    c.ready_ = false;
    q.add_consumer(&c);
    q.enqueue(msg("a"), 2);
    EXPECT_TRUE(c.got.empty());
    c.ready_ = true;
    q.dispatch();
    EXPECT_EQ(c.got.size(), 1u);
}

TEST(Queue, MaxLengthDropHeadDiscardsOldest) {
    CountingObserver obs;
    QueueOptions o;
    o.max_length = 2;
    Queue q("q", o, &obs);
    q.enqueue(msg("1"), 2);
    q.enqueue(msg("2"), 2);
    EXPECT_EQ(q.enqueue(msg("3"), 2), EnqueueResult::Queued);
    EXPECT_EQ(obs.dropped, 1);
    RecordingConsumer c;
    q.add_consumer(&c);
    ASSERT_EQ(c.got.size(), 2u);
    EXPECT_EQ(c.got[0].payload, "2");
}

TEST(Queue, MaxLengthRejectPublishRefusesNewest) {
    QueueOptions o;
    o.max_length = 1;
    o.overflow = Overflow::RejectPublish;
    Queue q("q", o);
    EXPECT_EQ(q.enqueue(msg("1"), 2), EnqueueResult::Queued);
    EXPECT_EQ(q.enqueue(msg("2"), 2), EnqueueResult::Rejected);
    EXPECT_EQ(q.ready_count(), 1u);
}

TEST(Queue, MaxLengthBytes) {
    QueueOptions o;
    o.max_length_bytes = 5;
    Queue q("q", o);
    q.enqueue(msg("abc"), 2);
    q.enqueue(msg("de"), 2);
    q.enqueue(msg("fg"), 2);  // drops "abc"
    EXPECT_EQ(q.ready_count(), 2u);
    EXPECT_EQ(q.ready_bytes(), 4u);
    EXPECT_EQ(q.enqueue(msg("toolarge"), 2), EnqueueResult::Dropped);
}

TEST(Queue, GetTakesHeadAndTracksUnlessNoAck) {
    CountingObserver obs;
    Queue q("q", {}, &obs);
    EXPECT_FALSE(q.get(false));
    q.enqueue(msg("a"), 2);
    q.enqueue(msg("b"), 2);
    auto first = q.get(false);
    ASSERT_TRUE(first);
    EXPECT_EQ(first->second.msg->payload, "a");
    EXPECT_EQ(q.unacked_count(), 1u);
    EXPECT_TRUE(q.nack(first->first, true));
    auto again = q.get(true);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->second.msg->payload, "a");
    EXPECT_TRUE(again->second.redelivered);
    EXPECT_EQ(obs.settled, 1);
}

TEST(Queue, PurgeDropsReadyOnly) {
    Queue q("q", {});
    RecordingConsumer c;
    q.add_consumer(&c, 1);
    q.enqueue(msg("a"), 2);
    q.enqueue(msg("b"), 2);
    q.enqueue(msg("c"), 2);
    EXPECT_EQ(q.purge(), 2u);
    EXPECT_EQ(q.unacked_count(), 1u);
}

// A consumer that acks from inside deliver(), as a synchronous client would.
class AckingConsumer : public Consumer {
public:
    bool deliver(Queue& q, DeliveryTag tag, const QueueEntry&) override {
        ++count;
        q.ack(tag);
        return true;
    }
    int count = 0;
};

TEST(Queue, AckFromInsideDeliverIsSafe) {
    Queue q("q", {});
    AckingConsumer c;
    q.add_consumer(&c, 1);
    for (int i = 0; i < 100; ++i) q.enqueue(msg("x"), 2);
    EXPECT_EQ(c.count, 100);
    EXPECT_EQ(q.unacked_count(), 0u);
}

}  // namespace
}  // namespace sy::core

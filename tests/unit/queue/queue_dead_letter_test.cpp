// Which exits a queue reports as dead letters, and why: expired, rejected (requeue=false) and
// drop-head overflow are; reject-publish, purge and a message too big to fit are not.

#include <gtest/gtest.h>

#include "queue_test_support.hpp"

namespace sy::core::test {
namespace {

TEST(QueueDeadLetter, ReasonNames) {
    EXPECT_EQ(to_string(DeadLetterReason::Expired), "expired");
    EXPECT_EQ(to_string(DeadLetterReason::Rejected), "rejected");
    EXPECT_EQ(to_string(DeadLetterReason::Maxlen), "maxlen");
}

TEST(QueueDeadLetter, NackWithoutRequeueIsRejected) {
    ExitLog log;
    Queue q("q", {}, &log);
    Recorder c;
    q.add_consumer(&c);
    q.enqueue(msg_at("a", 0), 2);
    q.enqueue(msg_at("b", 0), 2);
    EXPECT_TRUE(q.nack(c.tags.at(1), false));
    EXPECT_TRUE(q.nack(c.tags.at(0), true));
    EXPECT_EQ(log.exits, std::vector{rejected("b")});
    EXPECT_EQ(q.dropped_total(), 1u);
}

TEST(QueueDeadLetter, RejectedBasicGet) {
    ExitLog log;
    Queue q("q", {}, &log);
    q.enqueue(msg_at("a", 0), 2);
    auto got = q.get(false);
    ASSERT_TRUE(got);
    EXPECT_TRUE(q.nack(got->first, false));
    EXPECT_EQ(log.exits, std::vector{rejected("a")});
}

struct OverflowCase {
    const char* name;
    std::uint64_t max_length;
    std::uint64_t max_length_bytes;
    Overflow overflow;
    std::vector<std::string> publish;
    std::vector<ExitLog::Exit> exits;
    std::vector<EnqueueResult> results;
};

TEST(QueueDeadLetter, Overflow) {
    using R = EnqueueResult;
    const OverflowCase cases[] = {
        {"drop-head by count", 2, 0, Overflow::DropHead, {"1", "2", "3", "4"},
         {maxlen("1"), maxlen("2")}, {R::Queued, R::Queued, R::Queued, R::Queued}},
        {"drop-head by bytes", 0, 4, Overflow::DropHead, {"aa", "bb", "ccc"},
         {maxlen("aa"), maxlen("bb")}, {R::Queued, R::Queued, R::Queued}},
        {"reject-publish is not dead-lettered", 1, 0, Overflow::RejectPublish, {"1", "2", "3"},
         {}, {R::Queued, R::Rejected, R::Rejected}},
        // As before: the queue is emptied trying to make room, the newcomer still does not fit.
        {"too big for the byte limit", 0, 3, Overflow::DropHead, {"ab", "toolarge"},
         {maxlen("ab")}, {R::Queued, R::Dropped}},
    };
    for (const auto& c : cases) {
        ExitLog log;
        QueueOptions o;
        o.max_length = c.max_length;
        o.max_length_bytes = c.max_length_bytes;
        o.overflow = c.overflow;
        Queue q("q", o, &log);
        std::vector<EnqueueResult> results;
        for (const auto& p : c.publish) results.push_back(q.enqueue(msg_at(p, 0), 2));
        EXPECT_EQ(results, c.results) << c.name;
        EXPECT_EQ(log.exits, c.exits) << c.name;
    }
}

TEST(QueueDeadLetter, PurgeIsAPlainDrop) {
    ExitLog log;
    Queue q("q", {}, &log);
    q.enqueue(msg_at("a", 0), 2);
    q.purge();
    EXPECT_EQ(log.exits, std::vector{dropped("a")});
}

// An observer that does not override on_dead_letter sees dead letters as drops.
class DropsOnly : public QueueObserver {
public:
    void on_settled(Queue&, const QueueEntry&) override {}
    void on_dropped(Queue&, const QueueEntry&) override { ++dropped; }
    int dropped = 0;
};

TEST(QueueDeadLetter, DefaultObserverTreatsDeadLettersAsDrops) {
    FakeClock clock;
    DropsOnly obs;
    QueueOptions o;
    o.max_length = 1;
    o.message_ttl_ms = 10;
    Queue q("q", o, &obs, clock.fn());
    q.enqueue(msg_at("a", clock.now), 2);
    q.enqueue(msg_at("b", clock.now), 2);  // maxlen
    clock.now += 11;
    q.expire(clock.now);  // expired
    q.enqueue(msg_at("c", clock.now), 2);
    auto got = q.get(false);
    ASSERT_TRUE(got);
    q.nack(got->first, false);  // rejected
    EXPECT_EQ(obs.dropped, 3);
}

// An observer that publishes back into the queue from its callback, as a broker whose
// dead-letter exchange routes to the same queue (after a rejection) does.
class Reinserter : public QueueObserver {
public:
    void on_settled(Queue&, const QueueEntry&) override {}
    void on_dropped(Queue&, const QueueEntry&) override {}
    void on_dead_letter(Queue& q, const QueueEntry& e, DeadLetterReason) override {
        if (budget-- > 0) q.enqueue(msg_at(e.msg->payload + "'", e.msg->published_at_ms), 2);
    }
    int budget = 0;
};

TEST(QueueDeadLetter, ObserverMayEnqueueIntoTheSameQueue) {
    Reinserter obs;
    obs.budget = 3;
    QueueOptions o;
    o.max_length = 2;
    Queue q("q", o, &obs);
    Recorder c;
    c.ready_ = false;
    q.add_consumer(&c);
    // "c" pushes out a, b, a' and b' in turn, each reinserted once until the budget is spent.
    for (auto p : {"a", "b", "c"}) q.enqueue(msg_at(p, 0), 2);
    EXPECT_EQ(q.ready_count(), 2u);
    EXPECT_EQ(q.ready_bytes(), 4u);  // "a''" and "c"
    c.ready_ = true;
    q.dispatch();
    EXPECT_EQ(c.payloads, (std::vector<std::string>{"a''", "c"}));
    for (auto t : c.tags) EXPECT_TRUE(q.nack(t, false));
    EXPECT_EQ(q.ready_count(), 0u);
    EXPECT_EQ(q.ready_bytes(), 0u);
    EXPECT_EQ(q.unacked_count(), 0u);
}

}  // namespace
}  // namespace sy::core::test

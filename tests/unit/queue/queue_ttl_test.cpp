// Message TTL: per-queue (x-message-ttl), per-message (expiration), the lower one winning,
// and expired messages never delivered: skipped at the head by dispatch and get, shed by
// expire(), kept waiting behind a longer-lived head as in RabbitMQ.

#include <gtest/gtest.h>

#include <limits>

#include "core/model/clock.hpp"
#include "queue_test_support.hpp"

namespace sy::core::test {
namespace {

constexpr std::int64_t kT0 = 1'000'000;
constexpr auto kNever = std::nullopt;

QueueOptions ttl(std::optional<std::uint64_t> message_ttl_ms) {
    QueueOptions o;
    o.message_ttl_ms = message_ttl_ms;
    return o;
}

struct DeadlineCase {
    const char* name;
    std::optional<std::uint64_t> queue_ttl;
    std::optional<std::uint64_t> message_ttl;
    std::optional<std::int64_t> deadline;  // relative to kT0
};

TEST(QueueTtl, DeadlineIsPublishTimePlusTheLowerTtl) {
    const DeadlineCase cases[] = {
        {"no ttl", kNever, kNever, kNever},
        {"queue ttl", 100, kNever, 100},
        {"message ttl", kNever, 50, 50},
        {"message lower", 100, 50, 50},
        {"queue lower", 30, 50, 30},
        {"equal", 40, 40, 40},
        {"queue zero", 0, 50, 0},
        {"message zero", 100, 0, 0},
        {"beyond the clock", kNever, std::numeric_limits<std::uint64_t>::max(), kNever},
    };
    for (const auto& c : cases) {
        Queue q("q", ttl(c.queue_ttl));
        QueueEntry e{msg_at("x", kT0, c.message_ttl)};
        const auto expect = c.deadline ? std::optional(kT0 + *c.deadline) : std::nullopt;
        EXPECT_EQ(q.deadline(e), expect) << c.name;
    }
}

struct AgeCase {
    const char* name;
    std::optional<std::uint64_t> queue_ttl;
    std::optional<std::uint64_t> message_ttl;
    std::int64_t age_ms;  // how long the message has waited when get() runs
    bool delivered;
};

TEST(QueueTtl, GetSeesOnlyMessagesWithinTheirTtl) {
    const AgeCase cases[] = {
        {"no ttl, old", kNever, kNever, 10'000'000, true},
        {"queue ttl, young", 100, kNever, 99, true},
        {"queue ttl, exactly at ttl", 100, kNever, 100, true},
        {"queue ttl, past", 100, kNever, 101, false},
        {"message ttl, past", kNever, 100, 101, false},
        {"message lower wins", 1000, 100, 101, false},
        {"queue lower wins", 100, 1000, 101, false},
        {"both longer", 1000, 500, 499, true},
        {"ttl 0 at once", 0, kNever, 0, true},
        {"ttl 0 a ms later", 0, kNever, 1, false},
    };
    for (const auto& c : cases) {
        FakeClock clock;
        clock.now = kT0;
        ExitLog log;
        Queue q("q", ttl(c.queue_ttl), &log, clock.fn());
        q.enqueue(msg_at("m", kT0, c.message_ttl), 2);
        clock.now = kT0 + c.age_ms;
        auto got = q.get(true);
        EXPECT_EQ(got.has_value(), c.delivered) << c.name;
        if (!c.delivered) {
            EXPECT_EQ(log.exits, std::vector{expired("m")}) << c.name;
            EXPECT_EQ(q.expired_total(), 1u) << c.name;
        }
        EXPECT_EQ(q.ready_count(), 0u) << c.name;
    }
}

TEST(QueueTtl, GetSkipsExpiredHeadAndReturnsTheNextLiveMessage) {
    FakeClock clock;
    ExitLog log;
    Queue q("q", {}, &log, clock.fn());
    q.enqueue(msg_at("short-1", clock.now, 10), 2);
    q.enqueue(msg_at("short-2", clock.now, 20), 2);
    q.enqueue(msg_at("long", clock.now, 1000), 2);
    clock.now += 50;
    auto got = q.get(false);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->second.msg->payload, "long");
    EXPECT_EQ(log.exits, (std::vector{expired("short-1"), expired("short-2")}));
    EXPECT_EQ(q.unacked_count(), 1u);
}

TEST(QueueTtl, DispatchSkipsExpiredHead) {
    FakeClock clock;
    ExitLog log;
    Queue q("q", ttl(100), &log, clock.fn());
    Recorder c;
    c.ready_ = false;
    q.add_consumer(&c);
    q.enqueue(msg_at("old", clock.now), 2);
    clock.now += 60;
    q.enqueue(msg_at("new", clock.now), 2);
    clock.now += 60;  // "old" has waited 120 ms, "new" 60 ms
    c.ready_ = true;
    q.dispatch();
    EXPECT_EQ(c.payloads, std::vector<std::string>{"new"});
    EXPECT_EQ(log.exits, std::vector{expired("old")});
}

TEST(QueueTtl, TtlZeroDeliversOnlyToAConsumerWaitingForIt) {
    FakeClock clock;
    ExitLog log;
    Queue q("q", ttl(0), &log, clock.fn());
    Recorder c;
    q.add_consumer(&c);
    q.enqueue(msg_at("now", clock.now), 2);
    EXPECT_EQ(c.payloads, std::vector<std::string>{"now"});

    c.ready_ = false;
    q.enqueue(msg_at("later", clock.now), 2);
    clock.now += 1;
    c.ready_ = true;
    q.dispatch();
    EXPECT_EQ(c.payloads.size(), 1u);
    EXPECT_EQ(log.exits, std::vector{expired("later")});
}

TEST(QueueTtl, ExpireShedsHeadOfAQueueWithoutConsumers) {
    FakeClock clock;
    ExitLog log;
    Queue q("q", ttl(100), &log, clock.fn());
    q.enqueue(msg_at("a", clock.now), 2);
    q.enqueue(msg_at("bb", clock.now + 50), 2);
    q.enqueue(msg_at("ccc", clock.now + 200), 2);
    EXPECT_EQ(q.expire(clock.now + 100), 0u) << "not past the ttl yet";
    EXPECT_EQ(q.expire(clock.now + 151), 2u);
    EXPECT_EQ(q.ready_count(), 1u);
    EXPECT_EQ(q.ready_bytes(), 3u);
    EXPECT_EQ(log.exits, (std::vector{expired("a"), expired("bb")}));
    EXPECT_EQ(q.expire(clock.now + 301), 1u);
    EXPECT_EQ(q.ready_count(), 0u);
    EXPECT_EQ(q.ready_bytes(), 0u);
    EXPECT_EQ(q.expired_total(), 3u);
}

TEST(QueueTtl, ExpiredMessageBehindALiveHeadWaitsUntilItIsTheHead) {
    FakeClock clock;
    ExitLog log;
    Queue q("q", {}, &log, clock.fn());
    q.enqueue(msg_at("long", clock.now, 1000), 2);
    q.enqueue(msg_at("short", clock.now, 10), 2);
    clock.now += 50;
    EXPECT_EQ(q.expire(clock.now), 0u);
    EXPECT_EQ(q.ready_count(), 2u) << "still counted, as in RabbitMQ";
    EXPECT_TRUE(log.exits.empty());

    auto head = q.get(true);
    ASSERT_TRUE(head);
    EXPECT_EQ(head->second.msg->payload, "long");
    EXPECT_FALSE(q.get(true)) << "the expired one is never handed out";
    EXPECT_EQ(log.exits, std::vector{expired("short")});
}

TEST(QueueTtl, ExpireWithoutTtlsDoesNothing) {
    ExitLog log;
    Queue q("q", {}, &log);
    q.enqueue(msg_at("a", 0), 2);
    EXPECT_EQ(q.expire(std::numeric_limits<std::int64_t>::max()), 0u);
    EXPECT_EQ(q.ready_count(), 1u);
}

TEST(QueueTtl, UnackedDeliveryDoesNotExpire) {
    FakeClock clock;
    ExitLog log;
    Queue q("q", ttl(100), &log, clock.fn());
    Recorder c;
    q.add_consumer(&c);
    q.enqueue(msg_at("m", clock.now), 2);
    clock.now += 1000;
    EXPECT_EQ(q.expire(clock.now), 0u);
    EXPECT_TRUE(q.ack(c.tags.at(0)));
    EXPECT_TRUE(log.exits.empty());
    EXPECT_EQ(log.settled, 1);
}

TEST(QueueTtl, RequeuedMessageKeepsItsOriginalExpiry) {
    FakeClock clock;
    ExitLog log;
    Queue q("q", ttl(100), &log, clock.fn());
    Recorder c;
    q.add_consumer(&c, 1);
    q.enqueue(msg_at("m", clock.now), 2);
    ASSERT_EQ(c.payloads.size(), 1u);
    clock.now += 150;
    EXPECT_TRUE(q.nack(c.tags.at(0), true));
    EXPECT_EQ(c.payloads.size(), 1u) << "back at the head, but dead";
    EXPECT_EQ(log.exits, std::vector{expired("m")});

    q.enqueue(msg_at("n", clock.now), 2);
    q.remove_consumer(&c);  // "n" goes back unacked, still young
    Recorder d;
    q.add_consumer(&d);
    EXPECT_EQ(d.payloads, std::vector<std::string>{"n"});
}

TEST(QueueTtl, OverflowShedsExpiredHeadBeforeDroppingLiveMessages) {
    FakeClock clock;
    ExitLog log;
    QueueOptions o;
    o.max_length = 2;
    Queue q("q", o, &log, clock.fn());
    q.enqueue(msg_at("dead", clock.now, 10), 2);
    q.enqueue(msg_at("live", clock.now), 2);
    clock.now += 20;
    EXPECT_EQ(q.enqueue(msg_at("new", clock.now), 2), EnqueueResult::Queued);
    EXPECT_EQ(log.exits, std::vector{expired("dead")}) << "expired, not maxlen";
    EXPECT_EQ(q.ready_count(), 2u);
}

TEST(QueueTtl, RejectPublishAcceptsOnceExpiredHeadIsShed) {
    FakeClock clock;
    ExitLog log;
    QueueOptions o = ttl(100);
    o.max_length = 1;
    o.overflow = Overflow::RejectPublish;
    Queue q("q", o, &log, clock.fn());
    EXPECT_EQ(q.enqueue(msg_at("a", clock.now), 2), EnqueueResult::Queued);
    EXPECT_EQ(q.enqueue(msg_at("b", clock.now), 2), EnqueueResult::Rejected);
    clock.now += 101;
    EXPECT_EQ(q.enqueue(msg_at("c", clock.now), 2), EnqueueResult::Queued);
    EXPECT_EQ(log.exits, std::vector{expired("a")});
}

TEST(QueueTtl, DefaultClockIsTheBrokerClock) {
    Queue q("q", ttl(60'000));
    q.enqueue(msg_at("ancient", wall_ms() - 120'000), 2);
    q.enqueue(msg_at("fresh", wall_ms()), 2);
    auto got = q.get(true);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->second.msg->payload, "fresh");
}

}  // namespace
}  // namespace sy::core::test

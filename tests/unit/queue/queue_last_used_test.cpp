// x-expires bookkeeping on the queue: what counts as use, and when a queue is unused long
// enough to be deleted (the broker's tick does the deleting).

#include <gtest/gtest.h>

#include "queue_test_support.hpp"

namespace sy::core::test {
namespace {

QueueOptions expires(std::optional<std::uint64_t> ms) {
    QueueOptions o;
    o.expires_ms = ms;
    return o;
}

TEST(QueueLastUsed, CreationCountsAsUse) {
    FakeClock clock;
    Queue q("q", expires(1000), nullptr, clock.fn());
    EXPECT_EQ(q.last_used_ms(), clock.now);
    EXPECT_FALSE(q.unused_expired(clock.now + 999));
    EXPECT_TRUE(q.unused_expired(clock.now + 1000));
}

TEST(QueueLastUsed, WithoutExpiresNeverExpires) {
    FakeClock clock;
    Queue q("q", expires(std::nullopt), nullptr, clock.fn());
    EXPECT_FALSE(q.unused_expired(clock.now + 1'000'000'000));
}

struct UseCase {
    const char* name;
    void (*use)(Queue&, Recorder&);
};

TEST(QueueLastUsed, UsesRestartTheIdleTime) {
    const UseCase cases[] = {
        {"touch (redeclare)", [](Queue& q, Recorder&) { q.touch(q.last_used_ms() + 500); }},
        {"get on an empty queue", [](Queue& q, Recorder&) { q.get(true); }},
        {"get", [](Queue& q, Recorder&) {
             q.enqueue(msg_at("m", 0), 2);
             q.get(true);
         }},
        {"consume and cancel", [](Queue& q, Recorder& c) {
             q.add_consumer(&c);
             q.remove_consumer(&c);
         }},
    };
    for (const auto& c : cases) {
        FakeClock clock;
        const std::int64_t created = clock.now;
        Queue q("q", expires(1000), nullptr, clock.fn());
        Recorder consumer;
        clock.now += 500;
        c.use(q, consumer);
        EXPECT_EQ(q.last_used_ms(), created + 500) << c.name;
        EXPECT_FALSE(q.unused_expired(created + 1000)) << c.name;
        EXPECT_TRUE(q.unused_expired(created + 1500)) << c.name;
    }
}

TEST(QueueLastUsed, PublishingIsNotUse) {
    FakeClock clock;
    Queue q("q", expires(1000), nullptr, clock.fn());
    clock.now += 900;
    q.enqueue(msg_at("m", clock.now), 2);
    EXPECT_TRUE(q.unused_expired(clock.now + 100));
}

TEST(QueueLastUsed, AQueueWithConsumersIsInUse) {
    FakeClock clock;
    Queue q("q", expires(1000), nullptr, clock.fn());
    Recorder c;
    q.add_consumer(&c);
    EXPECT_FALSE(q.unused_expired(clock.now + 1'000'000));
    clock.now += 5000;
    q.remove_consumer(&c);
    EXPECT_FALSE(q.unused_expired(clock.now + 999)) << "idle time counts from the cancel";
    EXPECT_TRUE(q.unused_expired(clock.now + 1000));
}

TEST(QueueLastUsed, UnackedGetKeepsTheQueueInUse) {
    FakeClock clock;
    Queue q("q", expires(1000), nullptr, clock.fn());
    q.enqueue(msg_at("m", 0), 2);
    auto got = q.get(false);
    ASSERT_TRUE(got);
    EXPECT_FALSE(q.unused_expired(clock.now + 5000));
    q.ack(got->first);
    EXPECT_TRUE(q.unused_expired(clock.now + 5000));
}

}  // namespace
}  // namespace sy::core::test

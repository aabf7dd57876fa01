// Broker-level paging: durable queues keep max_in_memory messages and page the rest from the
// store; recovery loads only the head. A store that holds its read answers back (as SQLite's
// storage thread does) shows that a queue deleted before the answer is left alone.

#include "core/broker/broker.hpp"
#include "storage/memory/memory_store.hpp"
#include "tests/unit/core/broker_test_support.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace sy::core {
namespace {

using test::Sink;

// "m<i>". Built by appending: GCC 12 at -O3 warns (-Wrestrict, a false positive) about
// `"m" + std::to_string(i)`.
std::string label(std::uint64_t i) {
    std::string s(1, 'm');
    s += std::to_string(i);
    return s;
}

// A memory store whose range reads answer only when the test says so.
class DeferringStore : public storage::MemoryStore {
public:
    void read_range(const std::string& queue, MessageId after, std::size_t limit,
                    ReadDone done) override {
        held.push_back([this, queue, after, limit, done = std::move(done)]() mutable {
            MemoryStore::read_range(queue, after, limit, std::move(done));
        });
    }
    std::size_t answer() {
        auto now = std::move(held);
        held.clear();
        for (auto& f : now) f();
        return now.size();
    }
    std::vector<std::function<void()>> held;
};

Message to_queue(const std::string& queue, std::string payload, bool persistent = true) {
    Message m;
    m.routing_key = queue;
    m.payload = std::move(payload);
    m.props.persistent = persistent;
    m.origin.protocol = Protocol::Amqp;
    return m;
}

QueueOptions durable() {
    QueueOptions o;
    o.durable = true;
    return o;
}

std::vector<std::string> payloads(const std::vector<MessagePtr>& v) {
    std::vector<std::string> out;
    for (const auto& m : v) out.push_back(m->payload);
    return out;
}

std::vector<std::string> numbered(int first, int last) {
    std::vector<std::string> out;
    for (int i = first; i <= last; ++i) out.push_back(label(i));
    return out;
}

TEST(BrokerPaging, DurableQueuesGetTheBrokerLimitOthersDoNot) {
    storage::MemoryStore store;
    Broker b(store);
    EXPECT_EQ(b.queue_memory_limit(), 10000u);
    b.set_queue_memory_limit(7);
    EXPECT_EQ(b.declare_queue("d", durable())->options().max_in_memory, 7u);
    EXPECT_EQ(b.declare_queue("t", {})->options().max_in_memory, 0u);
    auto own = durable();
    own.max_in_memory = 3;
    EXPECT_EQ(b.declare_queue("own", own)->options().max_in_memory, 3u);
}

TEST(BrokerPaging, PublishPagesOutAndAConsumerGetsEverythingInOrder) {
    storage::MemoryStore store;
    Broker b(store);
    b.set_queue_memory_limit(8);
    auto* q = b.declare_queue("q", durable());
    for (int i = 1; i <= 100; ++i) {
        // Every seventh is transient: it waits in memory behind the paged ones.
        b.publish(to_queue("q", label(i), i % 7 != 0), nullptr);
    }
    EXPECT_EQ(q->ready_count(), 100u);
    EXPECT_EQ(q->paged_count(), 100u - 8 - 13);  // 13 transient among m9..m100
    EXPECT_EQ(store.stored_count("q"), 86u);
    Sink c;
    c.auto_ack = true;
    q->add_consumer(&c);
    EXPECT_EQ(payloads(c.got), numbered(1, 100));
    EXPECT_EQ(q->ready_count(), 0u);
    EXPECT_EQ(store.stored_count("q"), 0u);
}

TEST(BrokerPaging, RecoveryLoadsOnlyTheHeadThenDrainsEverythingInOrder) {
    storage::MemoryStore store;
    {
        Broker first(store);
        first.set_queue_memory_limit(0);  // everything in memory, all of it stored
        first.declare_queue("q", durable());
        for (int i = 1; i <= 1000; ++i) first.publish(to_queue("q", label(i)), nullptr);
        ASSERT_EQ(store.stored_count("q"), 1000u);
    }
    Broker b(store);
    b.set_queue_memory_limit(50);
    auto* q = b.declare_queue("q", durable());
    EXPECT_EQ(q->in_memory_count(), 50u);
    EXPECT_EQ(q->paged_count(), 950u);
    EXPECT_EQ(q->ready_count(), 1000u);
    std::uint64_t bytes = 0;
    for (int i = 1; i <= 1000; ++i) bytes += label(i).size();
    EXPECT_EQ(q->ready_bytes(), bytes);
    // New messages queue up behind the recovered ones.
    b.publish(to_queue("q", "m1001"), nullptr);
    Sink c;
    c.auto_ack = true;
    q->add_consumer(&c);
    EXPECT_EQ(payloads(c.got), numbered(1, 1001));
    EXPECT_EQ(store.stored_count("q"), 0u);
    EXPECT_LE(q->page_reads(), 1001u / 25 + 2);  // batches, not one read per message
}

TEST(BrokerPaging, BasicGetPagesInToo) {
    test::BrokerFixture f;
    f.broker.set_queue_memory_limit(3);
    f.queue("q", durable());
    for (int i = 1; i <= 10; ++i) f.send("q", label(i), true);
    EXPECT_EQ(payloads(f.drain("q")), numbered(1, 10));
    EXPECT_EQ(f.store.stored_count("q"), 0u);
}

TEST(BrokerPaging, DeletingAQueueWhileItsReadIsInFlight) {
    DeferringStore store;
    Broker b(store);
    b.set_queue_memory_limit(4);
    auto* q = b.declare_queue("q", durable());
    for (int i = 1; i <= 20; ++i) b.publish(to_queue("q", label(i)), nullptr);
    Sink c;
    c.auto_ack = true;
    q->add_consumer(&c);
    ASSERT_TRUE(q->page_in_pending());
    q->remove_consumer(&c);
    b.delete_queue("q");
    // A queue of the same name declared meanwhile is a different queue: the old answer is not
    // for it.
    auto* again = b.declare_queue("q", durable());
    EXPECT_EQ(store.answer(), 1u);
    EXPECT_EQ(again->ready_count(), 0u);
    EXPECT_EQ(payloads(c.got), numbered(1, 4));
}

TEST(BrokerPaging, AnAnswerAfterTheBrokerIsGoneIsDropped) {
    DeferringStore store;
    {
        Broker b(store);
        b.set_queue_memory_limit(2);
        auto* q = b.declare_queue("q", durable());
        for (int i = 1; i <= 6; ++i) b.publish(to_queue("q", label(i)), nullptr);
        Sink c;
        c.auto_ack = true;
        q->add_consumer(&c);
        ASSERT_TRUE(q->page_in_pending());
        q->remove_consumer(&c);
    }
    EXPECT_EQ(store.answer(), 1u);  // no queue, no broker: nothing touched
}

TEST(BrokerPaging, AsynchronousReadsKeepOrderWhilePublishingGoesOn) {
    DeferringStore store;
    Broker b(store);
    b.set_queue_memory_limit(4);
    auto* q = b.declare_queue("q", durable());
    Sink c;
    c.auto_ack = true;
    int next = 1;
    for (int i = 0; i < 10; ++i) b.publish(to_queue("q", label(next++)), nullptr);
    q->add_consumer(&c);
    // Publishing and answering interleave, as they do on the loop.
    for (int round = 0; round < 20; ++round) {
        b.publish(to_queue("q", label(next++), round % 3 != 0), nullptr);
        store.answer();
    }
    while (store.answer() > 0) {
    }
    EXPECT_EQ(payloads(c.got), numbered(1, next - 1));
    EXPECT_EQ(q->ready_count(), 0u);
    EXPECT_EQ(store.stored_count("q"), 0u);
}

TEST(BrokerPaging, PurgeForgetsPagedMessagesInTheStore) {
    test::BrokerFixture f;
    f.broker.set_queue_memory_limit(5);
    auto* q = f.queue("q", durable());
    for (int i = 1; i <= 30; ++i) f.send("q", label(i), true);
    ASSERT_EQ(f.store.stored_count("q"), 30u);
    EXPECT_EQ(q->purge(), 30u);
    EXPECT_EQ(q->ready_count(), 0u);
    EXPECT_EQ(f.store.stored_count("q"), 0u);
    EXPECT_EQ(f.broker.stats().messages_dropped, 30u);
    f.send("q", "after", true);
    EXPECT_EQ(payloads(f.drain("q")), std::vector<std::string>{"after"});
}

TEST(BrokerPaging, PagedMessagesThatExpireAreDeadLetteredInOrder) {
    test::BrokerFixture f;
    f.broker.set_queue_memory_limit(3);
    f.broker.declare_exchange("dlx", ExchangeType::Fanout);
    auto* dead = f.queue("dead", {});
    f.broker.bind("dlx", Binding{dead, "", std::nullopt, {}, 2});
    auto o = durable();
    o.message_ttl_ms = 100;
    o.dead_letter_exchange = "dlx";
    f.queue("work", o);
    for (int i = 1; i <= 12; ++i) f.send("work", label(i), true);
    f.clock.now += 101;
    // Each tick sheds the expired head and reads the next batch.
    for (int tick = 0; tick < 10; ++tick) f.broker.tick(f.clock.now);
    EXPECT_EQ(f.broker.find_queue("work")->ready_count(), 0u);
    EXPECT_EQ(payloads(f.drain("dead")), numbered(1, 12));
    EXPECT_EQ(f.broker.stats().messages_expired, 12u);
    EXPECT_EQ(f.store.stored_count("work"), 0u);
}

TEST(BrokerPaging, QosCapsOfBindingsSurvivePaging) {
    storage::MemoryStore store;
    Broker b(store);
    b.set_queue_memory_limit(1);
    auto* q = b.declare_queue("q", durable());
    b.bind("amq.topic", Binding{q, "low.#", std::nullopt, {}, 0});
    b.bind("amq.topic", Binding{q, "high.#", std::nullopt, {}, 2});
    for (const char* key : {"high.a", "low.b", "low.c", "high.d"}) {
        Message m;
        m.exchange = "amq.topic";
        m.routing_key = key;
        m.payload = key;
        m.props.persistent = true;
        m.qos = 1;
        b.publish(std::move(m), nullptr);
    }
    class CapSink : public Consumer {
    public:
        bool deliver(Queue&, DeliveryTag, const QueueEntry& e) override {
            caps.push_back(e.qos_cap);
            return false;
        }
        std::vector<std::uint8_t> caps;
    } c;
    q->add_consumer(&c);
    EXPECT_EQ(c.caps, (std::vector<std::uint8_t>{2, 0, 0, 2}));
}

}  // namespace
}  // namespace sy::core

// Paging over the real SQLite store: a durable queue longer than the memory limit keeps its
// head in memory, reads the rest asynchronously from the storage thread (answers arrive
// through the loop), and after a restart recovers only its head and the count of the rest.

#include "core/broker/broker.hpp"
#include "tests/unit/storage_sqlite/test_support.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace sy::core {
namespace {

using storage::test::FakeLoop;
using storage::test::TempDir;

// "m<i>". Built by appending: GCC 12 at -O3 warns (-Wrestrict, a false positive) about
// `"m" + std::to_string(i)`.
std::string label(std::uint64_t i) {
    std::string s(1, 'm');
    s += std::to_string(i);
    return s;
}

struct Gateway {
    Gateway(const TempDir& dir, std::size_t limit) {
        storage::SqliteStore::Options o;
        o.path = dir.db();
        o.post = loop.poster();
        auto opened = storage::SqliteStore::open(std::move(o));
        if (!opened) throw std::runtime_error(opened.error());
        store = std::move(*opened);
        broker = std::make_unique<Broker>(*store);
        broker->set_queue_memory_limit(limit);
    }
    ~Gateway() {
        broker.reset();
        store.reset();
    }
    // One loop iteration: hand the store what was issued, run what it posted back.
    void iterate() {
        store->flush();
        loop.wait_and_run(std::chrono::milliseconds(5));
    }
    FakeLoop loop;
    std::unique_ptr<storage::SqliteStore> store;
    std::unique_ptr<Broker> broker;
};

QueueOptions durable() {
    QueueOptions o;
    o.durable = true;
    return o;
}

void publish(Broker& b, const std::string& queue, int i, bool persistent = true) {
    Message m;
    m.routing_key = queue;
    m.payload = label(i);
    m.props.persistent = persistent;
    m.origin.protocol = Protocol::Mqtt;
    b.publish(std::move(m), nullptr);
}

class Collect : public Consumer {
public:
    bool deliver(Queue& q, DeliveryTag tag, const QueueEntry& e) override {
        got.push_back(e.msg->payload);
        q.ack(tag);
        return true;
    }
    std::vector<std::string> got;
};

std::vector<std::string> numbered(int first, int last) {
    std::vector<std::string> out;
    for (int i = first; i <= last; ++i) out.push_back(label(i));
    return out;
}

TEST(PagingRestart, RecoversTheHeadAndPagesTheRestInOrder) {
    TempDir dir;
    {
        Gateway g(dir, 20);
        auto* q = g.broker->declare_queue("q", durable());
        for (int i = 1; i <= 500; ++i) publish(*g.broker, "q", i, i % 50 != 0);
        EXPECT_EQ(q->ready_count(), 500u);
        EXPECT_EQ(q->in_memory_count(), 20u + 10);  // the head and the transient tail
        g.store->drain();
    }
    Gateway g(dir, 20);
    auto* q = g.broker->declare_queue("q", durable());
    EXPECT_EQ(q->in_memory_count(), 20u);
    EXPECT_EQ(q->ready_count(), 490u);  // the transient ones did not survive
    Collect c;
    q->add_consumer(&c);
    publish(*g.broker, "q", 501);
    for (int i = 0; i < 1000 && q->ready_count() > 0; ++i) g.iterate();
    std::vector<std::string> expect;
    for (int i = 1; i <= 501; ++i) {
        if (i % 50 != 0) expect.push_back(label(i));
    }
    EXPECT_EQ(c.got, expect);
    g.store->drain();
    EXPECT_EQ(g.store->count_after("q", MessageId{0}).messages, 0u);
}

TEST(PagingRestart, PurgeAndDeleteWithAReadInFlight) {
    TempDir dir;
    Gateway g(dir, 10);
    auto* q = g.broker->declare_queue("q", durable());
    for (int i = 1; i <= 100; ++i) publish(*g.broker, "q", i);
    Collect c;
    q->add_consumer(&c);  // takes the head, asks for more
    ASSERT_TRUE(q->page_in_pending());
    EXPECT_EQ(q->purge(), 90u);
    for (int i = 0; i < 5; ++i) g.iterate();  // the stale answer arrives and is ignored
    EXPECT_EQ(c.got, numbered(1, 10));
    EXPECT_EQ(q->ready_count(), 0u);
    g.store->drain();
    EXPECT_EQ(g.store->count_after("q", MessageId{0}).messages, 0u);

    q->remove_consumer(&c);
    for (int i = 101; i <= 140; ++i) publish(*g.broker, "q", i);
    Collect d;
    q->add_consumer(&d);
    ASSERT_TRUE(q->page_in_pending());
    q->remove_consumer(&d);
    g.broker->delete_queue("q");
    for (int i = 0; i < 5; ++i) g.iterate();  // answers for a queue that is gone
    EXPECT_EQ(d.got, numbered(101, 110));
}

}  // namespace
}  // namespace sy::core

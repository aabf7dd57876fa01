// Paging: a durable queue past max_in_memory keeps its persistent messages in the store only
// and reads them back as its head drains. The owner here plays the broker's part over a
// MemoryStore, answering page-in requests at once or, in async mode, when the test says so.

#include "core/queue/queue.hpp"
#include "storage/memory/memory_store.hpp"
#include "tests/unit/queue/queue_test_support.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace sy::core {
namespace {

using test::ExitLog;
using test::FakeClock;

// "m<i>". Built by appending: GCC 12 at -O3 warns (-Wrestrict, a false positive) about
// `"m" + std::to_string(i)`.
std::string label(std::uint64_t i) {
    std::string s(1, 'm');
    s += std::to_string(i);
    return s;
}

MessagePtr stored_msg(std::uint64_t id, bool persistent = true, std::int64_t published = 0,
                      std::string payload = {}) {
    auto m = std::make_shared<Message>();
    m->id = MessageId{id};
    m->payload = payload.empty() ? label(id) : std::move(payload);
    m->props.persistent = persistent;
    m->published_at_ms = published;
    return m;
}

// The broker's part: stores persistent messages, forgets them when they leave, answers
// page-in requests from the store.
class Owner : public QueueObserver {
public:
    // Enqueues, stores, then dispatches, in Broker::publish's order.
    EnqueueResult publish(Queue& q, const MessagePtr& m, std::uint8_t cap = 2) {
        auto r = q.enqueue(m, cap, false, /*dispatch_now=*/false);
        if (r == EnqueueResult::Queued && m->props.persistent && q.options().durable) {
            store.append(m, {q.name()}, nullptr);
        }
        q.dispatch();
        return r;
    }
    // Runs the answers held back in async mode; returns how many.
    std::size_t answer() {
        auto now = std::move(held);
        held.clear();
        for (auto& f : now) f();
        return now.size();
    }

    void on_settled(Queue& q, const QueueEntry& e) override {
        forget(q, e);
        ++settled;
    }
    void on_dropped(Queue& q, const QueueEntry& e) override {
        forget(q, e);
        exits.push_back({e.msg->payload, std::nullopt});
    }
    void on_dead_letter(Queue& q, const QueueEntry& e, DeadLetterReason r) override {
        forget(q, e);
        exits.push_back({e.msg->payload, r});
    }
    void on_page_in(Queue& q, const PageRequest& r) override {
        requests.push_back(r);
        auto reply = [this, queue = &q, life = q.life(), r] {
            if (life.expired()) {
                ++stale_answers;
                return;
            }
            if (fail_reads > 0) {
                --fail_reads;
                PageResult failed;
                failed.ok = false;
                queue->page_in(r.ticket, std::move(failed));
                return;
            }
            store.read_range(queue->name(), r.after, r.limit, [queue, r](storage::StoredRange s) {
                PageResult p;
                p.ok = s.ok;
                p.rows = s.rows;
                p.last_id = s.last_id;
                for (auto& m : s.messages) p.messages.push_back({m.message, m.redelivered});
                queue->page_in(r.ticket, std::move(p));
            });
        };
        if (async) {
            held.push_back(std::move(reply));
        } else {
            reply();
        }
    }
    void on_paged_dropped(Queue& q, MessageId after, std::uint64_t count) override {
        store.remove_after(q.name(), after);
        paged_dropped += count;
    }

    storage::MemoryStore store;
    bool async = false;
    int fail_reads = 0;
    std::vector<std::function<void()>> held;
    std::vector<PageRequest> requests;
    std::vector<ExitLog::Exit> exits;
    int settled = 0;
    int stale_answers = 0;
    std::uint64_t paged_dropped = 0;

private:
    void forget(Queue& q, const QueueEntry& e) {
        if (e.msg->props.persistent && q.options().durable) store.remove(q.name(), e.msg->id);
    }
};

// Takes every delivery and settles it at once (returns false), recording ids and caps.
class Taker : public Consumer {
public:
    bool ready() const override { return ready_; }
    bool deliver(Queue&, DeliveryTag tag, const QueueEntry& e) override {
        ids.push_back(e.msg->id.value);
        caps.push_back(e.qos_cap);
        tags.push_back(tag);
        return keep;
    }
    std::vector<std::uint64_t> ids;
    std::vector<std::uint8_t> caps;
    std::vector<DeliveryTag> tags;
    bool ready_ = true;
    bool keep = false;  // true: leave deliveries unacked
};

QueueOptions paging(std::size_t limit) {
    QueueOptions o;
    o.durable = true;
    o.max_in_memory = limit;
    return o;
}

std::vector<std::uint64_t> range_ids(std::uint64_t first, std::uint64_t last) {
    std::vector<std::uint64_t> v;
    for (auto i = first; i <= last; ++i) v.push_back(i);
    return v;
}

TEST(QueuePaging, KeepsOnlyTheHeadInMemoryWithExactCounts) {
    Owner owner;
    Queue q("q", paging(4), &owner);
    for (std::uint64_t id = 1; id <= 20; ++id) owner.publish(q, stored_msg(id));
    EXPECT_EQ(q.in_memory_count(), 4u);
    EXPECT_EQ(q.paged_count(), 16u);
    EXPECT_EQ(q.ready_count(), 20u);
    // "m1".."m9" are 2 bytes, "m10".."m20" 3 bytes.
    EXPECT_EQ(q.ready_bytes(), 9u * 2 + 11u * 3);
    EXPECT_EQ(owner.store.stored_count("q"), 20u);
    EXPECT_TRUE(owner.requests.empty());  // nobody drained the head
}

TEST(QueuePaging, DeliversEverythingInOrderAcrossPageOutAndPageIn) {
    Owner owner;
    Queue q("q", paging(4), &owner);
    for (std::uint64_t id = 1; id <= 50; ++id) owner.publish(q, stored_msg(id));
    Taker c;
    q.add_consumer(&c);
    EXPECT_EQ(c.ids, range_ids(1, 50));
    EXPECT_EQ(q.ready_count(), 0u);
    EXPECT_EQ(q.ready_bytes(), 0u);
    EXPECT_EQ(q.paged_count(), 0u);
    EXPECT_EQ(owner.store.stored_count("q"), 0u);
    // Batches of at most max_in_memory, each asked for after the previous one.
    EXPECT_GE(owner.requests.size(), 12u);
    for (const auto& r : owner.requests) EXPECT_LE(r.limit, 4u);
}

TEST(QueuePaging, TransientMessagesKeepTheirPlaceBehindPagedOnes) {
    Owner owner;
    Queue q("q", paging(3), &owner);
    const bool persistent[] = {true, true, true, true, true, false, true, false, true, false};
    for (std::uint64_t id = 1; id <= 10; ++id) {
        owner.publish(q, stored_msg(id, persistent[id - 1]));
    }
    // 1-3 in memory; 4, 5, 7, 9 on disk; 6, 8, 10 in memory behind them.
    EXPECT_EQ(q.paged_count(), 4u);
    EXPECT_EQ(q.in_memory_count(), 6u);
    EXPECT_EQ(q.ready_count(), 10u);
    Taker c;
    q.add_consumer(&c);
    EXPECT_EQ(c.ids, range_ids(1, 10));
    EXPECT_EQ(q.ready_count(), 0u);
}

TEST(QueuePaging, ReadsAreAsynchronousAndOneAtATime) {
    Owner owner;
    owner.async = true;
    Queue q("q", paging(4), &owner);
    for (std::uint64_t id = 1; id <= 12; ++id) owner.publish(q, stored_msg(id));
    Taker c;
    q.add_consumer(&c);
    // The head went below half the limit on the way: one read asked for, none answered.
    EXPECT_EQ(c.ids, range_ids(1, 4));
    ASSERT_EQ(owner.requests.size(), 1u);
    EXPECT_TRUE(q.page_in_pending());
    EXPECT_EQ(owner.requests[0].after, MessageId{4});
    q.dispatch();  // asks nothing more while one read is out
    EXPECT_EQ(owner.requests.size(), 1u);
    // Messages published meanwhile still go to disk behind the paged ones.
    owner.publish(q, stored_msg(13));
    owner.publish(q, stored_msg(14, false));
    EXPECT_EQ(q.paged_count(), 9u);
    EXPECT_EQ(q.ready_count(), 10u);
    while (owner.answer() > 0) {
    }
    EXPECT_EQ(c.ids, range_ids(1, 14));
    EXPECT_FALSE(q.page_in_pending());
    EXPECT_EQ(q.ready_count(), 0u);
}

TEST(QueuePaging, PurgeWhileAReadIsInFlightDropsThePagedMessagesAndIgnoresTheAnswer) {
    Owner owner;
    owner.async = true;
    Queue q("q", paging(4), &owner);
    for (std::uint64_t id = 1; id <= 10; ++id) owner.publish(q, stored_msg(id));
    Taker c;
    c.keep = true;
    q.add_consumer(&c, 3);  // three unacked, the head drops to one: a read goes out
    ASSERT_TRUE(q.page_in_pending());
    EXPECT_EQ(q.purge(), 7u);  // the one left in memory and the six on disk
    EXPECT_EQ(q.ready_count(), 0u);
    EXPECT_EQ(q.ready_bytes(), 0u);
    EXPECT_EQ(owner.paged_dropped, 6u);
    EXPECT_EQ(q.dropped_total(), 7u);
    // The store keeps only the three deliveries still unacked.
    EXPECT_EQ(owner.store.stored_count("q"), 3u);
    owner.answer();  // the stale answer changes nothing
    EXPECT_EQ(q.ready_count(), 0u);
    EXPECT_EQ(c.ids, range_ids(1, 3));
    // The queue works on: new messages, then the unacked ones come back on ack.
    for (DeliveryTag t : c.tags) q.ack(t);
    owner.publish(q, stored_msg(11));
    EXPECT_EQ(c.ids, (std::vector<std::uint64_t>{1, 2, 3, 11}));
}

TEST(QueuePaging, AnAnswerForADeletedQueueTouchesNothing) {
    Owner owner;
    owner.async = true;
    auto q = std::make_unique<Queue>("q", paging(2), &owner);
    for (std::uint64_t id = 1; id <= 6; ++id) owner.publish(*q, stored_msg(id));
    Taker c;
    q->add_consumer(&c);
    ASSERT_TRUE(q->page_in_pending());
    q->remove_consumer(&c);
    q.reset();
    EXPECT_EQ(owner.answer(), 1u);
    EXPECT_EQ(owner.stale_answers, 1);
}

TEST(QueuePaging, PagedMessagesExpireWhenTheyReachTheHead) {
    FakeClock clock;
    Owner owner;
    auto o = paging(2);
    o.message_ttl_ms = 1000;
    Queue q("q", o, &owner, clock.fn());
    for (std::uint64_t id = 1; id <= 6; ++id) owner.publish(q, stored_msg(id, true, clock.now));
    owner.publish(q, stored_msg(7, true, clock.now + 5000));  // lives longer
    clock.now += 2000;
    Taker c;
    q.add_consumer(&c);
    EXPECT_EQ(c.ids, (std::vector<std::uint64_t>{7}));
    ASSERT_EQ(owner.exits.size(), 6u);
    for (std::size_t i = 0; i < 6; ++i) {
        EXPECT_EQ(owner.exits[i], test::expired(label(i + 1)));
    }
    EXPECT_EQ(q.expired_total(), 6u);
    EXPECT_EQ(owner.store.stored_count("q"), 0u);
}

TEST(QueuePaging, ExpireWithoutConsumersReadsOnButDeliversNothing) {
    FakeClock clock;
    Owner owner;
    auto o = paging(2);
    o.message_ttl_ms = 1000;
    Queue q("q", o, &owner, clock.fn());
    for (std::uint64_t id = 1; id <= 6; ++id) owner.publish(q, stored_msg(id, true, clock.now));
    clock.now += 2000;
    // Each tick sheds the expired head and reads the next batch (a synchronous store answers
    // at once): the queue empties itself in a few ticks without a consumer.
    for (int tick = 0; tick < 10 && q.ready_count() > 0; ++tick) q.expire(clock.now);
    EXPECT_EQ(q.ready_count(), 0u);
    EXPECT_EQ(q.expired_total(), 6u);
}

TEST(QueuePaging, RejectPublishCountsPagedMessages) {
    Owner owner;
    auto o = paging(3);
    o.max_length = 10;
    o.overflow = Overflow::RejectPublish;
    Queue q("q", o, &owner);
    for (std::uint64_t id = 1; id <= 10; ++id) {
        EXPECT_EQ(owner.publish(q, stored_msg(id)), EnqueueResult::Queued);
    }
    EXPECT_EQ(owner.publish(q, stored_msg(11)), EnqueueResult::Rejected);
    EXPECT_EQ(q.ready_count(), 10u);
    EXPECT_EQ(owner.store.stored_count("q"), 10u);
}

TEST(QueuePaging, MaxLengthBytesCountsPagedBytes) {
    Owner owner;
    auto o = paging(2);
    o.max_length_bytes = 10;
    o.overflow = Overflow::RejectPublish;
    Queue q("q", o, &owner);
    for (std::uint64_t id = 1; id <= 5; ++id) owner.publish(q, stored_msg(id));  // 2 bytes each
    EXPECT_EQ(q.ready_bytes(), 10u);
    EXPECT_EQ(owner.publish(q, stored_msg(6)), EnqueueResult::Rejected);
}

TEST(QueuePaging, DropHeadWaitsForAHeadThatIsOnDisk) {
    Owner owner;
    owner.async = true;
    auto o = paging(2);
    o.max_length = 5;
    Queue q("q", o, &owner);
    for (std::uint64_t id = 1; id <= 5; ++id) owner.publish(q, stored_msg(id));
    owner.publish(q, stored_msg(6));  // drops 1 from memory
    owner.publish(q, stored_msg(7));  // drops 2; memory is empty now: a read goes out
    EXPECT_TRUE(q.page_in_pending());
    owner.publish(q, stored_msg(8));  // the oldest are on disk: over the limit for now
    EXPECT_EQ(q.ready_count(), 6u);
    owner.answer();  // 3 and 4 arrive; 3 goes, as drop-head would have done
    EXPECT_EQ(q.ready_count(), 5u);
    EXPECT_EQ(owner.exits, (std::vector<ExitLog::Exit>{test::maxlen("m1"), test::maxlen("m2"),
                                                       test::maxlen("m3")}));
    Taker c;
    q.add_consumer(&c);
    while (owner.answer() > 0) {
    }
    EXPECT_EQ(c.ids, range_ids(4, 8));
}

TEST(QueuePaging, AFailedReadIsAskedAgainAtTheNextExpire) {
    Owner owner;
    owner.fail_reads = 1;
    Queue q("q", paging(2), &owner);
    for (std::uint64_t id = 1; id <= 5; ++id) owner.publish(q, stored_msg(id));
    Taker c;
    q.add_consumer(&c);
    EXPECT_EQ(c.ids, range_ids(1, 2));  // the read after them failed
    EXPECT_EQ(owner.requests.size(), 1u);
    EXPECT_EQ(q.ready_count(), 3u);
    q.dispatch();  // no retry loop on every dispatch
    EXPECT_EQ(owner.requests.size(), 1u);
    q.expire(0);  // the retry; the answer waits for the next dispatch
    q.dispatch();
    EXPECT_EQ(c.ids, range_ids(1, 5));
}

TEST(QueuePaging, MessagesMissingFromTheStoreAreWrittenOff) {
    // A paged message whose append failed (its publisher was nacked) is not in the store: the
    // short answer accounts for it, and the queue does not wait for it forever.
    Owner owner;
    Queue q("q", paging(2), &owner);
    for (std::uint64_t id = 1; id <= 8; ++id) owner.publish(q, stored_msg(id));
    owner.store.remove("q", MessageId{5});
    owner.store.remove("q", MessageId{8});
    owner.publish(q, stored_msg(9, false));  // transient, behind them
    Taker c;
    q.add_consumer(&c);
    EXPECT_EQ(c.ids, (std::vector<std::uint64_t>{1, 2, 3, 4, 6, 7, 9}));
    EXPECT_EQ(q.ready_count(), 0u);
    EXPECT_EQ(q.ready_bytes(), 0u);
    EXPECT_EQ(q.paged_count(), 0u);
}

TEST(QueuePaging, KeepsTheQosCapOfPagedMessages) {
    for (std::size_t limit : {1, 2, 3}) {
        Owner owner;
        Queue q("q", paging(limit), &owner);
        // Ends on a cap below 2: the last batch, which empties the disk part, keeps its caps.
        const std::uint8_t caps[] = {2, 1, 1, 0, 2, 1, 1};
        for (std::uint64_t id = 1; id <= 7; ++id) owner.publish(q, stored_msg(id), caps[id - 1]);
        Taker c;
        q.add_consumer(&c);
        EXPECT_EQ(c.ids, range_ids(1, 7));
        EXPECT_EQ(c.caps, (std::vector<std::uint8_t>{2, 1, 1, 0, 2, 1, 1})) << "limit " << limit;
    }
}

TEST(QueuePaging, RestoredQueueReadsTheRestFromTheStore) {
    Owner owner;
    for (std::uint64_t id = 1; id <= 10; ++id) owner.store.append(stored_msg(id), {"q"}, nullptr);
    owner.store.mark_delivered("q", MessageId{7});
    Queue q("q", paging(3), &owner);
    auto head = owner.store.load_head("q", 3);
    for (auto& s : head) q.enqueue(s.message, 2, s.redelivered, false);
    auto rest = owner.store.count_after("q", MessageId{3});
    EXPECT_EQ(rest.messages, 7u);
    EXPECT_EQ(rest.bytes, 6u * 2 + 3);
    EXPECT_EQ(rest.last_id, MessageId{10});
    q.restore_paged(rest.messages, rest.bytes, MessageId{3}, rest.last_id);
    EXPECT_EQ(q.ready_count(), 10u);
    EXPECT_EQ(q.ready_bytes(), 9u * 2 + 3);
    owner.publish(q, stored_msg(11));  // goes to disk, after the restored ones
    EXPECT_EQ(q.paged_count(), 8u);
    Taker c;
    q.add_consumer(&c);
    EXPECT_EQ(c.ids, range_ids(1, 11));
    EXPECT_EQ(q.ready_count(), 0u);
}

TEST(QueuePaging, RequeuedDeliveriesGoBeforeEverythingPaged) {
    Owner owner;
    Queue q("q", paging(2), &owner);
    for (std::uint64_t id = 1; id <= 6; ++id) owner.publish(q, stored_msg(id));
    Taker first;
    first.keep = true;
    q.add_consumer(&first, 2);
    EXPECT_EQ(first.ids, range_ids(1, 2));
    q.remove_consumer(&first);  // 1 and 2 back at the head
    Taker second;
    q.add_consumer(&second);
    EXPECT_EQ(second.ids, range_ids(1, 6));
}

TEST(QueuePaging, NonDurableAndZeroLimitQueuesNeverPage) {
    Owner owner;
    auto o = paging(2);
    o.durable = false;
    Queue transient_q("t", o, &owner);
    Queue unlimited("u", paging(0), &owner);
    for (std::uint64_t id = 1; id <= 5; ++id) {
        transient_q.enqueue(stored_msg(id), 2);
        unlimited.enqueue(stored_msg(id), 2);
    }
    EXPECT_EQ(transient_q.paged_count(), 0u);
    EXPECT_EQ(transient_q.in_memory_count(), 5u);
    EXPECT_EQ(unlimited.paged_count(), 0u);
    EXPECT_EQ(unlimited.in_memory_count(), 5u);
}

TEST(QueuePaging, PagingStartsAgainAfterItDrained) {
    Owner owner;
    Queue q("q", paging(2), &owner);
    Taker c;
    c.ready_ = false;
    q.add_consumer(&c);
    std::uint64_t id = 1;
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 5; ++i) owner.publish(q, stored_msg(id++));
        EXPECT_EQ(q.paged_count(), 3u);
        c.ready_ = true;
        q.dispatch();
        c.ready_ = false;
        EXPECT_EQ(q.ready_count(), 0u);
    }
    EXPECT_EQ(c.ids, range_ids(1, 15));
}

}  // namespace
}  // namespace sy::core

// Dead-lettering through the broker: which messages are republished to the dead-letter
// exchange, with which routing key and x-death headers; cycles, missing exchanges and
// persistence. Plus the x-death history helpers on their own.

#include "core/broker/dead_letter.hpp"

#include <gtest/gtest.h>

#include "broker_test_support.hpp"

namespace sy::core::test {
namespace {

// "work" dead-letters to the direct exchange "dlx", where "dead" is bound under "dead-key".
struct DlxFixture : BrokerFixture {
    Queue* work = nullptr;
    Queue* dead = nullptr;

    explicit DlxFixture(QueueOptions o = {}, std::optional<std::string> dl_key = "dead-key") {
        broker.declare_exchange("dlx", ExchangeType::Direct);
        dead = queue("dead");
        broker.bind("dlx", Binding{dead, "dead-key", std::nullopt, {}, 2});
        broker.bind("dlx", Binding{dead, "orig", std::nullopt, {}, 2});
        o.dead_letter_exchange = "dlx";
        o.dead_letter_routing_key = std::move(dl_key);
        work = queue("work", std::move(o));
        broker.bind("amq.direct", Binding{work, "orig", std::nullopt, {}, 2});
    }
    void publish_orig(std::string payload, std::optional<std::uint64_t> expiration = {}) {
        Message m;
        m.exchange = "amq.direct";
        m.routing_key = "orig";
        m.payload = std::move(payload);
        m.props.expiration_ms = expiration;
        m.headers.emplace_back("app", std::string("kept"));
        broker.publish(std::move(m), nullptr);
    }
};

QueueOptions with_ttl(std::uint64_t ms) {
    QueueOptions o;
    o.message_ttl_ms = ms;
    return o;
}

TEST(DeadLetter, ExpiredMessageGoesToTheDlxWithXDeath) {
    DlxFixture f(with_ttl(100));
    f.publish_orig("p", 50);  // its own expiration is the lower one
    f.clock.now += 51;
    f.broker.tick(f.clock.now);
    auto got = f.drain("dead");
    ASSERT_EQ(got.size(), 1u);
    const Message& m = *got[0];
    EXPECT_EQ(m.payload, "p");
    EXPECT_EQ(m.exchange, "dlx");
    EXPECT_EQ(m.routing_key, "dead-key");
    EXPECT_EQ(text(m, "x-death-reason"), "expired");
    EXPECT_EQ(text(m, "x-death-queue"), "work");
    EXPECT_EQ(text(m, "x-death-exchange"), "amq.direct");
    EXPECT_EQ(number(m, "x-death-count"), 1);
    EXPECT_EQ(number(m, "x-death-original-expiration"), 50);
    EXPECT_EQ(text(m, "x-first-death-reason"), "expired");
    EXPECT_EQ(text(m, "x-first-death-queue"), "work");
    EXPECT_EQ(text(m, "x-first-death-exchange"), "amq.direct");
    EXPECT_EQ(text(m, "app"), "kept");
    EXPECT_FALSE(m.props.expiration_ms) << "removed so it does not expire again";
    EXPECT_EQ(m.published_at_ms, f.clock.now) << "published anew";
    EXPECT_EQ(f.broker.stats().messages_expired, 1u);
    EXPECT_EQ(f.broker.stats().messages_dead_lettered, 1u);
}

TEST(DeadLetter, ReasonsAndRoutingKeys) {
    struct Case {
        const char* name;
        std::optional<std::string> dl_key;
        DeadLetterReason reason;
        const char* expect_key;
    };
    const Case cases[] = {
        {"expired, dead-letter key", "dead-key", DeadLetterReason::Expired, "dead-key"},
        {"expired, own key", std::nullopt, DeadLetterReason::Expired, "orig"},
        {"rejected, dead-letter key", "dead-key", DeadLetterReason::Rejected, "dead-key"},
        {"rejected, own key", std::nullopt, DeadLetterReason::Rejected, "orig"},
        {"maxlen, dead-letter key", "dead-key", DeadLetterReason::Maxlen, "dead-key"},
        {"maxlen, own key", std::nullopt, DeadLetterReason::Maxlen, "orig"},
    };
    for (const auto& c : cases) {
        QueueOptions o;
        o.max_length = 1;
        o.message_ttl_ms = 100;
        DlxFixture f(o, c.dl_key);
        f.publish_orig("victim");
        switch (c.reason) {
        case DeadLetterReason::Expired:
            f.clock.now += 101;
            f.broker.tick(f.clock.now);
            break;
        case DeadLetterReason::Rejected: {
            auto got = f.work->get(false);
            ASSERT_TRUE(got) << c.name;
            f.work->nack(got->first, false);
            break;
        }
        case DeadLetterReason::Maxlen:
            f.publish_orig("newer");
            break;
        }
        auto got = f.drain("dead");
        ASSERT_EQ(got.size(), 1u) << c.name;
        EXPECT_EQ(got[0]->payload, "victim") << c.name;
        EXPECT_EQ(got[0]->routing_key, c.expect_key) << c.name;
        EXPECT_EQ(text(*got[0], "x-death-reason"), to_string(c.reason)) << c.name;
        EXPECT_EQ(number(*got[0], "x-death-original-expiration"), -1) << c.name;
    }
}

TEST(DeadLetter, RejectPublishIsNotDeadLettered) {
    QueueOptions o;
    o.max_length = 1;
    o.overflow = Overflow::RejectPublish;
    DlxFixture f(o);
    f.publish_orig("first");
    Message m;
    m.exchange = "amq.direct";
    m.routing_key = "orig";
    m.payload = "refused";
    PublishOutcome out;
    f.broker.publish(std::move(m), [&](const PublishOutcome& o2) { out = o2; });
    EXPECT_EQ(out.rejected, 1u) << "the publisher is told instead";
    EXPECT_TRUE(f.drain("dead").empty());
    EXPECT_EQ(f.work->ready_count(), 1u);
}

TEST(DeadLetter, WithoutDlxTheMessageIsDroppedAsBefore) {
    BrokerFixture f;
    auto* q = f.queue("q");
    f.send("q", "x");
    auto got = q->get(false);
    ASSERT_TRUE(got);
    q->nack(got->first, false);
    EXPECT_EQ(f.broker.stats().messages_dropped, 1u);
    EXPECT_EQ(f.broker.stats().messages_dead_lettered, 0u);
}

TEST(DeadLetter, MissingDlxDropsAndCounts) {
    BrokerFixture f;
    QueueOptions o;
    o.durable = true;
    o.dead_letter_exchange = "no-such-exchange";
    auto* q = f.queue("q", o);
    f.send("q", "x", /*persistent=*/true);
    EXPECT_EQ(f.store.stored_count("q"), 1u);
    auto got = q->get(false);
    ASSERT_TRUE(got);
    q->nack(got->first, false);
    EXPECT_EQ(f.broker.stats().dead_letters_dropped, 1u);
    EXPECT_EQ(f.broker.stats().messages_dead_lettered, 0u);
    EXPECT_EQ(f.store.stored_count("q"), 0u) << "the store forgets it all the same";
}

TEST(DeadLetter, UnroutableDeadLetterIsCounted) {
    DlxFixture f({}, "nobody-binds-this");
    f.publish_orig("x");
    auto got = f.work->get(false);
    ASSERT_TRUE(got);
    f.work->nack(got->first, false);
    EXPECT_EQ(f.broker.stats().dead_letters_dropped, 1u);
    EXPECT_EQ(f.broker.stats().messages_unroutable, 0u) << "not a client publish";
}

TEST(DeadLetter, ExpiryBackIntoTheSameQueueIsACycleAndDropped) {
    BrokerFixture f;
    QueueOptions o;
    o.message_ttl_ms = 100;
    o.dead_letter_exchange = "";  // the default exchange, with the message's own key: "q"
    f.queue("q", o);
    f.send("q", "loop");
    f.clock.now += 101;
    f.broker.tick(f.clock.now);
    EXPECT_EQ(f.broker.find_queue("q")->ready_count(), 0u);
    EXPECT_EQ(f.broker.stats().dead_letters_dropped, 1u);
    EXPECT_EQ(f.broker.stats().messages_dead_lettered, 0u);
}

TEST(DeadLetter, AutomaticCycleThroughTwoQueuesIsDroppedOnTheWayBack) {
    BrokerFixture f;
    QueueOptions a;
    a.message_ttl_ms = 100;
    a.dead_letter_exchange = "";
    a.dead_letter_routing_key = "b";
    QueueOptions b = a;
    b.dead_letter_routing_key = "a";
    f.queue("a", a);
    f.queue("b", b);
    f.send("a", "ping");
    f.clock.now += 101;
    f.broker.tick(f.clock.now);
    ASSERT_EQ(f.broker.find_queue("b")->ready_count(), 1u) << "a -> b is not a cycle yet";
    f.clock.now += 101;
    f.broker.tick(f.clock.now);
    EXPECT_EQ(f.broker.find_queue("a")->ready_count(), 0u) << "b -> a would close it";
    EXPECT_EQ(f.broker.find_queue("b")->ready_count(), 0u);
    EXPECT_EQ(f.broker.stats().messages_dead_lettered, 1u);
    EXPECT_EQ(f.broker.stats().dead_letters_dropped, 1u);
}

TEST(DeadLetter, DropHeadCycleDoesNotRecurse) {
    // Two full queues that push their heads into each other: without the cycle rule every
    // publish would bounce messages between them forever.
    BrokerFixture f;
    QueueOptions a;
    a.max_length = 1;
    a.dead_letter_exchange = "";
    a.dead_letter_routing_key = "b";
    QueueOptions b = a;
    b.dead_letter_routing_key = "a";
    f.queue("a", a);
    f.queue("b", b);
    for (auto p : {"1", "2", "3", "4"}) f.send("a", p);
    EXPECT_EQ(f.broker.find_queue("a")->ready_count(), 1u);
    EXPECT_EQ(f.broker.find_queue("b")->ready_count(), 1u);
    EXPECT_GT(f.broker.stats().dead_letters_dropped, 0u);
}

TEST(DeadLetter, RejectionInTheCycleKeepsItGoingAndCounts) {
    // The retry pattern: work rejects to wait, wait's TTL sends it back to work.
    BrokerFixture f;
    QueueOptions work;
    work.dead_letter_exchange = "";
    work.dead_letter_routing_key = "wait";
    QueueOptions wait;
    wait.message_ttl_ms = 100;
    wait.dead_letter_exchange = "";
    wait.dead_letter_routing_key = "work";
    auto* wq = f.queue("work", work);
    f.queue("wait", wait);
    f.send("work", "job");

    MessagePtr seen;
    for (int round = 1; round <= 3; ++round) {
        auto got = wq->get(false);
        ASSERT_TRUE(got) << "round " << round;
        seen = got->second.msg;
        wq->nack(got->first, false);
        f.clock.now += 101;
        f.broker.tick(f.clock.now);
    }
    auto got = wq->get(true);
    ASSERT_TRUE(got);
    const Message& m = *got->second.msg;
    EXPECT_EQ(m.payload, "job");
    // Most recent: expired from wait (3 times); then rejected from work (3 times).
    EXPECT_EQ(text(m, "x-death-queue"), "wait");
    EXPECT_EQ(text(m, "x-death-reason"), "expired");
    EXPECT_EQ(number(m, "x-death-count"), 3);
    EXPECT_EQ(text(m, "x-death-exchange"), "");
    EXPECT_EQ(text(m, "x-death-1-queue"), "work");
    EXPECT_EQ(text(m, "x-death-1-reason"), "rejected");
    EXPECT_EQ(number(m, "x-death-1-count"), 3);
    EXPECT_EQ(text(m, "x-death-2-queue"), "<missing>");
    EXPECT_EQ(text(m, "x-first-death-queue"), "work");
    EXPECT_EQ(text(m, "x-first-death-reason"), "rejected");
}

TEST(DeadLetter, CountGrowsEachTimeTheSameQueueRejectsIt) {
    BrokerFixture f;
    QueueOptions o;
    o.dead_letter_exchange = "";  // back into "q" itself: allowed, a client rejected it
    auto* q = f.queue("q", o);
    f.send("q", "boomerang");
    for (std::int64_t n = 1; n <= 3; ++n) {
        auto got = q->get(false);
        ASSERT_TRUE(got);
        if (n > 1) {
            EXPECT_EQ(number(*got->second.msg, "x-death-count"), n - 1);
        }
        q->nack(got->first, false);
    }
    auto got = q->get(true);
    ASSERT_TRUE(got);
    EXPECT_EQ(number(*got->second.msg, "x-death-count"), 3);
    EXPECT_EQ(text(*got->second.msg, "x-death-reason"), "rejected");
    EXPECT_EQ(text(*got->second.msg, "x-death-1-queue"), "<missing>") << "one (queue, reason)";
}

TEST(DeadLetter, PersistentCopyToDurableQueueIsStored) {
    BrokerFixture f;
    f.broker.declare_exchange("dlx", ExchangeType::Fanout);
    QueueOptions durable;
    durable.durable = true;
    auto* dlq = f.queue("dlq", durable);
    auto* transient_dlq = f.queue("tdlq");
    f.broker.bind("dlx", Binding{dlq, "", std::nullopt, {}, 2});
    f.broker.bind("dlx", Binding{transient_dlq, "", std::nullopt, {}, 2});
    QueueOptions src = durable;
    src.message_ttl_ms = 100;
    src.dead_letter_exchange = "dlx";
    f.queue("src", src);

    f.send("src", "keep-me", /*persistent=*/true);
    f.send("src", "lose-me", /*persistent=*/false);
    ASSERT_EQ(f.store.stored_count("src"), 1u);
    const MessageId original = f.store.load("src").at(0).message->id;
    f.clock.now += 101;
    f.broker.tick(f.clock.now);

    EXPECT_EQ(f.store.stored_count("src"), 0u);
    EXPECT_EQ(f.store.stored_count("dlq"), 1u) << "persistent copy, durable queue";
    EXPECT_EQ(f.store.stored_count("tdlq"), 0u);
    const auto stored = f.store.load("dlq");
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_EQ(stored[0].message->payload, "keep-me");
    EXPECT_NE(stored[0].message->id, original) << "a new message with its own id";
    EXPECT_EQ(dlq->ready_count(), 2u);
    EXPECT_EQ(transient_dlq->ready_count(), 2u);
}

TEST(DeadLetter, StoreHearsOfAMessageBeforeADeadLetterCanSettleIt) {
    // "fan" routes to "b" before "a". Publishing into full "a" dead-letters its head to "b",
    // whose consumer acks at once. Were the dead letter republished inside the publish, "b"
    // would deliver (and settle) the new message before the store had appended it.
    BrokerFixture f;
    f.broker.declare_exchange("fan", ExchangeType::Fanout);
    QueueOptions durable;
    durable.durable = true;
    auto* b = f.queue("b", durable);
    QueueOptions ao = durable;
    ao.max_length = 1;
    ao.dead_letter_exchange = "";
    ao.dead_letter_routing_key = "b";
    auto* a = f.queue("a", ao);
    f.broker.bind("fan", Binding{b, "", std::nullopt, {}, 2});
    f.broker.bind("fan", Binding{a, "", std::nullopt, {}, 2});
    f.send("a", "old", /*persistent=*/true);

    Sink acker;
    acker.auto_ack = true;
    b->add_consumer(&acker);
    Message m;
    m.exchange = "fan";
    m.payload = "new";
    m.props.persistent = true;
    f.broker.publish(std::move(m), nullptr);

    ASSERT_EQ(acker.got.size(), 2u);
    EXPECT_EQ(acker.got[0]->payload, "new");
    EXPECT_EQ(acker.got[1]->payload, "old");
    EXPECT_EQ(f.store.stored_count("b"), 0u) << "every ack removed what was appended";
    EXPECT_EQ(f.store.stored_count("a"), 1u);
    EXPECT_EQ(a->ready_count(), 1u);
}

TEST(DeadLetter, CopyIsNotRetainedAgain) {
    BrokerFixture f;
    QueueOptions o;
    o.dead_letter_exchange = "amq.topic";
    auto* q = f.queue("q", o);
    f.broker.bind("amq.topic", Binding{q, "s.1", std::nullopt, {}, 2});
    Message m;
    m.exchange = "amq.topic";
    m.routing_key = "s.1";
    m.payload = "on";
    m.retain = true;
    f.broker.publish(std::move(m), nullptr);
    auto got = q->get(false);
    ASSERT_TRUE(got);
    q->nack(got->first, false);  // back to q through amq.topic: a rejection, not a cycle
    MessagePtr retained;
    f.broker.for_each_retained(parse_amqp_pattern("s.1"),
                               [&](const MessagePtr& r) { retained = r; });
    ASSERT_TRUE(retained);
    EXPECT_EQ(retained->id, got->second.msg->id) << "the original stays the retained one";
    auto copy = q->get(true);
    ASSERT_TRUE(copy);
    EXPECT_FALSE(copy->second.msg->retain);
}

// The history helpers on their own.

DeathRecord death(std::string queue, DeadLetterReason reason, std::int64_t count = 1) {
    DeathRecord d;
    d.queue = std::move(queue);
    d.reason = reason;
    d.count = count;
    return d;
}

TEST(DeathHistory, IsDeathCycle) {
    using R = DeadLetterReason;
    struct Case {
        const char* name;
        std::vector<DeathRecord> deaths;  // most recent first
        const char* target;
        bool cycle;
    };
    const Case cases[] = {
        {"no history", {}, "q", false},
        {"target not in history", {death("a", R::Expired)}, "q", false},
        {"straight back", {death("q", R::Expired)}, "q", true},
        {"straight back after maxlen", {death("q", R::Maxlen)}, "q", true},
        {"straight back after reject", {death("q", R::Rejected)}, "q", false},
        {"two hops, automatic", {death("b", R::Expired), death("a", R::Expired)}, "a", true},
        {"two hops, rejected at the start",
         {death("b", R::Expired), death("a", R::Rejected)}, "a", false},
        {"two hops, rejected on the way",
         {death("b", R::Rejected), death("a", R::Expired)}, "a", false},
        {"rejection older than the cycle",
         {death("b", R::Expired), death("a", R::Maxlen), death("c", R::Rejected)}, "a", true},
        {"nearest entry for the target decides",
         {death("a", R::Rejected), death("b", R::Expired), death("a", R::Expired)}, "a", false},
    };
    for (const auto& c : cases) EXPECT_EQ(is_death_cycle(c.deaths, c.target), c.cycle) << c.name;
}

TEST(DeathHistory, RecordDeathCountsPerQueueAndReasonAndMovesToFront) {
    using R = DeadLetterReason;
    std::vector<DeathRecord> d;
    record_death(d, death("a", R::Rejected));
    record_death(d, death("b", R::Expired));
    record_death(d, death("a", R::Expired));
    record_death(d, death("a", R::Rejected));
    EXPECT_EQ(d, (std::vector{death("a", R::Rejected, 2), death("a", R::Expired),
                              death("b", R::Expired)}));
}

TEST(DeathHistory, HeadersRoundTripAndRewriteOnlyTheirOwnKeys) {
    using R = DeadLetterReason;
    auto first = death("a", R::Expired, 4);
    first.exchange = "x";
    first.original_expiration_ms = 250;
    const std::vector deaths{first, death("b", R::Maxlen), death("c", R::Rejected, 2)};
    Headers h{{"x-death-note", std::string("user's")}, {"x-deathly", std::int64_t{1}}};
    write_deaths(h, deaths);
    EXPECT_EQ(read_deaths(h), deaths);
    write_deaths(h, {death("z", R::Rejected)});
    EXPECT_EQ(read_deaths(h), std::vector{death("z", R::Rejected)});
    EXPECT_EQ(h.size(), 2u + 4u) << "old entries gone, other headers kept";
    EXPECT_EQ(parse_dead_letter_reason("maxlen"), R::Maxlen);
    EXPECT_EQ(parse_dead_letter_reason("delivery_limit"), std::nullopt);
}

TEST(DeathHistory, MalformedEntryEndsTheHistory) {
    Headers h{{"x-death-queue", std::string("a")},
              {"x-death-reason", std::string("expired")},
              {"x-death-1-queue", std::string("b")},
              {"x-death-1-reason", std::string("bored")},
              {"x-death-2-queue", std::string("c")},
              {"x-death-2-reason", std::string("rejected")}};
    const auto d = read_deaths(h);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].queue, "a");
    EXPECT_EQ(d[0].count, 1) << "missing count reads as 1";
}

}  // namespace
}  // namespace sy::core::test

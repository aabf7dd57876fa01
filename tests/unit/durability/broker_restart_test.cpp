// The broker over the real SQLite store, restarted in-process: what RabbitMQ users expect to
// survive a restart does (durable topology, queued persistent messages, TTL deadlines, dead
// letters), and what must not (transient messages, exclusive queues) does not.

#include <gtest/gtest.h>

#include "core/broker/broker.hpp"
#include "core/broker/queue_arguments.hpp"
#include "tests/unit/storage_sqlite/test_support.hpp"

namespace sy::core {
namespace {

using storage::test::FakeLoop;
using storage::test::TempDir;

// One gateway lifetime: a store on the directory and a broker over it, with a settable clock.
struct Life {
    Life(const TempDir& dir, std::int64_t* now) {
        storage::SqliteStore::Options o;
        o.path = dir.db();
        o.post = loop.poster();
        auto opened = storage::SqliteStore::open(std::move(o));
        if (!opened) throw std::runtime_error(opened.error());
        store = std::move(*opened);
        broker = std::make_unique<Broker>(*store, [now] { return *now; });
        broker->recover_topology();
    }
    ~Life() {
        broker.reset();
        store.reset();  // commits what is pending
    }
    // Lets the writer commit everything issued so far and runs its completions.
    void settle() {
        store->drain();
        loop.run();
    }
    FakeLoop loop;
    std::unique_ptr<storage::SqliteStore> store;
    std::unique_ptr<Broker> broker;
};

Message msg(std::string exchange, std::string key, std::string payload, bool persistent = true) {
    Message m;
    m.exchange = std::move(exchange);
    m.routing_key = std::move(key);
    m.payload = std::move(payload);
    m.props.persistent = persistent;
    m.origin.protocol = Protocol::Amqp;
    return m;
}

QueueOptions durable(Headers args = {}) {
    QueueOptions o;
    o.durable = true;
    EXPECT_TRUE(apply_queue_arguments(args, o));
    return o;
}

std::vector<std::string> drain(Queue& q) {
    std::vector<std::string> out;
    while (auto got = q.get(true)) out.push_back(got->second.msg->payload);
    return out;
}

TEST(BrokerRestart, PersistentMessagesAndBindingsSurviveTransientOnesDoNot) {
    TempDir dir;
    std::int64_t now = 1'000'000;
    {
        Life life(dir, &now);
        auto& b = *life.broker;
        b.declare_exchange("telemetry", ExchangeType::Topic, {});
        auto* q = b.declare_queue("store", durable());
        b.bind("telemetry", Binding{q, "plant.#", std::nullopt, {}, 2});
        bool acked = false;
        b.publish(msg("telemetry", "plant.1.temp", "kept"), [&](const PublishOutcome& o) {
            acked = o.ok && o.routed == 1;
        });
        b.publish(msg("telemetry", "plant.1.temp", "transient", false), nullptr);
        life.settle();
        EXPECT_TRUE(acked) << "the publisher's confirm waits for the commit";
    }
    Life life(dir, &now);
    auto* q = life.broker->find_queue("store");
    ASSERT_NE(q, nullptr);
    life.broker->publish(msg("telemetry", "plant.2.temp", "after"), nullptr);
    EXPECT_EQ(drain(*q), (std::vector<std::string>{"kept", "after"}));
}

TEST(BrokerRestart, TtlCountsTheTimeTheBrokerWasDown) {
    TempDir dir;
    std::int64_t now = 1'000'000;
    {
        Life life(dir, &now);
        auto& b = *life.broker;
        b.declare_exchange("dlx", ExchangeType::Fanout, {});
        auto* dead = b.declare_queue("dead", durable());
        b.bind("dlx", Binding{dead, "", std::nullopt, {}, 2});
        b.declare_queue("short", durable({{"x-message-ttl", std::int64_t{5000}},
                                          {"x-dead-letter-exchange", std::string("dlx")}}));
        b.publish(msg("", "short", "expires-while-down"), nullptr);
        life.settle();
    }
    now += 60'000;  // down for a minute
    Life life(dir, &now);
    auto* q = life.broker->find_queue("short");
    ASSERT_NE(q, nullptr);
    life.broker->tick(now);
    life.settle();
    EXPECT_EQ(q->ready_count(), 0u);
    auto* dead = life.broker->find_queue("dead");
    ASSERT_NE(dead, nullptr);
    auto got = dead->get(true);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->second.msg->payload, "expires-while-down");
    bool reason_expired = false;
    for (const auto& [k, v] : got->second.msg->headers) {
        if (k == "x-death-reason") reason_expired = std::get<std::string>(v) == "expired";
    }
    EXPECT_TRUE(reason_expired);
}

TEST(BrokerRestart, DeadLetteredCopyIsItselfDurable) {
    TempDir dir;
    std::int64_t now = 1'000'000;
    {
        Life life(dir, &now);
        auto& b = *life.broker;
        b.declare_exchange("dlx", ExchangeType::Direct, {});
        auto* dead = b.declare_queue("dead", durable());
        b.bind("dlx", Binding{dead, "rejected", std::nullopt, {}, 2});
        auto* work = b.declare_queue(
            "work", durable({{"x-dead-letter-exchange", std::string("dlx")},
                             {"x-dead-letter-routing-key", std::string("rejected")}}));
        b.publish(msg("", "work", "poison"), nullptr);
        auto got = work->get(false);
        ASSERT_TRUE(got);
        work->nack(got->first, false);
        life.settle();
    }
    Life life(dir, &now);
    EXPECT_EQ(life.broker->find_queue("work")->ready_count(), 0u);
    EXPECT_EQ(drain(*life.broker->find_queue("dead")), (std::vector<std::string>{"poison"}));
}

TEST(BrokerRestart, DeliveredButUnackedComesBackRedelivered) {
    TempDir dir;
    std::int64_t now = 1'000'000;
    {
        Life life(dir, &now);
        life.broker->declare_queue("jobs", durable());
        life.broker->publish(msg("", "jobs", "job-1"), nullptr);
        life.settle();
        auto got = life.broker->find_queue("jobs")->get(false);  // never acked
        ASSERT_TRUE(got);
        life.settle();
    }
    Life life(dir, &now);
    auto got = life.broker->find_queue("jobs")->get(true);
    ASSERT_TRUE(got);
    EXPECT_TRUE(got->second.redelivered);
}

}  // namespace
}  // namespace sy::core

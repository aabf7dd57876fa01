#include <gtest/gtest.h>

#include "core/broker/broker.hpp"
#include "core/broker/queue_arguments.hpp"
#include "storage/memory/memory_store.hpp"

namespace sy::core {
namespace {

Message persistent_to(std::string exchange, std::string key, std::string payload) {
    Message m;
    m.exchange = std::move(exchange);
    m.routing_key = std::move(key);
    m.payload = std::move(payload);
    m.props.persistent = true;
    m.origin.protocol = Protocol::Amqp;
    return m;
}

TEST(Topology, DurableExchangesQueuesAndBindingsComeBack) {
    storage::MemoryStore store;
    {
        Broker b(store);
        b.declare_exchange("plant", ExchangeType::Topic, ExchangeOptions{});
        QueueOptions o;
        o.durable = true;
        Headers args{{"x-message-ttl", std::int64_t{60000}}, {"x-max-length", std::int64_t{5}}};
        ASSERT_TRUE(apply_queue_arguments(args, o));
        auto* q = b.declare_queue("alerts", o);
        ASSERT_TRUE(b.bind("plant", Binding{q, "*.temp", std::nullopt, {}, 2}));
        b.publish(persistent_to("plant", "hall.temp", "31"), nullptr);
        // Not kept: transient exchange, non-durable and exclusive queues.
        b.declare_exchange("scratch", ExchangeType::Fanout, ExchangeOptions{false, false, false, {}});
        b.declare_queue("tmp", QueueOptions{});
        QueueOptions excl;
        excl.durable = true;
        excl.exclusive = true;
        b.declare_queue("mine", excl);
    }
    Broker b(store);
    EXPECT_EQ(b.recover_topology(), 1u);
    ASSERT_NE(b.find_exchange("plant"), nullptr);
    EXPECT_EQ(b.find_exchange("plant")->type(), ExchangeType::Topic);
    EXPECT_EQ(b.find_exchange("scratch"), nullptr);
    EXPECT_EQ(b.find_queue("tmp"), nullptr);
    EXPECT_EQ(b.find_queue("mine"), nullptr);
    auto* q = b.find_queue("alerts");
    ASSERT_NE(q, nullptr);
    EXPECT_EQ(q->options().message_ttl_ms, 60000u);
    EXPECT_EQ(q->options().max_length, 5u);
    EXPECT_EQ(q->ready_count(), 1u) << "the message queued before the restart";
    b.publish(persistent_to("plant", "yard.temp", "12"), nullptr);
    EXPECT_EQ(q->ready_count(), 2u) << "the binding came back";
}

TEST(Topology, UnbindAndDeleteAreRemembered) {
    storage::MemoryStore store;
    {
        Broker b(store);
        b.declare_exchange("ex", ExchangeType::Direct, ExchangeOptions{});
        QueueOptions o;
        o.durable = true;
        auto* q1 = b.declare_queue("q1", o);
        auto* q2 = b.declare_queue("q2", o);
        b.bind("ex", Binding{q1, "k", std::nullopt, {}, 2});
        b.bind("ex", Binding{q2, "k", std::nullopt, {}, 2});
        b.unbind("ex", Binding{q1, "k", std::nullopt, {}, 2});
        b.delete_queue("q2");
    }
    Broker b(store);
    b.recover_topology();
    EXPECT_EQ(b.find_queue("q2"), nullptr);
    ASSERT_NE(b.find_queue("q1"), nullptr);
    EXPECT_EQ(b.find_exchange("ex")->binding_count(), 0u);
    {
        b.delete_exchange("ex");
    }
    Broker again(store);
    again.recover_topology();
    EXPECT_EQ(again.find_exchange("ex"), nullptr);
}

TEST(QueueArguments, MapsRabbitMqArguments) {
    QueueOptions o;
    Headers args{{"x-expires", std::int64_t{1000}},
                 {"x-max-length-bytes", std::int64_t{4096}},
                 {"x-overflow", std::string("reject-publish")},
                 {"x-dead-letter-exchange", std::string("dlx")},
                 {"x-dead-letter-routing-key", std::string("dead")},
                 {"x-queue-type", std::string("classic")}};
    ASSERT_TRUE(apply_queue_arguments(args, o));
    EXPECT_EQ(o.expires_ms, 1000u);
    EXPECT_EQ(o.max_length_bytes, 4096u);
    EXPECT_EQ(o.overflow, Overflow::RejectPublish);
    EXPECT_EQ(o.dead_letter_exchange, "dlx");
    EXPECT_EQ(o.dead_letter_routing_key, "dead");
    EXPECT_EQ(o.args.size(), args.size());
}

TEST(QueueArguments, RejectsBadValues) {
    struct Case {
        Headers args;
        const char* mentions;
    };
    const Case cases[] = {
        {{{"x-message-ttl", std::int64_t{-1}}}, "x-message-ttl"},
        {{{"x-message-ttl", std::string("10")}}, "x-message-ttl"},
        {{{"x-expires", std::int64_t{0}}}, "x-expires"},
        {{{"x-overflow", std::string("explode")}}, "x-overflow"},
        {{{"x-dead-letter-exchange", std::int64_t{1}}}, "x-dead-letter-exchange"},
        {{{"x-dead-letter-routing-key", std::string("k")}}, "x-dead-letter-routing-key"},
    };
    for (const auto& c : cases) {
        QueueOptions o;
        auto r = apply_queue_arguments(c.args, o);
        ASSERT_FALSE(r) << c.mentions;
        EXPECT_NE(r.error().find(c.mentions), std::string::npos) << r.error();
    }
}

}  // namespace
}  // namespace sy::core

#include "core/broker/broker.hpp"

#include <gtest/gtest.h>

#include "storage/memory/memory_store.hpp"

namespace sy::core {
namespace {

class Sink : public Consumer {
public:
    bool deliver(Queue&, DeliveryTag tag, const QueueEntry& e) override {
        got.push_back(e.msg);
        tags.push_back(tag);
        return true;
    }
    std::vector<MessagePtr> got;
    std::vector<DeliveryTag> tags;
};

Message topic_msg(std::string key, std::string payload, bool persistent = false) {
    Message m;
    m.exchange = "amq.topic";
    m.routing_key = std::move(key);
    m.payload = std::move(payload);
    m.props.persistent = persistent;
    m.origin.protocol = Protocol::Amqp;
    return m;
}

TEST(Broker, StandardExchangesExist) {
    storage::MemoryStore store;
    Broker b(store);
    for (auto name : {"amq.topic", "amq.direct", "amq.fanout", "amq.headers"}) {
        EXPECT_NE(b.find_exchange(name), nullptr) << name;
    }
    EXPECT_EQ(b.find_exchange("amq.topic")->type(), ExchangeType::Topic);
    EXPECT_EQ(b.find_exchange("amq.headers")->type(), ExchangeType::Headers);
}

TEST(Broker, DefaultExchangeRoutesByQueueName) {
    storage::MemoryStore store;
    Broker b(store);
    auto* q = b.declare_queue("jobs", {});
    Message m;
    m.routing_key = "jobs";
    m.payload = "x";
    PublishOutcome seen;
    b.publish(std::move(m), [&](const PublishOutcome& o) { seen = o; });
    EXPECT_EQ(seen.routed, 1u);
    EXPECT_EQ(q->ready_count(), 1u);
}

TEST(Broker, TopicRoutingWithMaxQosPerQueue) {
    storage::MemoryStore store;
    Broker b(store);
    auto* q = b.declare_queue("q", {});
    Binding one{q, "plant.*.temp", std::nullopt, {}, 1};
    Binding two{q, "plant.#", std::nullopt, {}, 2};
    EXPECT_TRUE(b.bind("amq.topic", one));
    EXPECT_TRUE(b.bind("amq.topic", two));
    Sink s;
    q->add_consumer(&s);
    b.publish(topic_msg("plant.1.temp", "21"), nullptr);
    ASSERT_EQ(s.got.size(), 1u) << "one copy per queue";
    b.publish(topic_msg("other.1.temp", "x"), nullptr);
    EXPECT_EQ(s.got.size(), 1u);
    EXPECT_EQ(b.stats().messages_unroutable, 1u);
}

TEST(Broker, PersistentToDurableQueueIsStoredUntilAcked) {
    storage::MemoryStore store;
    Broker b(store);
    QueueOptions o;
    o.durable = true;
    auto* q = b.declare_queue("d", o);
    b.bind("amq.topic", Binding{q, "#", std::nullopt, {}, 2});
    bool acked = false;
    b.publish(topic_msg("a", "p", true), [&](const PublishOutcome& out) { acked = out.ok; });
    EXPECT_TRUE(acked);
    EXPECT_EQ(store.stored_count("d"), 1u);
    Sink s;
    q->add_consumer(&s);
    ASSERT_EQ(s.tags.size(), 1u);
    q->ack(s.tags[0]);
    EXPECT_EQ(store.stored_count("d"), 0u);
}

TEST(Broker, TransientMessagesAreNotStored) {
    storage::MemoryStore store;
    Broker b(store);
    QueueOptions o;
    o.durable = true;
    auto* q = b.declare_queue("d", o);
    b.bind("amq.topic", Binding{q, "#", std::nullopt, {}, 2});
    b.publish(topic_msg("a", "p", false), nullptr);
    EXPECT_EQ(store.stored_count("d"), 0u);
}

TEST(Broker, DurableQueueRecoversFromStore) {
    storage::MemoryStore store;
    {
        Broker b(store);
        QueueOptions o;
        o.durable = true;
        auto* q = b.declare_queue("d", o);
        b.bind("amq.topic", Binding{q, "#", std::nullopt, {}, 2});
        b.publish(topic_msg("a", "1", true), nullptr);
        b.publish(topic_msg("a", "2", true), nullptr);
    }
    Broker again(store);
    QueueOptions o;
    o.durable = true;
    auto* q = again.declare_queue("d", o);
    EXPECT_EQ(q->ready_count(), 2u);
    Message m = topic_msg("a", "3", true);
    again.publish(std::move(m), nullptr);  // ids continue after the stored ones
    EXPECT_EQ(store.stored_count("d"), 2u) << "not bound after restart in this test";
}

TEST(Broker, RetainedSetAndClear) {
    storage::MemoryStore store;
    Broker b(store);
    auto m = topic_msg("s.1", "on");
    m.retain = true;
    b.publish(std::move(m), nullptr);
    EXPECT_EQ(b.retained_count(), 1u);
    int n = 0;
    b.for_each_retained(parse_amqp_pattern("s.*"), [&](const MessagePtr&) { ++n; });
    EXPECT_EQ(n, 1);
    auto clear = topic_msg("s.1", "");
    clear.retain = true;
    b.publish(std::move(clear), nullptr);
    EXPECT_EQ(b.retained_count(), 0u);
}

TEST(Broker, DeleteQueueRemovesBindings) {
    storage::MemoryStore store;
    Broker b(store);
    auto* q = b.declare_queue("q", {});
    b.bind("amq.topic", Binding{q, "#", std::nullopt, {}, 2});
    b.delete_queue("q");
    EXPECT_EQ(b.find_exchange("amq.topic")->binding_count(), 0u);
    b.publish(topic_msg("a", "x"), nullptr);  // must not touch the deleted queue
    EXPECT_EQ(b.stats().messages_unroutable, 1u);
}

}  // namespace
}  // namespace sy::core

namespace sy::core {
namespace {

TEST(Broker, ExchangeToExchangeBindingsRouteOnceEvenInACycle) {
    storage::MemoryStore store;
    Broker b(store);
    auto* src = b.declare_exchange("src", ExchangeType::Topic);
    auto* mid = b.declare_exchange("mid", ExchangeType::Fanout);
    auto* q = b.declare_queue("q", {});
    Binding to_mid;
    to_mid.key = "sensors.#";
    to_mid.exchange = mid;
    ASSERT_TRUE(b.bind("src", to_mid));
    Binding back;  // mid -> src: a cycle
    back.exchange = src;
    ASSERT_TRUE(b.bind("mid", back));
    b.bind("mid", Binding{q, "", std::nullopt, {}, 2});
    b.publish(topic_msg("x", "no"), nullptr);  // amq.topic: not bound
    Message m;
    m.exchange = "src";
    m.routing_key = "sensors.t1";
    m.payload = "yes";
    b.publish(std::move(m), nullptr);
    ASSERT_EQ(q->ready_count(), 1u);
    Message other;
    other.exchange = "src";
    other.routing_key = "actuators.a1";
    b.publish(std::move(other), nullptr);
    EXPECT_EQ(q->ready_count(), 1u);
    EXPECT_TRUE(b.delete_exchange("mid"));
    EXPECT_EQ(src->binding_count(), 0u) << "bindings to a deleted exchange go with it";
}

}  // namespace
}  // namespace sy::core

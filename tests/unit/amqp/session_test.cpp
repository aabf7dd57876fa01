#include <gtest/gtest.h>

#include "session_harness.hpp"

namespace sy::amqp::test {
namespace {

QueueDeclare declare(std::string name, bool durable = false, bool exclusive = false,
                     bool auto_delete = false, FieldTable args = {}) {
    QueueDeclare d;
    d.queue = std::move(name);
    d.durable = durable;
    d.exclusive = exclusive;
    d.auto_delete = auto_delete;
    d.arguments = std::move(args);
    return d;
}

BasicConsume consume(std::string queue, std::string tag = "", bool no_ack = false,
                     bool exclusive = false) {
    BasicConsume c;
    c.queue = std::move(queue);
    c.consumer_tag = std::move(tag);
    c.no_ack = no_ack;
    c.exclusive = exclusive;
    return c;
}

struct Opened {
    Harness h;
    Client c{h};
    Opened() {
        EXPECT_TRUE(c.open());
        EXPECT_TRUE(c.open_channel(1));
    }
};

TEST(AmqpSession, HandshakeOffersRabbitMqCapabilities) {
    Harness h;
    Client c(h);
    ByteWriter w;
    encode_protocol_header(w);
    c.send_bytes(w.view());
    auto start = c.methods_of<ConnectionStart>();
    ASSERT_EQ(start.size(), 1u);
    EXPECT_EQ(start[0].mechanisms, "PLAIN AMQPLAIN");
    const auto* caps = find_field(start[0].server_properties, "capabilities");
    ASSERT_NE(caps, nullptr);
    for (const char* name : {"publisher_confirms", "consumer_cancel_notify", "basic.nack",
                             "exchange_exchange_bindings", "connection.blocked",
                             "authentication_failure_close", "per_consumer_qos"}) {
        const auto* v = find_field(std::get<FieldTable>(*caps), name);
        ASSERT_NE(v, nullptr) << name;
        EXPECT_TRUE(std::get<bool>(*v)) << name;
    }
}

TEST(AmqpSession, WrongProtocolHeaderGetsOursAndClose) {
    Harness h;
    Client c(h);
    const char http[] = "GET / HTTP/1.1\r\n";
    c.send_bytes(std::as_bytes(std::span(http, sizeof http - 1)));
    EXPECT_TRUE(c.closed());
    EXPECT_EQ(c.raw(), std::string("AMQP\0\0\x09\x01", 8));
}

TEST(AmqpSession, UnknownVhostIsNotAllowed) {
    Harness h;
    Client c(h);
    ByteWriter w;
    encode_protocol_header(w);
    c.send_bytes(w.view());
    c.frames();
    ConnectionStartOk ok;
    ok.mechanism = "PLAIN";
    ok.response = std::string("\0u\0p", 4);
    c.send_method(0, ok);
    c.frames();
    c.send_method(0, ConnectionTuneOk{0, 131072, 0});
    c.send_method(0, ConnectionOpen{"/other", "", false});
    auto close = c.methods_of<ConnectionClose>();
    ASSERT_EQ(close.size(), 1u);
    EXPECT_EQ(close[0].reply_code, reply::kNotAllowed);
}

TEST(AmqpSession, AmqplainLoginIsAccepted) {
    Harness h;
    Client c(h);
    ByteWriter w;
    encode_protocol_header(w);
    c.send_bytes(w.view());
    c.frames();
    // AMQPLAIN: a field table without its length prefix.
    ByteWriter t;
    encode_field_table({{"LOGIN", FieldValue(std::string("guest"))},
                        {"PASSWORD", FieldValue(std::string("guest"))}},
                       t);
    ConnectionStartOk ok;
    ok.mechanism = "AMQPLAIN";
    auto bytes = t.view().subspan(4);
    ok.response.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    c.send_method(0, ok);
    EXPECT_EQ(c.methods_of<ConnectionTune>().size(), 1u);
}

TEST(AmqpSession, PublishRoutesThroughTopicExchangeToConsumer) {
    Opened o;
    o.c.send_method(1, declare("q1"));
    ASSERT_EQ(o.c.methods_of<QueueDeclareOk>().size(), 1u);
    o.c.send_method(1, QueueBind{0, "q1", "amq.topic", "plant.*.temp", false, {}});
    ASSERT_EQ(o.c.methods_of<QueueBindOk>().size(), 1u);
    o.c.send_method(1, consume("q1", "ctag"));
    ASSERT_EQ(o.c.methods_of<BasicConsumeOk>().size(), 1u);
    BasicProperties p;
    p.content_type = "application/json";
    p.headers = FieldTable{{"n", FieldValue(std::int32_t{7})},
                           {"nested", FieldValue(FieldTable{{"a", FieldValue(true)}})}};
    o.c.publish(1, "amq.topic", "plant.1.temp", "21.5", p);
    o.c.publish(1, "amq.topic", "plant.1.humidity", "40");
    auto d = o.c.collect();
    ASSERT_EQ(d.size(), 1u);
    auto& deliver = std::get<BasicDeliver>(d[0].method);
    EXPECT_EQ(deliver.consumer_tag, "ctag");
    EXPECT_EQ(deliver.delivery_tag, 1u);
    EXPECT_EQ(deliver.exchange, "amq.topic");
    EXPECT_EQ(deliver.routing_key, "plant.1.temp");
    EXPECT_EQ(d[0].body, "21.5");
    EXPECT_EQ(d[0].props.content_type, "application/json");
    ASSERT_TRUE(d[0].props.headers);
    const auto* n = find_field(*d[0].props.headers, "n");
    ASSERT_NE(n, nullptr);
    EXPECT_EQ(std::get<std::int32_t>(*n), 7);
    const auto* nested = find_field(*d[0].props.headers, "nested");
    ASSERT_NE(nested, nullptr);
    EXPECT_EQ(std::get<FieldTable>(*nested), (FieldTable{{"a", FieldValue(true)}}));
}

TEST(AmqpSession, ServerNamedQueueAndLastQueueShortcut) {
    Opened o;
    o.c.send_method(1, declare(""));
    auto ok = o.c.methods_of<QueueDeclareOk>();
    ASSERT_EQ(ok.size(), 1u);
    EXPECT_TRUE(ok[0].queue.starts_with("amq.gen-"));
    EXPECT_EQ(ok[0].queue.size(), 8u + 22u);
    // "" means the queue this channel declared last.
    o.c.send_method(1, QueueBind{0, "", "amq.direct", "k", false, {}});
    EXPECT_EQ(o.c.methods_of<QueueBindOk>().size(), 1u);
    o.c.publish(1, "amq.direct", "k", "x");
    o.c.send_method(1, BasicGet{0, "", true});
    auto got = o.c.collect();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(std::get<BasicGetOk>(got[0].method).message_count, 0u);
    EXPECT_EQ(got[0].body, "x");
}

TEST(AmqpSession, PassiveDeclareOfMissingQueueClosesOnlyTheChannel) {
    Opened o;
    QueueDeclare d = declare("missing");
    d.passive = true;
    o.c.send_method(1, d);
    auto close = o.c.methods_of<ChannelClose>();
    ASSERT_EQ(close.size(), 1u);
    EXPECT_EQ(close[0].reply_code, reply::kNotFound);
    EXPECT_EQ(close[0].reply_text, "NOT_FOUND - no queue 'missing' in vhost '/'");
    EXPECT_EQ(close[0].class_id, kQueueClass);
    EXPECT_EQ(close[0].method_id, QueueDeclare::kMethodId);
    // Until close-ok the channel ignores everything; then it can be opened again.
    o.c.send_method(1, declare("x"));
    EXPECT_TRUE(o.c.methods().empty());
    o.c.send_method(1, ChannelCloseOk{});
    EXPECT_TRUE(o.c.open_channel(1));
    EXPECT_FALSE(o.c.closed());
}

TEST(AmqpSession, RedeclareWithOtherPropertiesIsPreconditionFailed) {
    Opened o;
    o.c.send_method(1, declare("q", true));
    o.c.methods();
    o.c.send_method(1, declare("q", false));
    auto close = o.c.methods_of<ChannelClose>();
    ASSERT_EQ(close.size(), 1u);
    EXPECT_EQ(close[0].reply_code, reply::kPreconditionFailed);
    EXPECT_NE(close[0].reply_text.find("inequivalent arg 'durable'"), std::string::npos);
}

TEST(AmqpSession, RedeclareWithOtherTtlIsPreconditionFailed) {
    Opened o;
    o.c.send_method(1, declare("q", false, false, false,
                               {{"x-message-ttl", FieldValue(std::int32_t{1000})}}));
    o.c.methods();
    o.c.send_method(1, declare("q", false, false, false,
                               {{"x-message-ttl", FieldValue(std::int32_t{2000})}}));
    auto close = o.c.methods_of<ChannelClose>();
    ASSERT_EQ(close.size(), 1u);
    EXPECT_EQ(close[0].reply_code, reply::kPreconditionFailed);
}

TEST(AmqpSession, ReservedNamesAreRefused) {
    Opened o;
    o.c.send_method(1, declare("amq.mine"));
    auto close = o.c.methods_of<ChannelClose>();
    ASSERT_EQ(close.size(), 1u);
    EXPECT_EQ(close[0].reply_code, reply::kAccessRefused);
}

TEST(AmqpSession, UnknownExchangeTypeClosesTheConnection) {
    Opened o;
    ExchangeDeclare d;
    d.exchange = "x";
    d.type = "no-such-type";
    o.c.send_method(1, d);
    auto close = o.c.methods_of<ConnectionClose>();
    ASSERT_EQ(close.size(), 1u);
    EXPECT_EQ(close[0].reply_code, reply::kCommandInvalid);
    o.c.send_method(0, ConnectionCloseOk{});
    EXPECT_TRUE(o.c.closed());
}

TEST(AmqpSession, PublishToMissingExchangeIsNotFound) {
    Opened o;
    o.c.publish(1, "nope", "k", "x");
    auto close = o.c.methods_of<ChannelClose>();
    ASSERT_EQ(close.size(), 1u);
    EXPECT_EQ(close[0].reply_code, reply::kNotFound);
    EXPECT_EQ(close[0].class_id, kBasicClass);
    EXPECT_EQ(close[0].method_id, BasicPublish::kMethodId);
}

TEST(AmqpSession, ExclusiveQueueIsLockedForOtherConnectionsAndGoesWithItsOwner) {
    Harness h;
    Client a(h), b(h);
    ASSERT_TRUE(a.open());
    ASSERT_TRUE(b.open());
    ASSERT_TRUE(a.open_channel(1));
    ASSERT_TRUE(b.open_channel(1));
    a.send_method(1, declare("ex", false, true));
    ASSERT_EQ(a.methods_of<QueueDeclareOk>().size(), 1u);
    b.send_method(1, declare("ex", false, true));
    auto close = b.methods_of<ChannelClose>();
    ASSERT_EQ(close.size(), 1u);
    EXPECT_EQ(close[0].reply_code, reply::kResourceLocked);
    a.drop();
    EXPECT_EQ(h.broker.find_queue("ex"), nullptr);
    b.send_method(1, ChannelCloseOk{});
    ASSERT_TRUE(b.open_channel(1));
    b.send_method(1, declare("ex", false, true));
    EXPECT_EQ(b.methods_of<QueueDeclareOk>().size(), 1u);
}

TEST(AmqpSession, PrefetchBoundsUnackedDeliveries) {
    Opened o;
    o.c.send_method(1, declare("q"));
    o.c.methods();
    for (int i = 0; i < 10; ++i) o.c.publish(1, "", "q", std::to_string(i));
    o.c.send_method(1, BasicQos{0, 3, false});
    o.c.send_method(1, consume("q", "c"));
    auto first = o.c.collect();
    int delivered = 0;
    for (auto& d : first) delivered += std::holds_alternative<BasicDeliver>(d.method);
    EXPECT_EQ(delivered, 3);
    o.c.send_method(1, BasicAck{2, true});  // acks tags 1 and 2
    auto next = o.c.collect();
    ASSERT_EQ(next.size(), 2u);
    EXPECT_EQ(next[0].body, "3");
    EXPECT_EQ(next[1].body, "4");
}

TEST(AmqpSession, ChannelWidePrefetchSpansConsumers) {
    Opened o;
    o.c.send_method(1, declare("a"));
    o.c.send_method(1, declare("b"));
    o.c.methods();
    for (int i = 0; i < 3; ++i) {
        o.c.publish(1, "", "a", "a");
        o.c.publish(1, "", "b", "b");
    }
    o.c.send_method(1, BasicQos{0, 2, true});
    o.c.send_method(1, consume("a", "ca"));
    o.c.send_method(1, consume("b", "cb"));
    int delivered = 0;
    for (auto& d : o.c.collect()) delivered += std::holds_alternative<BasicDeliver>(d.method);
    EXPECT_EQ(delivered, 2);
    o.c.send_method(1, BasicAck{0, true});
    delivered = 0;
    for (auto& d : o.c.collect()) delivered += std::holds_alternative<BasicDeliver>(d.method);
    EXPECT_EQ(delivered, 2);
}

TEST(AmqpSession, NackRequeueRedeliversInOrderWithRedeliveredFlag) {
    Opened o;
    o.c.send_method(1, declare("q"));
    o.c.methods();
    for (const char* b : {"1", "2", "3"}) o.c.publish(1, "", "q", b);
    o.c.send_method(1, consume("q", "c"));
    EXPECT_EQ(o.c.collect().size(), 4u);  // consume-ok + 3
    o.c.send_method(1, BasicNack{3, true, true});
    auto again = o.c.collect();
    ASSERT_EQ(again.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        auto& d = std::get<BasicDeliver>(again[i].method);
        EXPECT_TRUE(d.redelivered);
        EXPECT_EQ(d.delivery_tag, 4u + i);
        EXPECT_EQ(again[i].body, std::to_string(i + 1));
    }
}

TEST(AmqpSession, UnknownDeliveryTagIsPreconditionFailed) {
    Opened o;
    o.c.send_method(1, BasicAck{42, false});
    auto close = o.c.methods_of<ChannelClose>();
    ASSERT_EQ(close.size(), 1u);
    EXPECT_EQ(close[0].reply_code, reply::kPreconditionFailed);
    EXPECT_EQ(close[0].reply_text, "PRECONDITION_FAILED - unknown delivery tag 42");
}

TEST(AmqpSession, ClosingTheChannelRequeuesUnacked) {
    Opened o;
    o.c.send_method(1, declare("q"));
    o.c.methods();
    o.c.publish(1, "", "q", "m");
    o.c.send_method(1, consume("q", "c"));
    o.c.collect();
    o.c.send_method(1, ChannelClose{200, "bye", 0, 0});
    EXPECT_EQ(o.c.methods_of<ChannelCloseOk>().size(), 1u);
    auto* q = o.h.broker.find_queue("q");
    ASSERT_NE(q, nullptr);
    EXPECT_EQ(q->ready_count(), 1u);
    EXPECT_EQ(q->consumer_count(), 0u);
}

TEST(AmqpSession, GetEmptyAndGetAck) {
    Opened o;
    o.c.send_method(1, declare("q"));
    o.c.methods();
    o.c.send_method(1, BasicGet{0, "q", false});
    EXPECT_EQ(o.c.methods_of<BasicGetEmpty>().size(), 1u);
    o.c.publish(1, "", "q", "a");
    o.c.publish(1, "", "q", "b");
    o.c.send_method(1, BasicGet{0, "q", false});
    auto got = o.c.collect();
    ASSERT_EQ(got.size(), 1u);
    auto ok = std::get<BasicGetOk>(got[0].method);
    EXPECT_EQ(ok.message_count, 1u);
    o.c.send_method(1, BasicAck{ok.delivery_tag, false});
    EXPECT_TRUE(o.c.methods().empty());
    EXPECT_EQ(o.h.broker.find_queue("q")->unacked_count(), 0u);
}

TEST(AmqpSession, ConfirmsAreCoalescedAndMandatoryReturnsComeFirst) {
    Opened o;
    o.c.send_method(1, ConfirmSelect{false});
    ASSERT_EQ(o.c.methods_of<ConfirmSelectOk>().size(), 1u);
    o.c.send_method(1, declare("q"));
    o.c.methods();
    o.c.publish(1, "", "q", "1");
    o.c.publish(1, "", "q", "2");
    o.c.publish(1, "", "nowhere", "3", {}, true);
    auto out = o.c.collect();
    ASSERT_EQ(out.size(), 2u);
    auto& ret = std::get<BasicReturn>(out[0].method);
    EXPECT_EQ(ret.reply_code, reply::kNoRoute);
    EXPECT_EQ(ret.routing_key, "nowhere");
    EXPECT_EQ(out[0].body, "3");
    auto& ack = std::get<BasicAck>(out[1].method);
    EXPECT_EQ(ack.delivery_tag, 3u);
    EXPECT_TRUE(ack.multiple);
}

TEST(AmqpSession, RejectPublishOverflowIsNacked) {
    Opened o;
    o.c.send_method(1, ConfirmSelect{false});
    o.c.send_method(1, declare("q", false, false, false,
                               {{"x-max-length", FieldValue(std::int32_t{1})},
                                {"x-overflow", FieldValue(std::string("reject-publish"))}}));
    o.c.methods();
    o.c.publish(1, "", "q", "1");
    o.c.publish(1, "", "q", "2");
    auto m = o.c.methods();
    ASSERT_EQ(m.size(), 2u);
    EXPECT_EQ(std::get<BasicAck>(m[0]).delivery_tag, 1u);
    EXPECT_EQ(std::get<BasicNack>(m[1]).delivery_tag, 2u);
}

TEST(AmqpSession, TransactionPublishesOnCommitOnly) {
    Opened o;
    o.c.send_method(1, declare("q"));
    o.c.send_method(1, TxSelect{});
    o.c.methods();
    o.c.publish(1, "", "q", "a");
    auto* q = o.h.broker.find_queue("q");
    EXPECT_EQ(q->ready_count(), 0u);
    o.c.send_method(1, TxRollback{});
    EXPECT_EQ(o.c.methods_of<TxRollbackOk>().size(), 1u);
    o.c.publish(1, "", "q", "b");
    o.c.send_method(1, TxCommit{});
    EXPECT_EQ(o.c.methods_of<TxCommitOk>().size(), 1u);
    EXPECT_EQ(q->ready_count(), 1u);
    o.c.send_method(1, ConfirmSelect{false});
    auto close = o.c.methods_of<ChannelClose>();
    ASSERT_EQ(close.size(), 1u);
    EXPECT_EQ(close[0].reply_code, reply::kPreconditionFailed);
}

TEST(AmqpSession, DeletingAQueueCancelsItsConsumersWithNotification) {
    Harness h;
    Client a(h), b(h);
    ASSERT_TRUE(a.open());
    ASSERT_TRUE(b.open());
    ASSERT_TRUE(a.open_channel(1));
    ASSERT_TRUE(b.open_channel(1));
    a.send_method(1, declare("q"));
    a.send_method(1, consume("q", "c1"));
    a.methods();
    QueueDelete del;
    del.queue = "q";
    b.send_method(1, del);
    EXPECT_EQ(b.methods_of<QueueDeleteOk>().size(), 1u);
    auto cancel = a.methods_of<BasicCancel>();
    ASSERT_EQ(cancel.size(), 1u);
    EXPECT_EQ(cancel[0].consumer_tag, "c1");
    EXPECT_EQ(h.broker.find_queue("q"), nullptr);
}

TEST(AmqpSession, AutoDeleteQueueGoesWithItsLastConsumer) {
    Opened o;
    o.c.send_method(1, declare("ad", false, false, true));
    o.c.send_method(1, consume("ad", "c"));
    o.c.methods();
    ASSERT_NE(o.h.broker.find_queue("ad"), nullptr);
    o.c.send_method(1, BasicCancel{"c", false});
    EXPECT_EQ(o.c.methods_of<BasicCancelOk>().size(), 1u);
    EXPECT_EQ(o.h.broker.find_queue("ad"), nullptr);
}

TEST(AmqpSession, ExclusiveConsumerKeepsOthersOut) {
    Opened o;
    o.c.send_method(1, declare("q"));
    o.c.send_method(1, consume("q", "c1", false, true));
    o.c.methods();
    o.c.send_method(1, consume("q", "c2"));
    auto close = o.c.methods_of<ChannelClose>();
    ASSERT_EQ(close.size(), 1u);
    EXPECT_EQ(close[0].reply_code, reply::kAccessRefused);
}

TEST(AmqpSession, ReusedConsumerTagClosesTheConnection) {
    Opened o;
    o.c.send_method(1, declare("q"));
    o.c.send_method(1, consume("q", "c"));
    o.c.methods();
    o.c.send_method(1, consume("q", "c"));
    auto close = o.c.methods_of<ConnectionClose>();
    ASSERT_EQ(close.size(), 1u);
    EXPECT_EQ(close[0].reply_code, reply::kNotAllowed);
}

TEST(AmqpSession, MethodInsideContentIsUnexpectedFrame) {
    Opened o;
    o.c.send_method(1, BasicPublish{0, "", "q", false, false});
    o.c.send_method(1, declare("q"));
    auto close = o.c.methods_of<ConnectionClose>();
    ASSERT_EQ(close.size(), 1u);
    EXPECT_EQ(close[0].reply_code, reply::kUnexpectedFrame);
}

TEST(AmqpSession, ImmediateIsNotImplemented) {
    Opened o;
    o.c.send_method(1, BasicPublish{0, "", "q", false, true});
    auto close = o.c.methods_of<ConnectionClose>();
    ASSERT_EQ(close.size(), 1u);
    EXPECT_EQ(close[0].reply_code, reply::kNotImplemented);
}

TEST(AmqpSession, FrameOnUnopenedChannelIsChannelError) {
    Opened o;
    o.c.send_method(5, declare("q"));
    auto close = o.c.methods_of<ConnectionClose>();
    ASSERT_EQ(close.size(), 1u);
    EXPECT_EQ(close[0].reply_code, reply::kChannelError);
}

TEST(AmqpSession, ExchangeToExchangeBindingRoutes) {
    Opened o;
    ExchangeDeclare d;
    d.exchange = "edge";
    d.type = "fanout";
    o.c.send_method(1, d);
    o.c.send_method(1, ExchangeBind{0, "edge", "amq.topic", "plant.#", false, {}});
    o.c.send_method(1, declare("q"));
    o.c.send_method(1, QueueBind{0, "q", "edge", "", false, {}});
    o.c.methods();
    o.c.publish(1, "amq.topic", "plant.1.temp", "x");
    EXPECT_EQ(o.h.broker.find_queue("q")->ready_count(), 1u);
}

TEST(AmqpSession, DeadLettersCarryXDeathAsArrayOfTables) {
    Opened o;
    o.c.send_method(1, declare("dlq"));
    o.c.send_method(1, declare("work", false, false, false,
                               {{"x-dead-letter-exchange", FieldValue(std::string(""))},
                                {"x-dead-letter-routing-key", FieldValue(std::string("dlq"))}}));
    o.c.methods();
    o.c.publish(1, "", "work", "job");
    o.c.send_method(1, BasicGet{0, "work", false});
    auto got = o.c.collect();
    ASSERT_EQ(got.size(), 1u);
    o.c.send_method(1, BasicReject{std::get<BasicGetOk>(got[0].method).delivery_tag, false});
    o.c.send_method(1, BasicGet{0, "dlq", true});
    auto dead = o.c.collect();
    ASSERT_EQ(dead.size(), 1u);
    EXPECT_EQ(dead[0].body, "job");
    ASSERT_TRUE(dead[0].props.headers);
    const auto* xdeath = find_field(*dead[0].props.headers, "x-death");
    ASSERT_NE(xdeath, nullptr);
    const auto& entries = std::get<FieldArray>(*xdeath);
    ASSERT_EQ(entries.size(), 1u);
    const auto& entry = std::get<FieldTable>(entries[0]);
    EXPECT_EQ(std::get<std::string>(*find_field(entry, "reason")), "rejected");
    EXPECT_EQ(std::get<std::string>(*find_field(entry, "queue")), "work");
    EXPECT_EQ(std::get<std::int64_t>(*find_field(entry, "count")), 1);
}

TEST(AmqpSession, ContentSplitAcrossManyFramesIsReassembled) {
    Opened o;
    o.c.send_method(1, declare("big"));
    o.c.methods();
    std::string body(100'000, 'z');
    body[12345] = '\0';
    o.c.publish(1, "", "big", body);  // 4096-octet frames
    o.c.send_method(1, BasicGet{0, "big", true});
    auto got = o.c.collect();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].body, body);
}

TEST(AmqpSession, ClientCloseIsAnsweredAndChannelsRequeue) {
    Opened o;
    o.c.send_method(1, declare("q"));
    o.c.methods();
    o.c.publish(1, "", "q", "m");
    o.c.send_method(1, BasicGet{0, "q", false});
    o.c.collect();
    o.c.send_method(0, ConnectionClose{200, "bye", 0, 0});
    EXPECT_EQ(o.c.methods_of<ConnectionCloseOk>().size(), 1u);
    EXPECT_TRUE(o.c.closed());
    EXPECT_EQ(o.h.broker.find_queue("q")->ready_count(), 1u);
}

TEST(AmqpSession, MemoryAlarmBlocksPublishersUntilItClears) {
    ServerOptions opt;
    opt.memory_high_watermark = 1000;
    Harness h(opt);
    Client pub(h), idle(h);
    ASSERT_TRUE(pub.open());
    ASSERT_TRUE(idle.open());
    ASSERT_TRUE(pub.open_channel(1));
    pub.send_method(1, declare("q"));
    pub.methods();
    pub.publish(1, "", "q", std::string(2000, 'x'));
    h.server.tick(1);
    EXPECT_EQ(h.server.alarm(), "low on memory");
    auto blocked = pub.methods_of<ConnectionBlocked>();
    ASSERT_EQ(blocked.size(), 1u);
    EXPECT_EQ(blocked[0].reason, "low on memory");
    EXPECT_TRUE(pub.paused());
    // Only publishers are blocked.
    EXPECT_TRUE(idle.methods().empty());
    EXPECT_FALSE(idle.paused());
    QueuePurge purge;
    purge.queue = "q";
    pub.send_method(1, purge);  // a paused transport still delivers what it had read
    pub.methods();
    h.server.tick(2);
    EXPECT_EQ(h.server.alarm(), "");
    EXPECT_EQ(pub.methods_of<ConnectionUnblocked>().size(), 1u);
    EXPECT_FALSE(pub.paused());
}

}  // namespace
}  // namespace sy::amqp::test

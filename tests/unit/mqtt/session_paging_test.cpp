// A persistent session's queue is durable, so it pages: an offline session collects far more
// than the broker keeps in memory, and gets all of it, in order and at its subscription's QoS,
// when it comes back.

#include "session_harness.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sy::mqtt::test {
namespace {

core::MqttConfig config() {
    core::MqttConfig c;
    c.sys_interval = 0;
    c.max_queued_messages = 0;
    return c;
}

std::string payload(int i) {
    std::string s(1, 'p');
    s += std::to_string(i);
    return s;
}

TEST(MqttSessionPaging, OfflineSessionGetsEverythingInOrderAfterPaging) {
    Harness h(config());
    h.broker.set_queue_memory_limit(5);
    {
        Client sub(h.server);
        sub.connect("keep", false);
        sub.subscribe("t/#", 1);
        sub.received();
        sub.drop();
    }
    Client pub(h.server);
    pub.connect("pub");
    std::uint16_t pid = 1;
    std::vector<std::string> sent;
    for (int i = 0; i < 60; ++i) {
        // QoS 0 ones are transient: they wait in memory behind the paged ones.
        const std::uint8_t qos = i % 10 == 9 ? 0 : (i % 2 == 0 ? 1 : 2);
        pub.publish("t/x", payload(i), qos, qos == 0 ? 0 : pid++);
        sent.push_back(payload(i));
    }
    auto* q = h.broker.find_queue("mqtt-session.keep");
    ASSERT_NE(q, nullptr);
    EXPECT_EQ(q->ready_count(), 60u);
    EXPECT_EQ(q->in_memory_count(), 5u + 6);  // the head and the QoS 0 messages behind it
    EXPECT_EQ(q->paged_count(), 49u);

    Client sub(h.server);
    EXPECT_TRUE(sub.connect("keep", false).session_present);
    std::vector<std::string> got;
    for (int round = 0; round < 100 && got.size() < sent.size(); ++round) {
        for (auto& p : sub.received_of<Publish>()) {
            got.push_back(p.payload);
            EXPECT_LE(p.qos, 1) << "downgraded to the subscription's QoS [MQTT-3.8.4-6]";
            if (p.qos == 1) sub.send(PubAckLike{PacketType::Puback, p.packet_id, 0, {}});
        }
    }
    EXPECT_EQ(got, sent);
    EXPECT_EQ(q->ready_count(), 0u);
    EXPECT_EQ(h.store.stored_count("mqtt-session.keep"), 0u);
}

}  // namespace
}  // namespace sy::mqtt::test

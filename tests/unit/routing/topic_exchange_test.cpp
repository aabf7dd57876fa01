#include "core/routing/topic_exchange.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/unit/routing/fake_queues.hpp"

namespace sy::core {
namespace {

using Kind = PatternLevel::Kind;

class TopicExchangeTest : public ::testing::Test {
protected:
    std::vector<RouteSet::Target> route(std::string key) const {
        Message message;
        message.routing_key = std::move(key);
        RouteSet out;
        exchange_.route(message, out);
        std::vector<RouteSet::Target> targets = out.targets();
        std::sort(targets.begin(), targets.end(),
                  [](const auto& a, const auto& b) { return std::less<>{}(a.queue, b.queue); });
        return targets;
    }

    std::vector<Queue*> route_queues(std::string key) const {
        std::vector<Queue*> out;
        for (const RouteSet::Target& target : route(std::move(key))) {
            out.push_back(target.queue);
        }
        return out;
    }

    test::FakeQueues queues_;
    TopicExchange exchange_{"amq.topic"};
};

TEST_F(TopicExchangeTest, OverlappingBindingsDeliverOnceAtHighestQos) {
    // MQTT subscriptions "a/+" at QoS 0 and "a/#" at QoS 2 from one client [MQTT-3.3.5-1].
    EXPECT_TRUE(exchange_.bind({queues_[0], "a.*", {}, {}, 0}));
    EXPECT_TRUE(exchange_.bind({queues_[0], "a.#", {}, {}, 2}));
    EXPECT_TRUE(exchange_.bind({queues_[1], "a.b", {}, {}, 1}));
    const auto targets = route("a.b");
    ASSERT_EQ(targets.size(), 2u);
    EXPECT_EQ(targets[0].queue, queues_[0]);
    EXPECT_EQ(targets[0].qos_cap, 2);
    EXPECT_EQ(targets[1].queue, queues_[1]);
    EXPECT_EQ(targets[1].qos_cap, 1);
}

TEST_F(TopicExchangeTest, RebindReplacesQos) {
    EXPECT_TRUE(exchange_.bind({queues_[0], "a.*", {}, {}, 2}));
    EXPECT_FALSE(exchange_.bind({queues_[0], "a.*", {}, {}, 0}));
    EXPECT_EQ(exchange_.binding_count(), 1u);
    const auto targets = route("a.x");
    ASSERT_EQ(targets.size(), 1u);
    EXPECT_EQ(targets[0].qos_cap, 0);
    EXPECT_EQ(exchange_.bindings().at(0).qos_cap, 0);
}

TEST_F(TopicExchangeTest, ExplicitPatternOverridesKey) {
    // An MQTT filter "a/*": the '*' is literal, the key only says how the client spelled it.
    const TopicPattern literal_star = {{Kind::Literal, "a"}, {Kind::Literal, "*"}};
    EXPECT_TRUE(exchange_.bind({queues_[0], "a/*", literal_star, {}, 1}));
    // The AMQP pattern "a.*" on the same queue is a different binding.
    EXPECT_TRUE(exchange_.bind({queues_[0], "a.*", {}, {}, 2}));
    // Same pattern given as an explicit wildcard pattern: same identity as "a.*".
    const TopicPattern wildcard = {{Kind::Literal, "a"}, {Kind::Star, {}}};
    EXPECT_FALSE(exchange_.bind({queues_[0], "a/+", wildcard, {}, 2}));
    EXPECT_EQ(exchange_.binding_count(), 2u);

    EXPECT_TRUE(exchange_.unbind({queues_[0], "a.*", {}, {}, 0}));
    EXPECT_EQ(route_queues("a.b"), (std::vector<Queue*>{}));
    EXPECT_EQ(route_queues("a.*"), (std::vector<Queue*>{queues_[0]}));
    EXPECT_TRUE(exchange_.unbind({queues_[0], "whatever", literal_star, {}, 0}));
    EXPECT_EQ(exchange_.binding_count(), 0u);
}

TEST_F(TopicExchangeTest, DollarTopicsSkipLeadingWildcards) {
    exchange_.bind({queues_[0], "#", {}, {}, 2});
    exchange_.bind({queues_[1], "*.uptime", {}, {}, 2});
    exchange_.bind({queues_[2], "$SYS.#", {}, {}, 2});
    EXPECT_EQ(route_queues("$SYS.uptime"), (std::vector<Queue*>{queues_[2]}));
    EXPECT_EQ(route_queues("broker.uptime"), (std::vector<Queue*>{queues_[0], queues_[1]}));
}

TEST_F(TopicExchangeTest, UnbindQueueRemovesAllItsBindings) {
    for (std::size_t q = 0; q < 3; ++q) {
        exchange_.bind({queues_[q], "a.#", {}, {}, 2});
        exchange_.bind({queues_[q], "a.b", {}, {}, 2});
        exchange_.bind({queues_[q], "*.b", {}, {}, 2});
    }
    exchange_.unbind_queue(queues_[1]);
    EXPECT_EQ(exchange_.binding_count(), 6u);
    EXPECT_EQ(route_queues("a.b"), (std::vector<Queue*>{queues_[0], queues_[2]}));
    for (const Binding& binding : exchange_.bindings()) {
        EXPECT_NE(binding.queue, queues_[1]);
    }
    exchange_.unbind_queue(queues_[0]);
    exchange_.unbind_queue(queues_[2]);
    EXPECT_EQ(exchange_.binding_count(), 0u);
    EXPECT_EQ(route_queues("a.b"), (std::vector<Queue*>{}));
    EXPECT_FALSE(exchange_.unbind({queues_[0], "a.#", {}, {}, 2}));
}

TEST_F(TopicExchangeTest, ManyBindings) {
    for (std::size_t site = 0; site < 1000; ++site) {
        const std::string n = std::to_string(site);
        exchange_.bind({queues_[site], "site." + n + ".#", {}, {}, 1});
        exchange_.bind({queues_[site], "site." + n + ".device.*.temp", {}, {}, 2});
    }
    exchange_.bind({queues_[1000], "site.*.device.*.temp", {}, {}, 0});
    EXPECT_EQ(exchange_.binding_count(), 2001u);

    const auto targets = route("site.42.device.7.temp");
    ASSERT_EQ(targets.size(), 2u);
    EXPECT_EQ(targets[0].queue, queues_[42]);
    EXPECT_EQ(targets[0].qos_cap, 2);
    EXPECT_EQ(targets[1].queue, queues_[1000]);
    EXPECT_EQ(route_queues("site.42.device.7.hum"), (std::vector<Queue*>{queues_[42]}));
    EXPECT_EQ(route_queues("site.1000.device.7.temp"), (std::vector<Queue*>{queues_[1000]}));
}

}  // namespace
}  // namespace sy::core

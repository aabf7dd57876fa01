#include "core/routing/fanout_exchange.hpp"

#include <gtest/gtest.h>

#include "tests/unit/routing/fake_queues.hpp"

namespace sy::core {
namespace {

TEST(FanoutExchange, RoutesToEveryQueueOnceWithHighestQos) {
    test::FakeQueues queues;
    FanoutExchange exchange("amq.fanout");
    exchange.bind({queues[0], "", {}, {}, 0});
    exchange.bind({queues[0], "ignored", {}, {}, 1});  // another binding, same queue
    exchange.bind({queues[1], "", {}, {}, 2});
    EXPECT_EQ(exchange.binding_count(), 3u);

    Message message;
    message.routing_key = "anything.at.all";
    RouteSet out;
    exchange.route(message, out);
    ASSERT_EQ(out.targets().size(), 2u);
    EXPECT_EQ(out.targets()[0].queue, queues[0]);
    EXPECT_EQ(out.targets()[0].qos_cap, 1);
    EXPECT_EQ(out.targets()[1].queue, queues[1]);
    EXPECT_EQ(out.targets()[1].qos_cap, 2);
}

TEST(FanoutExchange, UnbindAndUnbindQueue) {
    test::FakeQueues queues;
    FanoutExchange exchange("fan");
    exchange.bind({queues[0], "a", {}, {}, 2});
    exchange.bind({queues[0], "b", {}, {}, 2});
    exchange.bind({queues[1], "a", {}, {}, 2});
    EXPECT_FALSE(exchange.unbind({queues[1], "b", {}, {}, 2}));
    EXPECT_TRUE(exchange.unbind({queues[1], "a", {}, {}, 2}));
    exchange.unbind_queue(queues[0]);
    EXPECT_EQ(exchange.binding_count(), 0u);

    Message message;
    RouteSet out;
    exchange.route(message, out);
    EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace sy::core

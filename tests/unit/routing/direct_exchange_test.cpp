#include "core/routing/direct_exchange.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/unit/routing/fake_queues.hpp"

namespace sy::core {
namespace {

std::vector<Queue*> route(const Exchange& exchange, std::string key) {
    Message message;
    message.routing_key = std::move(key);
    RouteSet out;
    exchange.route(message, out);
    std::vector<Queue*> queues;
    for (const RouteSet::Target& target : out.targets()) {
        queues.push_back(target.queue);
    }
    std::sort(queues.begin(), queues.end());
    return queues;
}

class DirectExchangeTest : public ::testing::Test {
protected:
    test::FakeQueues queues_;
    DirectExchange exchange_{"amq.direct"};
};

TEST_F(DirectExchangeTest, RoutesOnExactKeyOnly) {
    exchange_.bind({queues_[0], "a.b", {}, {}, 2});
    exchange_.bind({queues_[1], "a.*", {}, {}, 2});
    exchange_.bind({queues_[2], "", {}, {}, 2});
    EXPECT_EQ(route(exchange_, "a.b"), (std::vector<Queue*>{queues_[0]}));
    EXPECT_EQ(route(exchange_, "a.*"), (std::vector<Queue*>{queues_[1]}));
    EXPECT_EQ(route(exchange_, "a.c"), (std::vector<Queue*>{}));
    EXPECT_EQ(route(exchange_, ""), (std::vector<Queue*>{queues_[2]}));
    EXPECT_EQ(route(exchange_, "A.B"), (std::vector<Queue*>{}));
}

TEST_F(DirectExchangeTest, ManyQueuesOnOneKey) {
    std::vector<Queue*> expected;
    for (std::size_t i = 0; i < 100; ++i) {
        exchange_.bind({queues_[i], "orders", {}, {}, 2});
        expected.push_back(queues_[i]);
    }
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(route(exchange_, "orders"), expected);
}

TEST_F(DirectExchangeTest, ArgsArePartOfIdentityButRouteOnce) {
    const Headers args_a = {{"x-a", std::string("1")}, {"x-b", std::int64_t{2}}};
    const Headers args_a_reordered = {{"x-b", std::int64_t{2}}, {"x-a", std::string("1")}};
    const Headers args_b = {{"x-a", std::string("2")}};
    EXPECT_TRUE(exchange_.bind({queues_[0], "k", {}, args_a, 0}));
    EXPECT_FALSE(exchange_.bind({queues_[0], "k", {}, args_a_reordered, 1}));
    EXPECT_TRUE(exchange_.bind({queues_[0], "k", {}, args_b, 2}));
    EXPECT_TRUE(exchange_.bind({queues_[0], "k", {}, {}, 0}));
    EXPECT_EQ(exchange_.binding_count(), 3u);

    Message message;
    message.routing_key = "k";
    RouteSet out;
    exchange_.route(message, out);
    ASSERT_EQ(out.targets().size(), 1u);
    EXPECT_EQ(out.targets()[0].qos_cap, 2);

    EXPECT_TRUE(exchange_.unbind({queues_[0], "k", {}, args_b, 0}));
    out.clear();
    exchange_.route(message, out);
    ASSERT_EQ(out.targets().size(), 1u);
    EXPECT_EQ(out.targets()[0].qos_cap, 1);  // the rebind replaced 0 with 1
}

TEST_F(DirectExchangeTest, UnbindQueueLeavesOtherQueues) {
    for (std::size_t i = 0; i < 10; ++i) {
        exchange_.bind({queues_[0], "k" + std::to_string(i), {}, {}, 2});
        exchange_.bind({queues_[1], "k" + std::to_string(i), {}, {}, 2});
    }
    exchange_.bind({queues_[0], "k1", {}, {{"x", true}}, 2});
    EXPECT_EQ(exchange_.binding_count(), 21u);
    exchange_.unbind_queue(queues_[0]);
    EXPECT_EQ(exchange_.binding_count(), 10u);
    EXPECT_EQ(route(exchange_, "k1"), (std::vector<Queue*>{queues_[1]}));
    exchange_.unbind_queue(queues_[0]);  // nothing left: no effect
    exchange_.unbind_queue(queues_[1]);
    EXPECT_EQ(exchange_.binding_count(), 0u);
    EXPECT_EQ(route(exchange_, "k1"), (std::vector<Queue*>{}));
    // Bindable again after everything went.
    EXPECT_TRUE(exchange_.bind({queues_[0], "k1", {}, {}, 2}));
    EXPECT_EQ(route(exchange_, "k1"), (std::vector<Queue*>{queues_[0]}));
}

TEST_F(DirectExchangeTest, UnbindThenUnbindQueue) {
    exchange_.bind({queues_[0], "a", {}, {}, 2});
    exchange_.bind({queues_[0], "b", {}, {}, 2});
    EXPECT_TRUE(exchange_.unbind({queues_[0], "a", {}, {}, 2}));
    exchange_.unbind_queue(queues_[0]);
    EXPECT_EQ(exchange_.binding_count(), 0u);
    EXPECT_EQ(route(exchange_, "b"), (std::vector<Queue*>{}));
}

TEST_F(DirectExchangeTest, ListsBindingsAsGiven) {
    const Headers args = {{"x-priority", std::int64_t{5}}};
    exchange_.bind({queues_[3], "key", {}, args, 1});
    const std::vector<Binding> bindings = exchange_.bindings();
    ASSERT_EQ(bindings.size(), 1u);
    EXPECT_EQ(bindings[0].queue, queues_[3]);
    EXPECT_EQ(bindings[0].key, "key");
    EXPECT_EQ(bindings[0].args, args);
    EXPECT_EQ(bindings[0].qos_cap, 1);
}

}  // namespace
}  // namespace sy::core

#include "core/routing/exchange.hpp"

#include <gtest/gtest.h>

#include <string_view>

#include "tests/unit/routing/fake_queues.hpp"

namespace sy::core {
namespace {

TEST(RouteSet, AddsEachQueueOnceWithTheHighestQos) {
    test::FakeQueues queues;
    RouteSet set;
    EXPECT_TRUE(set.empty());
    set.add(queues[0], 1);
    set.add(queues[1], 0);
    set.add(queues[0], 2);
    set.add(queues[0], 0);  // a lower cap later does not lower it
    set.add(queues[1], 1);
    ASSERT_EQ(set.targets().size(), 2u);
    EXPECT_EQ(set.targets()[0].queue, queues[0]);
    EXPECT_EQ(set.targets()[0].qos_cap, 2);
    EXPECT_EQ(set.targets()[1].queue, queues[1]);
    EXPECT_EQ(set.targets()[1].qos_cap, 1);
    set.clear();
    EXPECT_TRUE(set.empty());
}

TEST(RouteSet, ManyQueuesStayDeduplicatedPastTheScanLimit) {
    test::FakeQueues queues;
    RouteSet set;
    for (int round = 0; round < 3; ++round) {
        for (std::size_t i = 0; i < 100; ++i) {
            set.add(queues[i], static_cast<std::uint8_t>(round));
        }
    }
    ASSERT_EQ(set.targets().size(), 100u);
    for (std::size_t i = 0; i < 100; ++i) {
        EXPECT_EQ(set.targets()[i].queue, queues[i]);
        EXPECT_EQ(set.targets()[i].qos_cap, 2);
    }
    set.clear();
    set.add(queues[5], 0);
    ASSERT_EQ(set.targets().size(), 1u);
}

TEST(ExchangeType, NamesRoundTrip) {
    for (ExchangeType type : {ExchangeType::Direct, ExchangeType::Fanout, ExchangeType::Topic,
                              ExchangeType::Headers}) {
        EXPECT_EQ(parse_exchange_type(to_string(type)), type);
    }
    EXPECT_EQ(to_string(ExchangeType::Direct), "direct");
    EXPECT_EQ(to_string(ExchangeType::Fanout), "fanout");
    EXPECT_EQ(to_string(ExchangeType::Topic), "topic");
    EXPECT_EQ(to_string(ExchangeType::Headers), "headers");
}

TEST(ExchangeType, RejectsUnknownNames) {
    for (std::string_view name : {"", "Direct", "TOPIC", "x-delayed-message", "headers "}) {
        EXPECT_EQ(parse_exchange_type(name), std::nullopt) << name;
    }
}

TEST(MakeExchange, BuildsEachType) {
    for (ExchangeType type : {ExchangeType::Direct, ExchangeType::Fanout, ExchangeType::Topic,
                              ExchangeType::Headers}) {
        ExchangeOptions options;
        options.durable = false;
        options.auto_delete = true;
        const auto exchange = make_exchange("ex", type, options);
        ASSERT_NE(exchange, nullptr);
        EXPECT_EQ(exchange->type(), type);
        EXPECT_EQ(exchange->name(), "ex");
        EXPECT_FALSE(exchange->options().durable);
        EXPECT_TRUE(exchange->options().auto_delete);
        EXPECT_EQ(exchange->binding_count(), 0u);
    }
}

TEST(MakeExchange, EveryTypeFollowsTheBindingContract) {
    // The contract of Exchange shared by all types: new, rebind, unbind, unbind_queue.
    test::FakeQueues queues;
    for (ExchangeType type : {ExchangeType::Direct, ExchangeType::Fanout, ExchangeType::Topic,
                              ExchangeType::Headers}) {
        const auto exchange = make_exchange("ex", type);
        EXPECT_TRUE(exchange->bind({queues[0], "k", {}, {}, 1}));
        EXPECT_FALSE(exchange->bind({queues[0], "k", {}, {}, 2}));
        EXPECT_TRUE(exchange->bind({queues[1], "k", {}, {}, 0}));
        EXPECT_TRUE(exchange->bind({queues[0], "other", {}, {}, 0}));
        EXPECT_EQ(exchange->binding_count(), 3u);
        EXPECT_EQ(exchange->bindings().size(), 3u);

        Message message;
        message.routing_key = "k";
        RouteSet out;
        exchange->route(message, out);
        ASSERT_EQ(out.targets().size(), 2u) << to_string(type);
        for (const RouteSet::Target& target : out.targets()) {
            EXPECT_EQ(target.qos_cap, target.queue == queues[0] ? 2 : 0) << to_string(type);
        }

        EXPECT_FALSE(exchange->unbind({queues[2], "k", {}, {}, 2}));
        EXPECT_TRUE(exchange->unbind({queues[1], "k", {}, {}, 2}));  // qos_cap ignored
        EXPECT_FALSE(exchange->unbind({queues[1], "k", {}, {}, 0}));
        exchange->unbind_queue(queues[0]);
        EXPECT_EQ(exchange->binding_count(), 0u);
        EXPECT_TRUE(exchange->bindings().empty());
        out.clear();
        exchange->route(message, out);
        EXPECT_TRUE(out.empty()) << to_string(type);
    }
}

}  // namespace
}  // namespace sy::core

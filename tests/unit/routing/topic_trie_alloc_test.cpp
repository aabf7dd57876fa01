// Allocation behaviour of TopicTrie, observed by counting global operator new calls: match()
// must not allocate once its per-thread buffers are warm, and erase() must free the nodes it
// prunes. This file replaces the global allocation functions for the whole test binary.

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdlib>
#include <new>
#include <string>

#include "core/routing/topic_exchange.hpp"
#include "core/routing/topic_trie.hpp"
#include "tests/unit/routing/fake_queues.hpp"

namespace {

std::size_t g_allocations = 0;  // every call to operator new
std::ptrdiff_t g_live = 0;      // allocations not yet freed

}  // namespace

void* operator new(std::size_t size) {
    ++g_allocations;
    ++g_live;
    if (void* block = std::malloc(size == 0 ? 1 : size)) {
        return block;
    }
    throw std::bad_alloc();
}

void operator delete(void* block) noexcept {
    if (block != nullptr) {
        --g_live;
        std::free(block);
    }
}

void operator delete(void* block, std::size_t /*size*/) noexcept { operator delete(block); }

void* operator new[](std::size_t size) { return operator new(size); }
void operator delete[](void* block) noexcept { operator delete(block); }
void operator delete[](void* block, std::size_t /*size*/) noexcept { operator delete(block); }

namespace sy::core {
namespace {

void fill(TopicTrie<int>& trie) {
    for (int i = 0; i < 200; ++i) {
        const std::string n = std::to_string(i);
        trie.insert(parse_amqp_pattern("site." + n + ".device.*.temp"), i);
        trie.insert(parse_amqp_pattern("site." + n + ".#"), 1000 + i);
        trie.insert(parse_amqp_pattern("#.alarm." + n), 2000 + i);
    }
}

TEST(TopicTrieAlloc, MatchDoesNotAllocateOnceWarm) {
    TopicTrie<int> trie;
    fill(trie);
    const std::string keys[] = {"site.7.device.3.temp", "site.199.x.y.z.w.alarm.5", "nothing",
                                "", "$SYS.broker.load"};
    int found = 0;
    auto count = [&found](const int&) { ++found; };
    for (const std::string& key : keys) {
        trie.match(key, count);  // grows the per-thread buffers
    }
    found = 0;
    const std::size_t before = g_allocations;
    for (int round = 0; round < 100; ++round) {
        for (const std::string& key : keys) {
            trie.match(key, count);
        }
    }
    EXPECT_EQ(g_allocations, before);
    EXPECT_EQ(found, 100 * (2 + 2));
}

TEST(TopicTrieAlloc, ErasePrunesEveryNodeItCreated) {
    TopicTrie<int> trie;
    fill(trie);
    const TopicPattern deep = parse_amqp_pattern("site.7.fresh.branch.with.*.and.#.end");
    const TopicPattern shallow = parse_amqp_pattern("brand.new");
    const std::ptrdiff_t before = g_live;
    ASSERT_TRUE(trie.insert(deep, 1));
    ASSERT_TRUE(trie.insert(shallow, 2));
    EXPECT_GT(g_live, before);
    ASSERT_TRUE(trie.erase(deep, 1));
    ASSERT_TRUE(trie.erase(shallow, 2));
    EXPECT_EQ(g_live, before);
}

TEST(TopicTrieAlloc, EmptiedTrieHoldsNoMemory) {
    const TopicPattern pattern = parse_amqp_pattern("a.*.#.b");
    const std::ptrdiff_t before = g_live;
    TopicTrie<int> trie;
    ASSERT_TRUE(trie.insert(pattern, 1));
    ASSERT_TRUE(trie.erase(pattern, 1));
    EXPECT_EQ(g_live, before);
}

TEST(TopicTrieAlloc, TopicRouteDoesNotAllocateOnceWarm) {
    test::FakeQueues queues;
    TopicExchange exchange("amq.topic");
    for (std::size_t i = 0; i < 100; ++i) {
        exchange.bind({queues[i], "site." + std::to_string(i) + ".#", {}, {}, 1});
        exchange.bind({queues[i], "site.*.device." + std::to_string(i), {}, {}, 2});
    }
    Message message;
    message.routing_key = "site.5.device.6";
    RouteSet out;
    exchange.route(message, out);
    out.clear();
    const std::size_t before = g_allocations;
    for (int round = 0; round < 100; ++round) {
        out.clear();
        exchange.route(message, out);
    }
    EXPECT_EQ(g_allocations, before);
    EXPECT_EQ(out.targets().size(), 2u);
}

}  // namespace
}  // namespace sy::core

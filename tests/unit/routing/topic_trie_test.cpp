#include "core/routing/topic_trie.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/unit/routing/match_cases.hpp"

namespace sy::core {
namespace {

using Kind = PatternLevel::Kind;

std::vector<int> matches(const TopicTrie<int>& trie, std::string_view key) {
    std::vector<int> out;
    trie.match(key, [&out](const int& value) { out.push_back(value); });
    std::sort(out.begin(), out.end());
    return out;
}

TEST(TopicTrie, MatchesTableOneBindingAtATime) {
    for (const test::MatchCase& c : test::match_cases()) {
        TopicTrie<int> trie(c.dollar_rule);
        ASSERT_TRUE(trie.insert(parse_amqp_pattern(c.pattern), 1));
        EXPECT_EQ(matches(trie, c.key), c.expected ? std::vector<int>{1} : std::vector<int>{})
            << c;
    }
}

TEST(TopicTrie, MatchesTableAllBindingsAtOnce) {
    // Every pattern of the table in one trie: sharing nodes must not leak matches between
    // patterns.
    const auto& cases = test::match_cases();
    for (bool dollar_rule : {false, true}) {
        TopicTrie<int> trie(dollar_rule);
        std::vector<TopicPattern> patterns;
        for (const test::MatchCase& c : cases) {
            patterns.push_back(parse_amqp_pattern(c.pattern));
            trie.insert(patterns.back(), static_cast<int>(patterns.size() - 1));
        }
        for (const test::MatchCase& c : cases) {
            std::vector<int> expected;
            for (std::size_t i = 0; i < patterns.size(); ++i) {
                if (pattern_matches(patterns[i], c.key, dollar_rule)) {
                    expected.push_back(static_cast<int>(i));
                }
            }
            EXPECT_EQ(matches(trie, c.key), expected) << c.key << " dollar " << dollar_rule;
        }
    }
}

TEST(TopicTrie, LiteralStarLevelIsNotAWildcard) {
    TopicTrie<int> trie;
    trie.insert({{Kind::Literal, "a"}, {Kind::Literal, "*"}}, 1);
    trie.insert({{Kind::Literal, "a"}, {Kind::Star, {}}}, 2);
    trie.insert({{Kind::Literal, "a"}, {Kind::Literal, "#"}}, 3);
    EXPECT_EQ(matches(trie, "a.*"), (std::vector<int>{1, 2}));
    EXPECT_EQ(matches(trie, "a.b"), (std::vector<int>{2}));
    EXPECT_EQ(matches(trie, "a.#"), (std::vector<int>{2, 3}));
    EXPECT_EQ(matches(trie, "a"), (std::vector<int>{}));
}

TEST(TopicTrie, DollarRuleOnlyGuardsTheFirstPosition) {
    TopicTrie<int> with_rule(true);
    TopicTrie<int> without_rule(false);
    for (TopicTrie<int>* trie : {&with_rule, &without_rule}) {
        trie->insert(parse_amqp_pattern("#"), 1);
        trie->insert(parse_amqp_pattern("*.stats"), 2);
        trie->insert(parse_amqp_pattern("$SYS.#"), 3);
        trie->insert(parse_amqp_pattern("$SYS.*"), 4);
    }
    EXPECT_EQ(matches(with_rule, "$SYS.stats"), (std::vector<int>{3, 4}));
    EXPECT_EQ(matches(without_rule, "$SYS.stats"), (std::vector<int>{1, 2, 3, 4}));
    EXPECT_EQ(matches(with_rule, "x.stats"), (std::vector<int>{1, 2}));
    EXPECT_EQ(matches(with_rule, "x.$SYS"), (std::vector<int>{1}));
}

TEST(TopicTrie, PatternWithSeveralMatchPathsIsReportedOnce) {
    TopicTrie<int> trie(false);
    trie.insert(parse_amqp_pattern("#.a.#"), 1);
    trie.insert(parse_amqp_pattern("#.#"), 2);
    trie.insert(parse_amqp_pattern("#.*.#"), 3);
    EXPECT_EQ(matches(trie, "a.a.a"), (std::vector<int>{1, 2, 3}));
}

TEST(TopicTrie, SameValueUnderTwoPatternsIsReportedTwice) {
    TopicTrie<int> trie;
    trie.insert(parse_amqp_pattern("a.*"), 7);
    trie.insert(parse_amqp_pattern("a.#"), 7);
    EXPECT_EQ(matches(trie, "a.b"), (std::vector<int>{7, 7}));
}

TEST(TopicTrie, RejectsDuplicatePair) {
    TopicTrie<int> trie;
    EXPECT_TRUE(trie.insert(parse_amqp_pattern("a.*"), 1));
    EXPECT_FALSE(trie.insert(parse_amqp_pattern("a.*"), 1));
    EXPECT_TRUE(trie.insert(parse_amqp_pattern("a.*"), 2));
    EXPECT_TRUE(trie.insert(parse_amqp_pattern("a.#"), 1));
    EXPECT_EQ(trie.size(), 3u);
    EXPECT_EQ(matches(trie, "a.b"), (std::vector<int>{1, 1, 2}));
}

TEST(TopicTrie, EraseRemovesOnlyThatPair) {
    TopicTrie<int> trie;
    trie.insert(parse_amqp_pattern("a.*"), 1);
    trie.insert(parse_amqp_pattern("a.*"), 2);
    trie.insert(parse_amqp_pattern("a.b"), 3);
    EXPECT_FALSE(trie.erase(parse_amqp_pattern("a.*"), 3));
    EXPECT_FALSE(trie.erase(parse_amqp_pattern("a.#"), 1));
    EXPECT_FALSE(trie.erase(parse_amqp_pattern("a"), 1));
    EXPECT_FALSE(trie.erase(parse_amqp_pattern("a.b.c"), 3));
    EXPECT_TRUE(trie.erase(parse_amqp_pattern("a.*"), 1));
    EXPECT_FALSE(trie.erase(parse_amqp_pattern("a.*"), 1));
    EXPECT_EQ(trie.size(), 2u);
    EXPECT_EQ(matches(trie, "a.b"), (std::vector<int>{2, 3}));
}

TEST(TopicTrie, EraseKeepsNodesOthersStillNeed) {
    TopicTrie<int> trie;
    trie.insert(parse_amqp_pattern("a.b.c"), 1);
    trie.insert(parse_amqp_pattern("a.b"), 2);
    trie.insert(parse_amqp_pattern("a.b.c.#"), 3);
    EXPECT_TRUE(trie.erase(parse_amqp_pattern("a.b.c"), 1));
    EXPECT_EQ(matches(trie, "a.b"), (std::vector<int>{2}));
    EXPECT_EQ(matches(trie, "a.b.c"), (std::vector<int>{3}));
    EXPECT_TRUE(trie.erase(parse_amqp_pattern("a.b.c.#"), 3));
    EXPECT_EQ(matches(trie, "a.b.c"), (std::vector<int>{}));
    EXPECT_EQ(matches(trie, "a.b"), (std::vector<int>{2}));
}

TEST(TopicTrie, ReusableAfterEmptying) {
    TopicTrie<int> trie;
    EXPECT_FALSE(trie.erase(parse_amqp_pattern("a"), 1));
    trie.insert(parse_amqp_pattern("a"), 1);
    EXPECT_TRUE(trie.erase(parse_amqp_pattern("a"), 1));
    EXPECT_EQ(trie.size(), 0u);
    EXPECT_EQ(matches(trie, "a"), (std::vector<int>{}));
    trie.insert(parse_amqp_pattern("#"), 2);
    EXPECT_EQ(matches(trie, "a"), (std::vector<int>{2}));
}

TEST(TopicTrie, EmptyPatternMatchesNothing) {
    TopicTrie<int> trie;
    EXPECT_TRUE(trie.insert({}, 1));
    EXPECT_EQ(matches(trie, ""), (std::vector<int>{}));
    EXPECT_TRUE(trie.erase({}, 1));
}

TEST(TopicTrie, ManyBindings) {
    TopicTrie<int> trie;
    int next = 0;
    for (int site = 0; site < 50; ++site) {
        for (int device = 0; device < 20; ++device) {
            const std::string prefix =
                "site." + std::to_string(site) + ".device." + std::to_string(device);
            trie.insert(parse_amqp_pattern(prefix + ".temp"), next++);
        }
        trie.insert(parse_amqp_pattern("site." + std::to_string(site) + ".#"), 100000 + site);
    }
    trie.insert(parse_amqp_pattern("site.*.device.*.temp"), -1);
    EXPECT_EQ(trie.size(), 50u * 20u + 50u + 1u);
    // site 3, device 4 was binding 3 * 20 + 4.
    EXPECT_EQ(matches(trie, "site.3.device.4.temp"), (std::vector<int>{-1, 64, 100003}));
    EXPECT_EQ(matches(trie, "site.3.device.4.hum"), (std::vector<int>{100003}));
    EXPECT_EQ(matches(trie, "site.99.device.4.temp"), (std::vector<int>{-1}));
    EXPECT_EQ(matches(trie, "plant.3.device.4.temp"), (std::vector<int>{}));
}

TEST(TopicTrie, NestedMatchFromCallback) {
    TopicTrie<int> outer;
    TopicTrie<int> inner;
    outer.insert(parse_amqp_pattern("a.#"), 1);
    outer.insert(parse_amqp_pattern("#"), 2);
    inner.insert(parse_amqp_pattern("*.*.*"), 3);
    std::vector<int> seen;
    outer.match("a.b.c", [&](const int& value) {
        seen.push_back(value);
        inner.match("x.y.z", [&](const int& nested) { seen.push_back(nested); });
    });
    std::sort(seen.begin(), seen.end());
    EXPECT_EQ(seen, (std::vector<int>{1, 2, 3, 3}));
}

TEST(TopicTrie, DeepPatternsDoNotOverflowTheStack) {
    std::string key = "x";
    for (int i = 0; i < 100000; ++i) {
        key += ".x";
    }
    auto trie = std::make_unique<TopicTrie<int>>();
    trie->insert(parse_amqp_pattern(key), 1);
    trie->insert(parse_amqp_pattern("#.x"), 2);
    EXPECT_EQ(matches(*trie, key), (std::vector<int>{1, 2}));
    trie.reset();  // destroys a chain of 100001 nodes
}

}  // namespace
}  // namespace sy::core

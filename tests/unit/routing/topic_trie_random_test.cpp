// Randomized agreement between TopicTrie::match, pattern_matches and a naive recursive
// matcher written here from the definition, over small alphabets chosen so that empty
// levels, literal '*' levels, '$' first levels and stacked wildcards all come up often.

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "core/routing/topic_pattern.hpp"
#include "core/routing/topic_trie.hpp"

namespace sy::core {
namespace {

using Kind = PatternLevel::Kind;

bool naive_match(const TopicPattern& pattern, std::size_t pi,
                 const std::vector<std::string_view>& key, std::size_t ki) {
    if (pi == pattern.size()) {
        return ki == key.size();
    }
    const PatternLevel& level = pattern[pi];
    if (level.kind == Kind::Hash) {
        for (std::size_t taken = ki; taken <= key.size(); ++taken) {
            if (naive_match(pattern, pi + 1, key, taken)) {
                return true;
            }
        }
        return false;
    }
    if (ki == key.size()) {
        return false;
    }
    if (level.kind == Kind::Literal && level.text != key[ki]) {
        return false;
    }
    return naive_match(pattern, pi + 1, key, ki + 1);
}

bool naive_matches(const TopicPattern& pattern, std::string_view key, bool dollar_rule) {
    std::vector<std::string_view> levels;
    split_levels(key, levels);
    if (dollar_rule && !pattern.empty() && pattern[0].kind != Kind::Literal &&
        levels[0].starts_with('$')) {
        return false;
    }
    return naive_match(pattern, 0, levels, 0);
}

class Generator {
public:
    explicit Generator(std::uint32_t seed) : rng_(seed) {}

    TopicPattern pattern() {
        static const std::array<PatternLevel, 8> kLevels = {{
            {Kind::Literal, "a"},
            {Kind::Literal, "b"},
            {Kind::Literal, ""},
            {Kind::Literal, "*"},
            {Kind::Literal, "$s"},
            {Kind::Star, {}},
            {Kind::Hash, {}},
            {Kind::Hash, {}},
        }};
        TopicPattern out(pick(6));
        for (PatternLevel& level : out) {
            level = kLevels[pick(kLevels.size() - 1)];
        }
        return out;
    }

    std::string key() {
        static const std::array<std::string_view, 5> kLevels = {"a", "b", "", "*", "$s"};
        std::string out;
        const std::size_t count = 1 + pick(6);
        for (std::size_t i = 0; i < count; ++i) {
            if (i != 0) {
                out += '.';
            }
            out += kLevels[pick(kLevels.size() - 1)];
        }
        return out;
    }

    std::size_t pick(std::size_t max_inclusive) {
        return std::uniform_int_distribution<std::size_t>(0, max_inclusive)(rng_);
    }

private:
    std::mt19937 rng_;
};

std::vector<int> trie_matches(const TopicTrie<int>& trie, std::string_view key) {
    std::vector<int> out;
    trie.match(key, [&out](const int& value) { out.push_back(value); });
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<int> brute_force(const std::vector<TopicPattern>& patterns,
                             const std::vector<bool>& present, std::string_view key,
                             bool dollar_rule) {
    std::vector<int> out;
    for (std::size_t i = 0; i < patterns.size(); ++i) {
        if (present[i] && pattern_matches(patterns[i], key, dollar_rule)) {
            out.push_back(static_cast<int>(i));
        }
    }
    return out;
}

TEST(TopicTrieRandom, ReferenceMatcherAgreesWithDefinition) {
    Generator gen(12345);
    for (int i = 0; i < 50000; ++i) {
        const TopicPattern pattern = gen.pattern();
        const std::string key = gen.key();
        const bool dollar_rule = gen.pick(1) == 1;
        ASSERT_EQ(pattern_matches(pattern, key, dollar_rule),
                  naive_matches(pattern, key, dollar_rule))
            << to_amqp_string(pattern) << " vs " << key;
    }
}

TEST(TopicTrieRandom, TrieAgreesWithReferenceMatcher) {
    std::size_t pairs_matched = 0;  // (pattern, key) pairs, before erasing
    std::size_t pairs_tested = 0;
    for (std::uint32_t seed : {1u, 2u, 3u}) {
        Generator gen(seed);
        const bool dollar_rule = seed != 2;
        TopicTrie<int> trie(dollar_rule);
        std::vector<TopicPattern> patterns;
        for (int i = 0; i < 2000; ++i) {
            patterns.push_back(gen.pattern());
            ASSERT_TRUE(trie.insert(patterns.back(), i));
        }
        std::vector<bool> present(patterns.size(), true);
        for (int i = 0; i < 2000; ++i) {
            const std::string key = gen.key();
            const std::vector<int> expected = brute_force(patterns, present, key, dollar_rule);
            ASSERT_EQ(trie_matches(trie, key), expected)
                << "seed " << seed << " key \"" << key << "\"";
            pairs_matched += expected.size();
            pairs_tested += patterns.size();
        }
        // Erase about half, which prunes shared nodes, and compare again.
        for (std::size_t i = 0; i < patterns.size(); ++i) {
            if (gen.pick(1) == 0) {
                ASSERT_TRUE(trie.erase(patterns[i], static_cast<int>(i)));
                present[i] = false;
            }
        }
        EXPECT_EQ(trie.size(), static_cast<std::size_t>(std::count(present.begin(),
                                                                   present.end(), true)));
        for (int i = 0; i < 2000; ++i) {
            const std::string key = gen.key();
            ASSERT_EQ(trie_matches(trie, key), brute_force(patterns, present, key, dollar_rule))
                << "seed " << seed << " key \"" << key << "\" after erase";
        }
    }
    // The alphabets are small enough that both outcomes are common.
    EXPECT_GT(pairs_matched, pairs_tested / 100);
    EXPECT_LT(pairs_matched, pairs_tested / 2);
}

}  // namespace
}  // namespace sy::core

#include "core/routing/topic_pattern.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "tests/unit/routing/match_cases.hpp"

namespace sy::core {
namespace {

using Kind = PatternLevel::Kind;

PatternLevel lit(std::string text) { return {Kind::Literal, std::move(text)}; }
PatternLevel star() { return {Kind::Star, {}}; }
PatternLevel hash() { return {Kind::Hash, {}}; }

struct ParseCase {
    std::string_view text;
    TopicPattern expected;
};

TEST(TopicPattern, ParsesAmqpPatterns) {
    const std::vector<ParseCase> cases = {
        {"a.b.c", {lit("a"), lit("b"), lit("c")}},
        {"a.*.#", {lit("a"), star(), hash()}},
        {"#", {hash()}},
        {"*", {star()}},
        {"", {lit("")}},
        {".", {lit(""), lit("")}},
        {"a..b", {lit("a"), lit(""), lit("b")}},
        {".a", {lit(""), lit("a")}},
        {"a.", {lit("a"), lit("")}},
        {"#.*.#", {hash(), star(), hash()}},
        // Only a whole level is a wildcard.
        {"a*.#b.**", {lit("a*"), lit("#b"), lit("**")}},
        {"a/b.c", {lit("a/b"), lit("c")}},
    };
    for (const ParseCase& c : cases) {
        EXPECT_EQ(parse_amqp_pattern(c.text), c.expected) << c.text;
    }
}

TEST(TopicPattern, AmqpFormRoundTrips) {
    for (std::string_view text : {"a.b.c", "a.*.#", "", ".", "a..b", ".a", "a.", "#", "*.x*"}) {
        EXPECT_EQ(to_amqp_string(parse_amqp_pattern(text)), text);
    }
    EXPECT_EQ(to_amqp_string({}), "");
}

TEST(TopicPattern, LiteralWildcardPrintsLikeAWildcard) {
    // The AMQP form cannot express a literal '*' level; only the parsed pattern keeps it.
    const TopicPattern literal = {lit("a"), lit("*")};
    EXPECT_EQ(to_amqp_string(literal), "a.*");
    EXPECT_NE(parse_amqp_pattern(to_amqp_string(literal)), literal);
}

TEST(TopicPattern, SplitsLevels) {
    struct SplitCase {
        std::string_view key;
        std::vector<std::string_view> expected;
    };
    const std::vector<SplitCase> cases = {
        {"a.b.c", {"a", "b", "c"}},
        {"", {""}},
        {".", {"", ""}},
        {"a..b", {"a", "", "b"}},
        {".a", {"", "a"}},
        {"a.", {"a", ""}},
        {"abc", {"abc"}},
    };
    std::vector<std::string_view> out = {"stale"};
    for (const SplitCase& c : cases) {
        split_levels(c.key, out);
        EXPECT_EQ(out, c.expected) << c.key;
    }
}

TEST(TopicPattern, MatchesTable) {
    for (const test::MatchCase& c : test::match_cases()) {
        EXPECT_EQ(pattern_matches(parse_amqp_pattern(c.pattern), c.key, c.dollar_rule),
                  c.expected)
            << c;
    }
}

TEST(TopicPattern, LiteralStarMatchesOnlyAStarLevel) {
    const TopicPattern literal_star = {lit("a"), lit("*")};
    EXPECT_TRUE(pattern_matches(literal_star, "a.*", true));
    EXPECT_FALSE(pattern_matches(literal_star, "a.b", true));
    EXPECT_FALSE(pattern_matches(literal_star, "a.", true));

    const TopicPattern literal_hash = {lit("a"), lit("#")};
    EXPECT_TRUE(pattern_matches(literal_hash, "a.#", true));
    EXPECT_FALSE(pattern_matches(literal_hash, "a", true));
    EXPECT_FALSE(pattern_matches(literal_hash, "a.b", true));
}

TEST(TopicPattern, EmptyPatternMatchesNothing) {
    // A key always has at least one level; a pattern of zero levels cannot come from parsing.
    EXPECT_FALSE(pattern_matches({}, "", true));
    EXPECT_FALSE(pattern_matches({}, "a", false));
}

TEST(TopicPattern, ManyHashesStayFast) {
    // A backtracking matcher would take exponential time here.
    TopicPattern pattern;
    for (int i = 0; i < 40; ++i) {
        pattern.push_back(hash());
        pattern.push_back(lit("a"));
    }
    pattern.push_back(lit("z"));
    std::string key = "a";
    for (int i = 0; i < 200; ++i) {
        key += ".a";
    }
    EXPECT_FALSE(pattern_matches(pattern, key, true));
    EXPECT_TRUE(pattern_matches(pattern, key + ".z", true));
}

}  // namespace
}  // namespace sy::core

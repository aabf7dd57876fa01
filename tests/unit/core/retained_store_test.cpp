#include "core/broker/retained_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace sy::core {
namespace {

MessagePtr at(std::string key) {
    auto m = std::make_shared<Message>();
    m->routing_key = std::move(key);
    return m;
}

std::set<std::string> matching(const RetainedStore& s, const TopicPattern& p) {
    std::set<std::string> out;
    s.match(p, [&](const MessagePtr& m) { out.insert(m->routing_key); });
    return out;
}

TopicPattern amqp(std::string_view s) { return parse_amqp_pattern(s); }

TEST(RetainedStore, WildcardsFindTheirMessages) {
    RetainedStore s;
    for (auto k : {"a", "a.b", "a.b.c", "a.x.c", "b", "$SYS.up", ".lead", "a..c"}) s.set(k, at(k));
    EXPECT_EQ(s.size(), 8u);
    EXPECT_EQ(matching(s, amqp("a.*.c")), (std::set<std::string>{"a.b.c", "a.x.c", "a..c"}));
    EXPECT_EQ(matching(s, amqp("a.#")),
              (std::set<std::string>{"a", "a.b", "a.b.c", "a.x.c", "a..c"}));
    EXPECT_EQ(matching(s, amqp("#")),
              (std::set<std::string>{"a", "a.b", "a.b.c", "a.x.c", "b", ".lead", "a..c"}));
    EXPECT_EQ(matching(s, amqp("*")), (std::set<std::string>{"a", "b"}));
    EXPECT_EQ(matching(s, amqp("$SYS.#")), (std::set<std::string>{"$SYS.up"}));
    EXPECT_EQ(matching(s, amqp("*.lead")), (std::set<std::string>{".lead"}));
}

TEST(RetainedStore, LiteralStarLevelIsNotAWildcard) {
    RetainedStore s;
    s.set("a.*", at("a.*"));
    s.set("a.b", at("a.b"));
    TopicPattern literal{{PatternLevel::Kind::Literal, "a"}, {PatternLevel::Kind::Literal, "*"}};
    EXPECT_EQ(matching(s, literal), (std::set<std::string>{"a.*"}));
}

TEST(RetainedStore, ClearPrunes) {
    RetainedStore s;
    s.set("a.b.c", at("a.b.c"));
    EXPECT_TRUE(s.set("a.b.c", nullptr));
    EXPECT_FALSE(s.set("a.b.c", nullptr));
    EXPECT_EQ(s.size(), 0u);
    EXPECT_TRUE(matching(s, amqp("#")).empty());
}

}  // namespace
}  // namespace sy::core

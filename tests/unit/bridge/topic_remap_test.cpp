#include "bridge/topic_remap.hpp"

#include <gtest/gtest.h>

namespace sy::bridge {
namespace {

TEST(TopicRemap, ParsesMosquittoStyleRules) {
    auto r = parse_rule("sensors/# out 1 site1/ plants/site1/");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->pattern, "sensors/#");
    EXPECT_EQ(r->direction, Direction::Out);
    EXPECT_EQ(r->qos, 1);
    EXPECT_EQ(r->local_prefix, "site1/");
    EXPECT_EQ(r->remote_prefix, "plants/site1/");
    auto both = parse_rule("cmd/+ both 2 \"\" up/");
    ASSERT_TRUE(both);
    EXPECT_EQ(both->local_prefix, "");
    EXPECT_EQ(both->remote_prefix, "up/");
    std::string err;
    EXPECT_FALSE(parse_rule("a sideways", &err));
    EXPECT_FALSE(err.empty());
    EXPECT_FALSE(parse_rule("a out 3"));
    EXPECT_FALSE(parse_rule(""));
}

TEST(TopicRemap, OutboundSwapsPrefixes) {
    std::vector<RemapRule> rules{*parse_rule("sensors/# out 1 site1/ plants/site1/")};
    auto m = map_outbound(rules, "site1/sensors/t/1");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->topic, "plants/site1/sensors/t/1");
    EXPECT_EQ(m->qos, 1);
    EXPECT_FALSE(map_outbound(rules, "site2/sensors/t"));
    EXPECT_FALSE(map_inbound(rules, "plants/site1/sensors/t")) << "out-only rule";
}

TEST(TopicRemap, InboundAndBoth) {
    std::vector<RemapRule> rules{*parse_rule("cmd/+ both 2 local/ remote/")};
    auto in = map_inbound(rules, "remote/cmd/dev1");
    ASSERT_TRUE(in);
    EXPECT_EQ(in->topic, "local/cmd/dev1");
    EXPECT_FALSE(map_inbound(rules, "remote/cmd/dev1/x"));
    EXPECT_EQ(remote_subscriptions(rules)[0].first, "remote/cmd/+");
    EXPECT_EQ(local_subscriptions(rules)[0].first, "local/cmd/+");
}

TEST(TopicRemap, FilterMatching) {
    EXPECT_TRUE(mqtt_filter_matches("a/#", "a"));
    EXPECT_TRUE(mqtt_filter_matches("a/#", "a/b/c"));
    EXPECT_TRUE(mqtt_filter_matches("a/+/c", "a//c"));
    EXPECT_FALSE(mqtt_filter_matches("a/+", "a/b/c"));
    EXPECT_FALSE(mqtt_filter_matches("#", "$SYS/x"));
    EXPECT_TRUE(mqtt_filter_matches("$SYS/#", "$SYS/x"));
}

}  // namespace
}  // namespace sy::bridge

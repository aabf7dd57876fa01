// Topic name and topic filter validity tables (section 4.7, 4.8.2).

#include <gtest/gtest.h>

#include <string_view>

#include "protocols/mqtt/codec/codec.hpp"

namespace sy::mqtt {
namespace {

struct Row {
    std::string_view text;
    bool valid;
};

TEST(TopicName, Table) {
    const Row rows[] = {
        {"a", true},
        {"a/b/c", true},
        {"/", true},
        {"//", true},
        {"/a", true},
        {"a/", true},
        {"$SYS/broker/load", true},
        {" ", true},
        {"caf\xc3\xa9/\xe2\x82\xac", true},
        {"*", true},  // only MQTT's own wildcards are special
        {"", false},  // [MQTT-4.7.3-1]
        {"+", false},  // [MQTT-3.3.2-2]
        {"#", false},
        {"a/+/b", false},
        {"a/#", false},
        {"a+", false},
        {"sport#", false},
    };
    for (const Row& r : rows) {
        EXPECT_EQ(valid_topic_name(r.text), r.valid) << '"' << r.text << '"';
    }
}

TEST(TopicFilter, Table) {
    const Row rows[] = {
        {"a", true},
        {"a/b", true},
        {"#", true},
        {"+", true},
        {"/", true},
        {"+/+", true},
        {"/+", true},
        {"a/#", true},
        {"a/+/b", true},
        {"+/tennis/#", true},
        {"sport/tennis/+", true},
        {"$SYS/#", true},
        {"a//b", true},
        {"a/", true},
        {"", false},           // [MQTT-4.7.3-1]
        {"a#", false},         // [MQTT-4.7.1-2]
        {"a/#/b", false},
        {"#/", false},
        {"##", false},
        {"sport/tennis#", false},
        {"a+", false},         // [MQTT-4.7.1-3]
        {"+a", false},
        {"a/b+/c", false},
        {"++", false},
        {"a/+b", false},
    };
    for (const Row& r : rows) {
        EXPECT_EQ(valid_topic_filter(r.text), r.valid) << '"' << r.text << '"';
    }
}

TEST(TopicFilter, SharedSubscriptions) {
    const Row rows[] = {
        {"$share/group/a/b", true},
        {"$share/group/#", true},
        {"$share/g/+/x", true},
        {"$share/g//", true},
        {"$share/g/$share/x", true},  // the inner "$share" is just a level
        {"$share", true},              // no slash: an ordinary one-level filter
        {"$shared/g/t", true},         // not the prefix
        {"$share/", false},
        {"$share/group", false},       // [MQTT-4.8.2-1] needs a filter after the name
        {"$share/group/", false},
        {"$share//t", false},          // empty share name
        {"$share/gr+oup/t", false},    // [MQTT-4.8.2-2]
        {"$share/+/t", false},
        {"$share/#/t", false},
        {"$share/g/a#", false},
        {"$share/g/a/#/b", false},
    };
    for (const Row& r : rows) {
        EXPECT_EQ(valid_topic_filter(r.text), r.valid) << '"' << r.text << '"';
    }
}

}  // namespace
}  // namespace sy::mqtt

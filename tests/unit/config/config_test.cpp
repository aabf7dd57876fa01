#include "core/config/config.hpp"

#include <gtest/gtest.h>

namespace sy::core {
namespace {

TEST(Config, EmptyFileGivesDefaults) {
    auto c = parse_config("", "test");
    ASSERT_TRUE(c) << c.error();
    EXPECT_EQ(c->listeners.bind, "127.0.0.1");
    EXPECT_EQ(c->listeners.mqtt_port, 1883);
    EXPECT_EQ(c->listeners.amqp_port, 5672);
    EXPECT_EQ(c->listeners.stomp_port, 61613);
    EXPECT_EQ(c->listeners.http_port, 8080);
    EXPECT_EQ(c->storage.data_dir, "./data");
}

TEST(Config, ReadsEverySection) {
    auto c = parse_config(R"(
[listeners]
bind = "0.0.0.0"
mqtt_port = 11883
http_port = 0
[storage]
data_dir = "/var/lib/sy"
[mqtt]
max_packet_size = 1024
max_inflight = 5
sys_interval = 0
allow_zero_length_clientid = false
[log]
level = "debug"
)", "test");
    ASSERT_TRUE(c) << c.error();
    EXPECT_EQ(c->listeners.bind, "0.0.0.0");
    EXPECT_EQ(c->listeners.mqtt_port, 11883);
    EXPECT_EQ(c->listeners.http_port, 0);
    EXPECT_EQ(c->storage.data_dir, "/var/lib/sy");
    EXPECT_EQ(c->mqtt.max_packet_size, 1024u);
    EXPECT_EQ(c->mqtt.max_inflight, 5);
    EXPECT_EQ(c->mqtt.sys_interval, 0u);
    EXPECT_FALSE(c->mqtt.allow_zero_length_clientid);
    EXPECT_EQ(c->log.level, "debug");
}

TEST(Config, RejectsUnknownKeysAndSections) {
    auto a = parse_config("[mqtt]\nmax_inflght = 3\n", "test");
    ASSERT_FALSE(a);
    EXPECT_NE(a.error().find("mqtt.max_inflght"), std::string::npos) << a.error();
    auto b = parse_config("[nosuch]\n", "test");
    ASSERT_FALSE(b);
    EXPECT_NE(b.error().find("nosuch"), std::string::npos);
}

TEST(Config, RejectsWrongTypesAndRanges) {
    EXPECT_FALSE(parse_config("[listeners]\nmqtt_port = \"x\"\n", "t"));
    EXPECT_FALSE(parse_config("[listeners]\nmqtt_port = 70000\n", "t"));
    EXPECT_FALSE(parse_config("[listeners]\nmqtt_port = -1\n", "t"));
    EXPECT_FALSE(parse_config("[mqtt]\nmax_inflight = 0\n", "t"));
    EXPECT_FALSE(parse_config("[log]\nlevel = \"loud\"\n", "t"));
    EXPECT_FALSE(parse_config("[storage]\nsync = \"sometimes\"\n", "t"));
    EXPECT_FALSE(parse_config("[listeners]\nmqtt_port = 9000\namqp_port = 9000\n", "t"));
}

TEST(Config, SyntaxErrorIsOneLineWithPosition) {
    auto c = parse_config("[mqtt\n", "file.toml");
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().find('\n'), std::string::npos);
    EXPECT_EQ(c.error().rfind("file.toml:", 0), 0u) << c.error();
}

TEST(Config, ShippedExampleParses) {
    auto c = load_config_file(SY_SOURCE_DIR "/etc/switchyard.toml");
    ASSERT_TRUE(c) << c.error();
    EXPECT_EQ(c->listeners.mqtt_port, 1883);
    EXPECT_EQ(c->storage.queue_memory_limit, Config{}.storage.queue_memory_limit);
}

TEST(Config, QueueMemoryLimit) {
    EXPECT_EQ(Config{}.storage.queue_memory_limit, 10000u);
    auto c = parse_config("[storage]\nqueue_memory_limit = 250\n", "t");
    ASSERT_TRUE(c) << c.error();
    EXPECT_EQ(c->storage.queue_memory_limit, 250u);
    auto off = parse_config("[storage]\nqueue_memory_limit = 0\n", "t");
    ASSERT_TRUE(off) << off.error();
    EXPECT_EQ(off->storage.queue_memory_limit, 0u);
    auto bad = parse_config("[storage]\nqueue_memory_limit = -5\n", "t");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().find("storage.queue_memory_limit"), std::string::npos) << bad.error();
    EXPECT_FALSE(parse_config("[storage]\nqueue_memory_limit = \"lots\"\n", "t"));
}

}  // namespace
}  // namespace sy::core

#include "protocols/transport/ws_routes.hpp"

#include <gtest/gtest.h>

namespace sy::transport {
namespace {

WsRoutes stomp_and_mqtt() {
    WsRoutes r;
    EXPECT_EQ(r.add("/ws", {"v12.stomp", "v11.stomp", "v10.stomp"}).value_or(99), 0u);
    EXPECT_EQ(r.add("/mqtt", {"mqtt", "mqttv3.1"}).value_or(99), 1u);
    return r;
}

TEST(WsRoutes, MatchesPathAndSubprotocol) {
    const WsRoutes r = stomp_and_mqtt();
    EXPECT_EQ(r.match("/ws", "v12.stomp"), 0u);
    EXPECT_EQ(r.match("/ws", "v10.stomp"), 0u);
    EXPECT_EQ(r.match("/mqtt", "mqtt"), 1u);
    EXPECT_EQ(r.match("/mqtt", "mqttv3.1"), 1u);
}

TEST(WsRoutes, NoSubprotocolIsAcceptedOnEveryPath) {
    const WsRoutes r = stomp_and_mqtt();
    EXPECT_EQ(r.match("/ws", ""), 0u);
    EXPECT_EQ(r.match("/mqtt", ""), 1u);
}

TEST(WsRoutes, SubprotocolOfAnotherEndpointIsRefused) {
    // lws binds by name whatever the path: "mqtt" at /ws must not reach the STOMP endpoint.
    const WsRoutes r = stomp_and_mqtt();
    EXPECT_FALSE(r.match("/ws", "mqtt"));
    EXPECT_FALSE(r.match("/mqtt", "v12.stomp"));
    EXPECT_FALSE(r.match("/mqtt", "MQTT")) << "subprotocol names are case-sensitive";
}

TEST(WsRoutes, UnknownPathIsRefused) {
    const WsRoutes r = stomp_and_mqtt();
    EXPECT_FALSE(r.match("/", "mqtt"));
    EXPECT_FALSE(r.match("/mqtt/", "mqtt"));
    EXPECT_FALSE(r.match("/MQTT", "mqtt"));
    EXPECT_FALSE(r.match("/wss", ""));
    EXPECT_FALSE(r.match("", ""));
}

TEST(WsRoutes, QueryStringIsIgnored) {
    const WsRoutes r = stomp_and_mqtt();
    EXPECT_EQ(r.match("/mqtt?token=abc", "mqtt"), 1u);
    EXPECT_EQ(r.match("/ws?", ""), 0u);
    EXPECT_FALSE(r.match("/nope?/ws", ""));
}

TEST(WsRoutes, SubprotocolNamesAreListedOnceInOrder) {
    WsRoutes r;
    ASSERT_TRUE(r.add("/a", {"x", "y"}));
    ASSERT_TRUE(r.add("/b", {"y", "z"}));
    EXPECT_EQ(r.subprotocol_names(), (std::vector<std::string>{"x", "y", "z"}));
    // A name shared by two endpoints: the path decides.
    EXPECT_EQ(r.match("/a", "y"), 0u);
    EXPECT_EQ(r.match("/b", "y"), 1u);
    EXPECT_FALSE(r.match("/a", "z"));
}

TEST(WsRoutes, BadEndpointsAreErrors) {
    WsRoutes r;
    ASSERT_TRUE(r.add("/mqtt", {"mqtt"}));
    EXPECT_FALSE(r.add("/mqtt", {"other"})) << "path taken";
    EXPECT_FALSE(r.add("mqtt", {"mqtt"})) << "no leading slash";
    EXPECT_FALSE(r.add("", {"mqtt"}));
    EXPECT_FALSE(r.add("/q?x=1", {"mqtt"}));
    EXPECT_FALSE(r.add("/none", {}));
    EXPECT_FALSE(r.add("/bad", {"has space"}));
    EXPECT_FALSE(r.add("/bad", {"a,b"}));
    EXPECT_FALSE(r.add("/bad", {""}));
    EXPECT_EQ(r.size(), 1u);
    EXPECT_EQ(r.subprotocol_names(), (std::vector<std::string>{"mqtt"}));
}

TEST(WsRoutes, SubprotocolTokens) {
    EXPECT_TRUE(is_subprotocol_token("v12.stomp"));
    EXPECT_TRUE(is_subprotocol_token("mqttv3.1"));
    EXPECT_TRUE(is_subprotocol_token("a!#$%&'*+-.^_`|~0Z"));
    EXPECT_FALSE(is_subprotocol_token(""));
    EXPECT_FALSE(is_subprotocol_token("a/b"));
    EXPECT_FALSE(is_subprotocol_token("a;b"));
    EXPECT_FALSE(is_subprotocol_token("\"q\""));
    EXPECT_FALSE(is_subprotocol_token("caf\xc3\xa9"));
}

}  // namespace
}  // namespace sy::transport

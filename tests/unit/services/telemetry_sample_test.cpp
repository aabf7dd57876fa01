#include "services/telemetry_sample.hpp"

#include <gtest/gtest.h>

namespace sy::services {
namespace {

TEST(TelemetrySample, PlainObject) {
    auto s = parse_telemetry(R"({"temp": 21.5, "hum": 40, "ts": 1700000000, "fw": "1.2"})", "dev1");
    ASSERT_TRUE(s) << s.error();
    ASSERT_EQ(s->size(), 2u);
    for (const auto& x : *s) {
        EXPECT_EQ(x.device, "dev1");
        EXPECT_EQ(x.time_s, 1700000000);
    }
}

TEST(TelemetrySample, SenmlWithBaseFields) {
    auto s = parse_telemetry(
        R"([{"bn":"urn:dev:dev7:","bt":1700000000,"bu":"Cel","n":"temp","v":20.1},
            {"n":"temp","t":10,"v":20.4},{"n":"hum","u":"%RH","v":41}])",
        "ignored");
    ASSERT_TRUE(s) << s.error();
    ASSERT_EQ(s->size(), 3u);
    EXPECT_EQ((*s)[0].device, "urn:dev:dev7");
    EXPECT_EQ((*s)[0].metric, "temp");
    EXPECT_EQ((*s)[1].time_s, 1700000010);
    EXPECT_EQ((*s)[0].unit, "Cel");
    EXPECT_EQ((*s)[2].unit, "%RH");
}

TEST(TelemetrySample, SenmlWithoutBaseNameUsesTopicDevice) {
    auto s = parse_telemetry(R"([{"n":"temp","v":1}])", "dev9");
    ASSERT_TRUE(s);
    EXPECT_EQ((*s)[0].device, "dev9");
}

TEST(TelemetrySample, BareNumber) {
    auto s = parse_telemetry("42.5", "d");
    ASSERT_TRUE(s);
    EXPECT_EQ((*s)[0].value, 42.5);
}

TEST(TelemetrySample, Rejects) {
    EXPECT_FALSE(parse_telemetry("not json", "d"));
    EXPECT_FALSE(parse_telemetry(R"({"fw":"1.0"})", "d"));
    EXPECT_FALSE(parse_telemetry(R"([{"n":"t","v":"x"}])", "d"));
    EXPECT_FALSE(parse_telemetry(R"("str")", "d"));
}

TEST(TelemetrySample, DeviceFromTopic) {
    EXPECT_EQ(device_from_topic("telemetry/dev42/temp"), "dev42");
    EXPECT_EQ(device_from_topic("telemetry/dev42"), "dev42");
    EXPECT_EQ(device_from_topic("solo"), "solo");
}

}  // namespace
}  // namespace sy::services

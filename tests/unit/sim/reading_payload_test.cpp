// The payloads the fleet publishes must be ones the gateway's telemetry services understand:
// feed them to the services' own parser.
#include "firmware-sim/reading_payload.hpp"

#include "firmware-sim/fault_model.hpp"
#include "firmware-sim/sensor_model.hpp"
#include "services/telemetry_sample.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace sy::sim {
namespace {

const services::Sample* find(const std::vector<services::Sample>& samples, const char* metric) {
    for (const auto& s : samples) {
        if (s.metric == metric) return &s;
    }
    return nullptr;
}

TEST(ReadingPayload, JsonShape) {
    const Reading r{21.534, 44.2, 97.456, 1700000000.1234};
    EXPECT_EQ(encode_reading(r, PayloadFormat::Json, "dev-1"),
              R"({"temp":21.53,"hum":44.2,"battery":97.46,"ts":1700000000.123})");
}

TEST(ReadingPayload, SenmlShape) {
    const Reading r{21.5, 44.25, 97.0, 1700000000.5};
    auto doc = nlohmann::json::parse(encode_reading(r, PayloadFormat::Senml, "dev-1"));
    ASSERT_TRUE(doc.is_array());
    ASSERT_EQ(doc.size(), 3u);
    EXPECT_EQ(doc[0]["bn"], "urn:dev:dev-1:");
    EXPECT_EQ(doc[0]["bt"], 1700000000.5);
    EXPECT_EQ(doc[0]["u"], "Cel");
    EXPECT_EQ(doc[1]["n"], "hum");
    EXPECT_EQ(doc[1]["u"], "%RH");
    EXPECT_EQ(doc[2]["u"], "%EL");
}

TEST(ReadingPayload, ServicesParseTheJsonForm) {
    const Reading r{21.53, 44.2, 97.5, 1700000000.25};
    auto samples =
        services::parse_telemetry(encode_reading(r, PayloadFormat::Json, "dev-7"), "dev-7");
    ASSERT_TRUE(samples) << samples.error();
    ASSERT_EQ(samples->size(), 3u);
    for (const char* metric : {"temp", "hum", "battery"}) {
        const services::Sample* s = find(*samples, metric);
        ASSERT_NE(s, nullptr) << metric;
        EXPECT_EQ(s->device, "dev-7");
        EXPECT_EQ(s->time_s, 1700000000.25);
    }
    EXPECT_EQ(find(*samples, "temp")->value, 21.53);
    EXPECT_EQ(find(*samples, "battery")->value, 97.5);
}

TEST(ReadingPayload, ServicesParseTheSenmlForm) {
    const Reading r{-3.5, 80, 12.25, 1700000100};
    auto samples =
        services::parse_telemetry(encode_reading(r, PayloadFormat::Senml, "dev-7"), "dev-7");
    ASSERT_TRUE(samples) << samples.error();
    ASSERT_EQ(samples->size(), 3u);
    const services::Sample* temp = find(*samples, "temp");
    ASSERT_NE(temp, nullptr);
    EXPECT_EQ(temp->value, -3.5);
    EXPECT_EQ(temp->unit, "Cel");
    EXPECT_EQ(temp->time_s, 1700000100);
    // The services name a SenML device by its base name, trailing separator removed.
    EXPECT_EQ(temp->device, "urn:dev:dev-7");
    EXPECT_EQ(find(*samples, "hum")->unit, "%RH");
    EXPECT_EQ(find(*samples, "battery")->value, 12.25);
}

// Whatever a faulty sensor model produces (spikes, stuck values, a flat battery) still parses.
TEST(ReadingPayload, EverythingTheModelsProduceParses) {
    SensorParams sp;
    sp.battery_drain_pct_per_h = 50;
    FaultParams fp;
    fp.stuck_probability = 0.05;
    fp.spike_probability = 0.05;
    fp.dropout_probability = 0.05;
    SensorModel sensors(sp, 3, 1700000000);
    FaultModel faults(fp, 3);
    int parsed = 0;
    for (int i = 0; i < 500; ++i) {
        auto reading = faults.apply(sensors.sample(1700000000 + i * 60.0));
        if (!reading) continue;
        for (PayloadFormat f : {PayloadFormat::Json, PayloadFormat::Senml}) {
            auto samples = services::parse_telemetry(encode_reading(*reading, f, "d"), "d");
            ASSERT_TRUE(samples) << samples.error();
            EXPECT_EQ(samples->size(), 3u);
            ++parsed;
        }
    }
    EXPECT_GT(parsed, 800);
}

TEST(ReadingPayload, FormatNames) {
    EXPECT_EQ(payload_format_from("senml"), PayloadFormat::Senml);
    EXPECT_EQ(payload_format_from("json"), PayloadFormat::Json);
    EXPECT_FALSE(payload_format_from("cbor"));
    EXPECT_EQ(to_string(PayloadFormat::Senml), "senml");
}

}  // namespace
}  // namespace sy::sim

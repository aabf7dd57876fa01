#include "firmware-sim/scenario.hpp"

#include "firmware-sim/device_identity.hpp"

#include <gtest/gtest.h>

namespace sy::sim {
namespace {

TEST(Scenario, EmptyFileGivesTheDefaults) {
    auto sc = parse_scenario("", "empty.toml");
    ASSERT_TRUE(sc) << sc.error();
    EXPECT_EQ(sc->broker.host, "127.0.0.1");
    EXPECT_EQ(sc->broker.port, 1883);
    EXPECT_EQ(sc->broker.mqtt_version, 3);
    EXPECT_EQ(sc->fleet.devices, 10u);
    EXPECT_EQ(sc->publish.interval, std::chrono::milliseconds(5000));
    EXPECT_EQ(sc->publish.format, PayloadFormat::Json);
    EXPECT_FALSE(sc->tls.enabled);
}

TEST(Scenario, ReadsEverySection) {
    auto sc = parse_scenario(R"(
[broker]
host = "broker.local"
port = 8883
mqtt_version = 5
keepalive_s = 15
clean_session = false
[tls]
enabled = true
ca_file = "ca.pem"
cert_file = "certs/{id}.crt"
key_file = "certs/{id}.key"
verify_server = false
[fleet]
devices = 200
id_prefix = "plant-"
username = "{id}"
password = "pw-{n}"
connect_rate = 100
duration_s = 20
seed = 9
[publish]
interval_ms = 1000
jitter = 0.2
qos = 1
format = "senml"
offline_buffer = 50
[sensors]
temp_mean_c = 30
day_length_s = 60
[faults]
spike_probability = 0.5
spike_magnitude_c = 20.5
)",
                             "full.toml");
    ASSERT_TRUE(sc) << sc.error();
    EXPECT_EQ(sc->broker.host, "broker.local");
    EXPECT_EQ(sc->broker.port, 8883);
    EXPECT_EQ(sc->broker.mqtt_version, 5);
    EXPECT_EQ(sc->broker.keepalive, std::chrono::seconds(15));
    EXPECT_FALSE(sc->broker.clean_session);
    EXPECT_TRUE(sc->tls.enabled);
    EXPECT_FALSE(sc->tls.verify_server);
    EXPECT_EQ(sc->fleet.devices, 200u);
    EXPECT_EQ(sc->fleet.connect_rate, 100);
    EXPECT_EQ(sc->fleet.seed, 9u);
    EXPECT_EQ(sc->publish.qos, 1);
    EXPECT_EQ(sc->publish.jitter, 0.2);
    EXPECT_EQ(sc->publish.format, PayloadFormat::Senml);
    EXPECT_EQ(sc->publish.offline_buffer, 50u);
    EXPECT_EQ(sc->sensors.temp_mean_c, 30);  // an integer where a float goes
    EXPECT_EQ(sc->sensors.day_length_s, 60);
    EXPECT_EQ(sc->faults.spike_magnitude_c, 20.5);

    DeviceIdentity d = make_identity(*sc, 7);
    EXPECT_EQ(d.id, "plant-007");
    EXPECT_EQ(d.username, "plant-007");
    EXPECT_EQ(d.password, "pw-7");
    EXPECT_EQ(d.cert_file, "certs/plant-007.crt");
}

struct BadCase {
    const char* text;
    const char* message_part;
};

TEST(Scenario, RefusesMistakesWithAReason) {
    const BadCase cases[] = {
        {"[fleet]\ndevicez = 3\n", "unknown setting 'fleet.devicez'"},
        {"[fleets]\n", "unknown section 'fleets'"},
        {"fleet = 3\n", "'fleet' must be a table"},
        {"[fleet]\ndevices = 0\n", "'fleet.devices' must be an integer from 1"},
        {"[fleet]\ndevices = 2.5\n", "'fleet.devices' must be an integer"},
        {"[broker]\nport = 70000\n", "'broker.port'"},
        {"[broker]\nmqtt_version = 4\n", "'broker.mqtt_version' must be 3 (3.1.1) or 5"},
        {"[broker]\nhost = 5\n", "'broker.host' must be a string"},
        {"[publish]\nformat = \"xml\"\n", "'publish.format' must be \"json\" or \"senml\""},
        {"[publish]\ninterval_ms = 10\n", "'publish.interval_ms'"},
        {"[publish]\njitter = 1.5\n", "'publish.jitter' must be a number from 0 to 0.9"},
        {"[faults]\nstuck_probability = 0.6\nspike_probability = 0.6\n", "add up to more than 1"},
        {"[tls]\nenabled = true\ncert_file = \"a.crt\"\n", "go together"},
        {"[tls]\nca_file = \"ca.pem\"\n", "'tls.enabled' is false"},
        {"[fleet]\nid_prefix = \"a/b\"\n", "'fleet.id_prefix' must not contain"},
        {"[fleet]\nreconnect_min_ms = 5000\nreconnect_max_ms = 1000\n", "reconnect_max_ms"},
        {"[broker\n", "bad.toml:1:"},
    };
    for (const BadCase& c : cases) {
        auto sc = parse_scenario(c.text, "bad.toml");
        ASSERT_FALSE(sc) << c.text;
        EXPECT_NE(sc.error().find(c.message_part), std::string::npos)
            << "for:\n"
            << c.text << "got: " << sc.error();
    }
}

TEST(Scenario, TheDemoFileLoads) {
    auto sc = load_scenario_file(std::string(SY_SOURCE_DIR) + "/etc/sim-demo.toml");
    ASSERT_TRUE(sc) << sc.error();
    EXPECT_EQ(sc->fleet.devices, 20u);
    EXPECT_EQ(sc->publish.interval, std::chrono::milliseconds(2000));
    EXPECT_EQ(sc->fleet.id_prefix, "demo-");
}

TEST(Scenario, MissingFile) {
    auto sc = load_scenario_file("/nonexistent/scenario.toml");
    ASSERT_FALSE(sc);
    EXPECT_NE(sc.error().find("cannot read"), std::string::npos);
}

TEST(DeviceIdentity, IdsArePaddedToTheFleetSize) {
    EXPECT_EQ(device_id("d-", 5, 20), "d-005");
    EXPECT_EQ(device_id("d-", 5, 1000), "d-005");
    EXPECT_EQ(device_id("d-", 5, 1001), "d-0005");
    EXPECT_EQ(device_id("d-", 12345, 100000), "d-12345");
    EXPECT_EQ(device_id("", 0, 1), "000");
}

TEST(DeviceIdentity, PatternsExpand) {
    EXPECT_EQ(expand_pattern("{id}/{n}/{id}", "x", 4), "x/4/x");
    EXPECT_EQ(expand_pattern("plain", "x", 4), "plain");
    EXPECT_EQ(expand_pattern("{i}{", "x", 4), "{i}{");
    EXPECT_EQ(expand_pattern("", "x", 4), "");
}

}  // namespace
}  // namespace sy::sim

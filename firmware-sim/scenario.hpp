#pragma once
// A fleet scenario: which broker, how many devices and how they behave. Read from a TOML file
// (etc/sim-demo.toml documents every key); command-line flags override some keys afterwards.
// Unknown keys are errors, as in the gateway's own config.

#include "firmware-sim/fault_model.hpp"
#include "firmware-sim/reading_payload.hpp"
#include "firmware-sim/sensor_model.hpp"

#include <chrono>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace sy::sim {

struct BrokerSettings {
    std::string host = "127.0.0.1";
    std::uint16_t port = 1883;
    int mqtt_version = 3;  // 3: MQTT 3.1.1, 5: MQTT 5.0
    std::chrono::seconds keepalive{30};
    bool clean_session = true;
    std::chrono::seconds connect_timeout{10};
};

struct TlsSettings {
    bool enabled = false;
    std::string ca_file;    // trust anchors for the broker's certificate; empty: system default
    std::string cert_file;  // client certificate (PEM), "{id}" and "{n}" expand per device
    std::string key_file;   // its private key (PEM), same expansion
    bool verify_server = true;
};

struct FleetSettings {
    std::uint32_t devices = 10;
    std::string id_prefix = "sim-";
    std::string username;  // "{id}" and "{n}" expand per device; empty: none sent
    std::string password;
    double connect_rate = 500;  // devices that boot per second at the start
    double duration_s = 60;
    std::uint64_t seed = 1;
    std::chrono::milliseconds reconnect_min{500};
    std::chrono::milliseconds reconnect_max{30'000};
};

struct PublishSettings {
    std::chrono::milliseconds interval{5000};
    double jitter = 0.1;  // each interval is stretched or shrunk by up to this fraction
    int qos = 0;
    PayloadFormat format = PayloadFormat::Json;
    std::uint32_t offline_buffer = 1000;  // readings kept per device while disconnected
};

struct Scenario {
    BrokerSettings broker;
    TlsSettings tls;
    FleetSettings fleet;
    PublishSettings publish;
    SensorParams sensors;
    FaultParams faults;
};

// `source` names the text in error messages ("demo.toml:12: ...").
std::expected<Scenario, std::string> parse_scenario(std::string_view text,
                                                    const std::string& source);
std::expected<Scenario, std::string> load_scenario_file(const std::string& path);

// What makes the scenario unusable as a whole (checked again after command-line overrides).
std::optional<std::string> find_problem(const Scenario& scenario);

}  // namespace sy::sim

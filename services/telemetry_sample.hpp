#pragma once
// Turns a device's telemetry payload into samples the built-in services (telemetry storage,
// analytics, alerts) work on. Two payload shapes are accepted, the ones the firmware
// simulator and most IoT firmware send: a plain JSON object of numeric readings
// ({"temp": 21.5, "hum": 40, "ts": 1700000000}) and SenML (RFC 8428) records.

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sy::services {

struct Sample {
    std::string device;  // from the topic or the SenML base name
    std::string metric;  // "temp", "hum", ...
    double value = 0;
    std::optional<std::string> unit;
    double time_s = 0;   // UNIX seconds; 0 when the payload had none (the caller stamps it)
};

// device_from_topic is what the topic says (e.g. "dev42" from "telemetry/dev42").
std::expected<std::vector<Sample>, std::string> parse_telemetry(std::string_view payload,
                                                                std::string_view device_from_topic);

// The device id in a topic shaped like "<prefix>/<device>[/<metric>]": the second level.
std::string device_from_topic(std::string_view topic);

}  // namespace sy::services

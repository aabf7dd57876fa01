#pragma once
// A reading as the bytes a device publishes on telemetry/<id>: a plain JSON object or SenML
// (RFC 8428). services/telemetry_sample.hpp parses both.

#include "firmware-sim/reading.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace sy::sim {

enum class PayloadFormat {
    Json,   // {"temp":21.53,"hum":44.2,"battery":97.5,"ts":1700000000.123}
    Senml,  // [{"bn":"urn:dev:<id>:","bt":1700000000.123,"n":"temp","u":"Cel","v":21.53},...]
};

std::string_view to_string(PayloadFormat format) noexcept;
// "json" or "senml"; empty for anything else.
std::optional<PayloadFormat> payload_format_from(std::string_view name) noexcept;

std::string encode_reading(const Reading& reading, PayloadFormat format,
                           std::string_view device_id);

}  // namespace sy::sim

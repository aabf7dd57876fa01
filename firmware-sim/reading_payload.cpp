#include "firmware-sim/reading_payload.hpp"

#include <nlohmann/json.hpp>

#include <cmath>

namespace sy::sim {
namespace {

// Sensors have finite resolution; two decimals keep payloads short and readable. The JSON
// writer prints the shortest text that reads back as the same double, so 21.53 stays "21.53".
// Dividing by the scale (not multiplying by a step) gives the double nearest the decimal.
double round_to(double value, double scale) {
    return std::round(value * scale) / scale;
}

std::string encode_json(const Reading& r) {
    nlohmann::ordered_json doc;
    doc["temp"] = round_to(r.temp_c, 100);
    doc["hum"] = round_to(r.hum_pct, 100);
    doc["battery"] = round_to(r.battery_pct, 100);
    doc["ts"] = round_to(r.time_s, 1000);
    return doc.dump();
}

// Units from the SenML registry: Cel, %RH and %EL (remaining battery energy level, RFC 8798).
std::string encode_senml(const Reading& r, std::string_view device_id) {
    nlohmann::ordered_json first;
    first["bn"] = "urn:dev:" + std::string(device_id) + ":";
    first["bt"] = round_to(r.time_s, 1000);
    first["n"] = "temp";
    first["u"] = "Cel";
    first["v"] = round_to(r.temp_c, 100);
    nlohmann::ordered_json hum;
    hum["n"] = "hum";
    hum["u"] = "%RH";
    hum["v"] = round_to(r.hum_pct, 100);
    nlohmann::ordered_json battery;
    battery["n"] = "battery";
    battery["u"] = "%EL";
    battery["v"] = round_to(r.battery_pct, 100);
    return nlohmann::ordered_json::array({first, hum, battery}).dump();
}

}  // namespace

std::string_view to_string(PayloadFormat format) noexcept {
    return format == PayloadFormat::Senml ? "senml" : "json";
}

std::optional<PayloadFormat> payload_format_from(std::string_view name) noexcept {
    if (name == "json") return PayloadFormat::Json;
    if (name == "senml") return PayloadFormat::Senml;
    return std::nullopt;
}

std::string encode_reading(const Reading& reading, PayloadFormat format,
                           std::string_view device_id) {
    return format == PayloadFormat::Senml ? encode_senml(reading, device_id) : encode_json(reading);
}

}  // namespace sy::sim

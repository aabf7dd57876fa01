#include "firmware-sim/device_command.hpp"

#include <nlohmann/json.hpp>

#include <cmath>

namespace sy::sim {
namespace {

using json = nlohmann::json;
using Fail = std::unexpected<std::string>;

std::expected<json, std::string> body_object(std::string_view body) {
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return json::object();
    json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return Fail("body is not JSON");
    if (!doc.is_object()) return Fail("body is not a JSON object");
    return doc;
}

// A number field within [low, high]; `fallback` when absent.
std::expected<double, std::string> number_field(const json& doc, const char* key,
                                                std::optional<double> fallback, double low,
                                                double high) {
    auto it = doc.find(key);
    if (it == doc.end()) {
        if (fallback) return *fallback;
        return Fail(std::string("missing \"") + key + "\"");
    }
    if (!it->is_number()) return Fail(std::string("\"") + key + "\" must be a number");
    const double v = it->get<double>();
    if (!std::isfinite(v) || v < low || v > high) {
        return Fail(std::string("\"") + key + "\" must be from " + json(low).dump() + " to " +
                    json(high).dump());
    }
    return v;
}

std::expected<DeviceCommand, std::string> parse_interval(const json& doc) {
    auto ms =
        number_field(doc, "interval_ms", std::nullopt, static_cast<double>(kMinInterval.count()),
                     static_cast<double>(kMaxInterval.count()));
    if (!ms) return Fail(ms.error());
    return SetInterval{std::chrono::milliseconds(std::llround(*ms))};
}

std::expected<DeviceCommand, std::string> parse_fault(const json& doc) {
    auto it = doc.find("kind");
    if (it == doc.end() || !it->is_string()) {
        return Fail("\"kind\" must be one of none, stuck, spike, dropout");
    }
    auto kind = fault_kind_from(it->get<std::string>());
    if (!kind) return Fail("\"kind\" must be one of none, stuck, spike, dropout");
    auto duration = number_field(doc, "duration_s", 60.0, 0, kMaxFaultSeconds);
    if (!duration) return Fail(duration.error());
    return SetFault{*kind, *duration};
}

std::expected<DeviceCommand, std::string> parse_firmware(const json& doc) {
    auto it = doc.find("version");
    if (it == doc.end() || !it->is_string() || it->get<std::string>().empty() ||
        it->get<std::string>().size() > 32) {
        return Fail("\"version\" must be a string of 1 to 32 characters");
    }
    auto duration = number_field(doc, "duration_s", 10.0, 0, kMaxUpdateSeconds);
    if (!duration) return Fail(duration.error());
    auto steps = number_field(doc, "steps", 5.0, 1, kMaxUpdateSteps);
    if (!steps) return Fail(steps.error());
    return StartFirmwareUpdate{it->get<std::string>(), *duration,
                               static_cast<int>(std::lround(*steps))};
}

std::string id_text(const json& doc) {
    auto it = doc.find("id");
    if (it == doc.end() || !(it->is_string() || it->is_number())) return {};
    return it->dump();
}

}  // namespace

std::optional<std::string_view> command_name_of(std::string_view topic,
                                                std::string_view device_id) noexcept {
    constexpr std::string_view kPrefix = "cmd/";
    if (!topic.starts_with(kPrefix)) return std::nullopt;
    topic.remove_prefix(kPrefix.size());
    if (!topic.starts_with(device_id) || topic.size() <= device_id.size() ||
        topic[device_id.size()] != '/') {
        return std::nullopt;
    }
    std::string_view name = topic.substr(device_id.size() + 1);
    if (name.empty() || name.find('/') != std::string_view::npos || name == kReplyName) {
        return std::nullopt;
    }
    return name;
}

std::expected<ParsedCommand, std::string> parse_command(std::string_view name,
                                                        std::string_view body) {
    auto doc = body_object(body);
    if (!doc) return Fail(doc.error());
    std::expected<DeviceCommand, std::string> command = Fail("unknown command");
    if (name == "interval") {
        command = parse_interval(*doc);
    } else if (name == "reboot") {
        command = Reboot{};
    } else if (name == "fault") {
        command = parse_fault(*doc);
    } else if (name == "firmware") {
        command = parse_firmware(*doc);
    }
    if (!command) return Fail(command.error());
    return ParsedCommand{std::move(*command), id_text(*doc)};
}

std::string request_id_of(std::string_view body) {
    auto doc = body_object(body);
    return doc ? id_text(*doc) : std::string();
}

}  // namespace sy::sim

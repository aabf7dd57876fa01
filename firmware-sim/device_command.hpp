#pragma once
// The commands a simulated device obeys. They arrive on cmd/<id>/<name> with a JSON object as
// body; replies go out on cmd/<id>/reply (or an MQTT 5 response topic). Pure parsing, no I/O.
//
//   name       body                                           effect
//   interval   {"interval_ms": 500}                           publish every 500 ms from now on
//   reboot     {} or empty                                    disconnect, reconnect with backoff
//   fault      {"kind": "stuck", "duration_s": 30}            stuck|spike|dropout|none (clears)
//   firmware   {"version": "2.0.0", "duration_s": 10,         simulated update: progress replies,
//               "steps": 5}                                   then a reboot into the new version
//
// A body may carry "id" (string or number); the reply echoes it, which lets MQTT 3.1.1 callers
// match replies to requests.

#include "firmware-sim/fault_model.hpp"

#include <chrono>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace sy::sim {

inline constexpr std::string_view kReplyName = "reply";

struct SetInterval {
    std::chrono::milliseconds interval{0};
};
struct Reboot {};
struct SetFault {
    FaultKind kind = FaultKind::None;
    double duration_s = 0;
};
struct StartFirmwareUpdate {
    std::string version;
    double duration_s = 10;
    int steps = 5;
};

using DeviceCommand = std::variant<SetInterval, Reboot, SetFault, StartFirmwareUpdate>;

// Bounds on what commands may ask for.
inline constexpr std::chrono::milliseconds kMinInterval{100};
inline constexpr std::chrono::milliseconds kMaxInterval{3'600'000};
inline constexpr double kMaxFaultSeconds = 86'400;
inline constexpr double kMaxUpdateSeconds = 3'600;
inline constexpr int kMaxUpdateSteps = 100;

// The command name in `topic` when it is a command for `device_id`: "cmd/<id>/<name>" gives
// "<name>". Empty for other devices' topics, for a name with further levels, and for the
// device's own reply topic (a device subscribed to cmd/<id>/# hears its replies too).
std::optional<std::string_view> command_name_of(std::string_view topic,
                                                std::string_view device_id) noexcept;

struct ParsedCommand {
    DeviceCommand command;
    std::string request_id;  // the body's "id" as JSON text ("7" or "\"abc\""), or empty
};

// Why the command cannot be obeyed, as the text for the reply's "error", on failure.
std::expected<ParsedCommand, std::string> parse_command(std::string_view name,
                                                        std::string_view body);

// The "id" of a body that parse_command() refused, so the error reply can still echo it.
std::string request_id_of(std::string_view body);

}  // namespace sy::sim

#pragma once
// What a device does with a command: parse it, change its settings, faults or update state,
// and say what to reply. The device sends the reply and carries out a reboot; everything here
// is pure so that tests can drive it without a broker.

#include "firmware-sim/fault_model.hpp"
#include "firmware-sim/firmware_update.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace sy::sim {

// The settings commands change; they survive a reboot, as if kept in flash.
struct DeviceSettings {
    std::chrono::milliseconds interval{5000};
    std::string firmware_version = "1.0.0";
};

struct CommandResult {
    std::string reply;  // JSON for cmd/<id>/reply: {"cmd":..,"ok":..,...}
    bool ok = false;
    bool reboot = false;  // disconnect now, reconnect after a backoff delay
    bool interval_changed = false;
};

struct DeviceParts {
    DeviceSettings& settings;
    FaultModel& faults;
    FirmwareUpdate& update;
};

CommandResult handle_command(std::string_view name, std::string_view body, double now_s,
                             DeviceParts device);

// A progress report of the running update, for the same reply route as its command.
std::string firmware_progress_reply(const FirmwareUpdate& update,
                                    const FirmwareUpdate::Progress& progress);

}  // namespace sy::sim

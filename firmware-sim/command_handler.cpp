#include "firmware-sim/command_handler.hpp"

#include <nlohmann/json.hpp>

#include <type_traits>

namespace sy::sim {
namespace {

using json = nlohmann::ordered_json;

json reply_head(std::string_view name, bool ok, const std::string& request_id) {
    json reply;
    reply["cmd"] = name;
    reply["ok"] = ok;
    // request_id is JSON text that parse_command() took from the body, so it parses.
    if (!request_id.empty()) reply["id"] = json::parse(request_id);
    return reply;
}

struct Applier {
    double now_s;
    DeviceParts& device;
    json& reply;
    CommandResult& result;

    void operator()(const SetInterval& c) {
        device.settings.interval = c.interval;
        result.interval_changed = true;
        reply["interval_ms"] = c.interval.count();
    }
    void operator()(const Reboot&) {
        device.update.cancel();
        result.reboot = true;
    }
    void operator()(const SetFault& c) {
        device.faults.force(c.kind, c.duration_s, now_s);
        reply["kind"] = to_string(c.kind);
        reply["duration_s"] = c.duration_s;
    }
    void operator()(const StartFirmwareUpdate&) {}  // handled before the visit: it may refuse
};

}  // namespace

CommandResult handle_command(std::string_view name, std::string_view body, double now_s,
                             DeviceParts device) {
    CommandResult result;
    auto parsed = parse_command(name, body);
    if (!parsed) {
        json reply = reply_head(name, false, request_id_of(body));
        reply["error"] = parsed.error();
        result.reply = reply.dump();
        return result;
    }
    if (const auto* update = std::get_if<StartFirmwareUpdate>(&parsed->command)) {
        const bool started = device.update.start(*update, parsed->request_id, now_s);
        json reply = reply_head(name, started, parsed->request_id);
        if (started) {
            reply["state"] = "accepted";
            reply["version"] = update->version;
            reply["progress"] = 0;
        } else {
            reply["error"] = "an update to " + device.update.version() + " is running";
        }
        result.ok = started;
        result.reply = reply.dump();
        return result;
    }
    json reply = reply_head(name, true, parsed->request_id);
    std::visit(Applier{now_s, device, reply, result}, parsed->command);
    result.ok = true;
    result.reply = reply.dump();
    return result;
}

std::string firmware_progress_reply(const FirmwareUpdate& update,
                                    const FirmwareUpdate::Progress& progress) {
    json reply = reply_head("firmware", true, update.request_id());
    reply["state"] = progress.done ? "installed" : "downloading";
    reply["version"] = update.version();
    reply["progress"] = progress.percent;
    return reply.dump();
}

}  // namespace sy::sim

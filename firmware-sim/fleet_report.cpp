#include "firmware-sim/fleet_report.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>

namespace sy::sim {

std::string progress_line(const FleetReport& r, double readings_per_s) {
    char line[320];
    std::snprintf(
        line, sizeof line,
        "fleet %.1f s: online %u/%u, readings %llu (%.1f/s), buffered %llu, "
        "commands %llu, reconnects %llu, errors %llu",
        r.elapsed_s, r.online, r.devices, static_cast<unsigned long long>(r.readings_sent),
        readings_per_s, static_cast<unsigned long long>(r.readings_pending),
        static_cast<unsigned long long>(r.commands_handled),
        static_cast<unsigned long long>(r.reconnects), static_cast<unsigned long long>(r.errors));
    return line;
}

std::string to_json_line(const FleetReport& r) {
    nlohmann::ordered_json j;
    j["devices"] = r.devices;
    j["online"] = r.online;
    j["ever_online"] = r.ever_online;
    j["readings_sent"] = r.readings_sent;
    j["readings_failed"] = r.readings_failed;
    j["readings_buffered"] = r.readings_buffered;
    j["readings_pending"] = r.readings_pending;
    j["readings_dropped"] = r.readings_dropped;
    j["readings_suppressed"] = r.readings_suppressed;
    j["commands_handled"] = r.commands_handled;
    j["commands_refused"] = r.commands_refused;
    j["reconnects"] = r.reconnects;
    j["connect_failures"] = r.connect_failures;
    j["connection_losses"] = r.connection_losses;
    j["faults_started"] = r.faults_started;
    j["errors"] = r.errors;
    j["elapsed_s"] = std::round(r.elapsed_s * 1000) / 1000;
    j["unfinished_stops"] = r.unfinished_stops;
    j["interrupted"] = r.interrupted;
    j["host"] = r.host;
    j["port"] = r.port;
    j["mqtt_version"] = r.mqtt_version;
    return j.dump();
}

}  // namespace sy::sim

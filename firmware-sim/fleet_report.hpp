#pragma once
// What a fleet run did: the periodic one-line progress and the final JSON line.

#include <cstdint>
#include <string>

namespace sy::sim {

struct FleetReport {
    std::uint32_t devices = 0;
    std::uint32_t online = 0;         // online when the run ended (before the clean stop)
    std::uint32_t ever_online = 0;    // devices that connected at least once
    std::uint64_t readings_sent = 0;  // acknowledged (QoS 1/2) or written (QoS 0)
    std::uint64_t readings_failed = 0;
    std::uint64_t readings_buffered = 0;  // taken offline and kept for a reconnect
    std::uint64_t readings_pending = 0;   // still in offline buffers at the end
    std::uint64_t readings_dropped = 0;
    std::uint64_t readings_suppressed = 0;
    std::uint64_t commands_handled = 0;
    std::uint64_t commands_refused = 0;
    std::uint64_t reconnects = 0;
    std::uint64_t connect_failures = 0;
    std::uint64_t connection_losses = 0;
    std::uint64_t faults_started = 0;
    std::uint64_t errors = 0;  // calls refused at once, failed subscribes, failed publishes
    double elapsed_s = 0;
    std::uint32_t unfinished_stops = 0;  // clean disconnects not done by the stop timeout
    bool interrupted = false;            // SIGINT/SIGTERM ended the run before its duration
    std::string host;
    std::uint16_t port = 0;
    int mqtt_version = 3;
};

// "fleet 10.0 s: online 200/200, readings 1990 (199.0/s), ..." for stdout while running.
std::string progress_line(const FleetReport& now, double readings_per_s);

// One JSON object, no newline.
std::string to_json_line(const FleetReport& report);

}  // namespace sy::sim

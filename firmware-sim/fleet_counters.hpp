#pragma once
// What the devices of a fleet did, counted on the fleet thread (publish outcomes are counted on
// Paho's threads, in LinkCounters).

#include <cstdint>

namespace sy::sim {

struct FleetCounters {
    std::uint64_t readings_taken = 0;       // samples that became a payload
    std::uint64_t readings_buffered = 0;    // taken while offline and kept for the reconnect
    std::uint64_t readings_dropped = 0;     // pushed out of a full offline buffer
    std::uint64_t readings_suppressed = 0;  // not published: a dropout fault was active
    std::uint64_t commands_handled = 0;     // obeyed and replied to
    std::uint64_t commands_refused = 0;     // replied to with "ok": false
    std::uint64_t reconnects = 0;           // connections after a device's first
    std::uint64_t connect_failures = 0;
    std::uint64_t connection_losses = 0;  // connections that dropped without our asking
    std::uint64_t errors = 0;             // client calls refused at once, failed subscribes
};

}  // namespace sy::sim

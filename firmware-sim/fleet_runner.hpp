#pragma once
// Runs a fleet: boots the devices at the scenario's connect rate, drives them from one thread
// (their connections' events and their timers), prints a progress line now and then, and at
// the end (duration over, or SIGINT/SIGTERM) stops every device cleanly and reports.

#include "firmware-sim/fleet_report.hpp"
#include "firmware-sim/scenario.hpp"

#include <chrono>
#include <cstdio>
#include <functional>

namespace sy::sim {

struct FleetRunOptions {
    std::chrono::milliseconds progress_interval{5000};  // 0: no progress lines
    std::chrono::milliseconds stop_timeout{30'000};     // for the clean disconnects at the end
    std::FILE* errors = stderr;                         // where problems are reported
};

class FleetRunner {
public:
    FleetRunner(const Scenario& scenario, FleetRunOptions options);

    // Runs until the scenario's duration is over or `stop` returns true (polled a few times a
    // second). Progress lines go to `out`.
    FleetReport run(const std::function<bool()>& stop, std::FILE* out);

private:
    Scenario scenario_;
    FleetRunOptions options_;
};

}  // namespace sy::sim

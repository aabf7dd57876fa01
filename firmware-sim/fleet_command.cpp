#include "firmware-sim/fleet_command.hpp"

#include "firmware-sim/fd_limit.hpp"
#include "firmware-sim/fleet_runner.hpp"
#include "firmware-sim/scenario.hpp"
#include "firmware-sim/stop_signal.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

namespace sy::sim {
namespace {

struct FleetArgs {
    std::string scenario_file;
    std::optional<std::string> host;
    std::optional<std::uint16_t> port;
    std::optional<std::uint32_t> devices;
    std::optional<double> duration_s;
    std::optional<std::uint32_t> interval_ms;
    std::optional<int> mqtt_version;
    double progress_s = 5;
    double stop_timeout_s = 30;
};

void apply_overrides(const FleetArgs& a, Scenario& sc) {
    if (a.host) sc.broker.host = *a.host;
    if (a.port) sc.broker.port = *a.port;
    if (a.devices) sc.fleet.devices = *a.devices;
    if (a.duration_s) sc.fleet.duration_s = *a.duration_s;
    if (a.interval_ms) sc.publish.interval = std::chrono::milliseconds(*a.interval_ms);
    if (a.mqtt_version) sc.broker.mqtt_version = *a.mqtt_version;
}

int run_fleet(const FleetArgs& args) {
    auto scenario = load_scenario_file(args.scenario_file);
    if (!scenario) {
        std::fprintf(stderr, "switchyard-sim fleet: %s\n", scenario.error().c_str());
        return 2;
    }
    apply_overrides(args, *scenario);
    if (auto problem = find_problem(*scenario)) {
        std::fprintf(stderr, "switchyard-sim fleet: %s\n", problem->c_str());
        return 2;
    }
    const Scenario& sc = *scenario;
    std::printf("fleet: %u devices on %s:%u (MQTT %s), a reading every %lld ms, for %.1f s\n",
                sc.fleet.devices, sc.broker.host.c_str(), sc.broker.port,
                sc.broker.mqtt_version == 5 ? "5" : "3.1.1",
                static_cast<long long>(sc.publish.interval.count()), sc.fleet.duration_s);
    std::fflush(stdout);
    // A socket per device, plus Paho's own and a margin.
    if (auto problem = fd_limit_problem(sc.fleet.devices + 64ull)) {
        std::fprintf(stderr, "switchyard-sim fleet: %s\n", problem->c_str());
        return 2;
    }
    install_stop_signals();
    FleetRunOptions options;
    options.progress_interval =
        std::chrono::milliseconds(static_cast<long long>(args.progress_s * 1000));
    options.stop_timeout =
        std::chrono::milliseconds(static_cast<long long>(args.stop_timeout_s * 1000));
    FleetRunner runner(sc, options);
    FleetReport report = runner.run([] { return stop_requested(); }, stdout);
    std::printf("%s\n", to_json_line(report).c_str());
    std::fflush(stdout);
    return report.ever_online == 0 ? 1 : 0;
}

void add_options(CLI::App& cmd, FleetArgs& a) {
    cmd.add_option("--scenario", a.scenario_file, "Scenario file (TOML); see etc/sim-demo.toml")
        ->required()
        ->check(CLI::ExistingFile);
    cmd.add_option("--host", a.host, "Broker host (overrides broker.host)");
    cmd.add_option("--port", a.port, "Broker port (overrides broker.port)")
        ->check(CLI::Range(1, 65535));
    cmd.add_option("--devices", a.devices, "Number of devices (overrides fleet.devices)")
        ->check(CLI::Range(1, 100000));
    cmd.add_option("--duration", a.duration_s, "Seconds to run (overrides fleet.duration_s)")
        ->check(CLI::Range(0.1, 7 * 86400.0));
    cmd.add_option("--interval-ms", a.interval_ms,
                   "Milliseconds between readings (overrides publish.interval_ms)")
        ->check(CLI::Range(100, 3600000));
    cmd.add_option("--mqtt-version", a.mqtt_version,
                   "3 (3.1.1) or 5 (overrides broker.mqtt_version)")
        ->check(CLI::IsMember({3, 5}));
    cmd.add_option("--progress", a.progress_s, "Seconds between progress lines (0: none)")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 3600.0));
    cmd.add_option("--stop-timeout", a.stop_timeout_s,
                   "Seconds the clean stop at the end may take (\"offline\" and DISCONNECT)")
        ->capture_default_str()
        ->check(CLI::Range(0.1, 600.0));
}

}  // namespace

void add_fleet_command(CLI::App& app, int& exit_code) {
    CLI::App* cmd = app.add_subcommand(
        "fleet", "Play a fleet of devices from a scenario file: readings, status, commands");
    auto args = std::make_shared<FleetArgs>();
    add_options(*cmd, *args);
    cmd->callback([args, &exit_code] { exit_code = run_fleet(*args); });
}

}  // namespace sy::sim

#pragma once
// The `fleet` subcommand: a scenario file, a few overrides, and the run.

namespace CLI {
class App;
}

namespace sy::sim {

// Adds `fleet` to `app`. Exit status in `exit_code`: 0 the run ended (duration or signal),
// 1 no device ever connected, 2 the scenario or the options are invalid.
void add_fleet_command(CLI::App& app, int& exit_code);

}  // namespace sy::sim

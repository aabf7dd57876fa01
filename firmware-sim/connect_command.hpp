#pragma once
// The `connect` subcommand: connection-rate and memory-per-connection test.

namespace CLI {
class App;
}

namespace sy::sim {

// Adds `connect` to `app`. Exit status in `exit_code`: 0 every connection opened, 1 some
// failed or did not finish, 2 invalid options.
void add_connect_command(CLI::App& app, int& exit_code);

}  // namespace sy::sim

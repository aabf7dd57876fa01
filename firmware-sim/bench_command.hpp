#pragma once
// The `bench` subcommand: its options and what it runs.

namespace CLI {
class App;
}

namespace sy::sim {

// Adds `bench` to `app`. When the subcommand runs, its exit status lands in `exit_code`: 0 if
// the run completed (loss included), non-zero if a connection failed (see bench_command.cpp).
void add_bench_command(CLI::App& app, int& exit_code);

}  // namespace sy::sim

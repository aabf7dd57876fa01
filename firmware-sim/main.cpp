// switchyard-sim: plays devices and load against a broker over its wire protocols only.
// Each subcommand lives in its own <name>_command.cpp and registers itself here.

#include "firmware-sim/bench_command.hpp"
#include "firmware-sim/connect_command.hpp"
#include "firmware-sim/fleet_command.hpp"

#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
    CLI::App app{"switchyard-sim: load generator and device simulator for Switchyard"};
    app.require_subcommand(1);
    int exit_code = 0;
    sy::sim::add_bench_command(app, exit_code);
    sy::sim::add_fleet_command(app, exit_code);
    sy::sim::add_connect_command(app, exit_code);
    CLI11_PARSE(app, argc, argv);
    return exit_code;
}

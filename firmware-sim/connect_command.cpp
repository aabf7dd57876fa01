#include "firmware-sim/connect_command.hpp"

#include "firmware-sim/connect_runner.hpp"
#include "firmware-sim/fd_limit.hpp"
#include "firmware-sim/stop_signal.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

namespace sy::sim {
namespace {

struct ConnectArgs {
    ConnectOptions options;
    int broker_pid = 0;
    int timeout_s = 60;
    int keepalive_s = 60;
};

int run_connect(ConnectArgs& args) {
    ConnectOptions& o = args.options;
    if (args.broker_pid > 0) o.broker_pid = args.broker_pid;
    o.timeout = std::chrono::seconds(args.timeout_s);
    o.keepalive = std::chrono::seconds(args.keepalive_s);
    if (auto problem = fd_limit_problem(o.count + 64ull)) {
        std::fprintf(stderr, "switchyard-sim connect: %s\n", problem->c_str());
        return 2;
    }
    install_stop_signals();
    ConnectReport report = run_connect_test(o, [] { return stop_requested(); });
    std::fputs(to_text(report).c_str(), stdout);
    std::printf("%s\n", to_json_line(report).c_str());
    std::fflush(stdout);
    return report.connected == report.count ? 0 : 1;
}

void add_options(CLI::App& cmd, ConnectArgs& a) {
    ConnectOptions& o = a.options;
    cmd.add_option("--host", o.host, "Broker host")->capture_default_str();
    cmd.add_option("--port", o.port, "Broker port")
        ->capture_default_str()
        ->check(CLI::Range(1, 65535));
    cmd.add_option("--mqtt-version", o.mqtt_version, "3 (3.1.1) or 5")
        ->capture_default_str()
        ->check(CLI::IsMember({3, 5}));
    cmd.add_option("--count", o.count, "Connections to open")
        ->capture_default_str()
        ->check(CLI::Range(1, 100000));
    cmd.add_option("--rate", o.rate, "Connection attempts started per second")
        ->capture_default_str()
        ->check(CLI::Range(0.1, 1e6));
    cmd.add_option("--gateway-pid,--broker-pid", a.broker_pid,
                   "The broker's process id: report its VmRSS before and after, and bytes per "
                   "connection (read from /proc/<pid>/status)")
        ->check(CLI::PositiveNumber);
    cmd.add_option("--timeout", a.timeout_s,
                   "Seconds, after the last attempt started, for every attempt to finish")
        ->capture_default_str()
        ->check(CLI::Range(1, 3600));
    cmd.add_option("--keepalive", a.keepalive_s, "MQTT keep-alive of each connection, seconds")
        ->capture_default_str()
        ->check(CLI::Range(0, 65535));
    cmd.add_option("--client-prefix", o.client_prefix,
                   "Client ids are <prefix><index> (default: sy-conn-<pid>-)");
}

}  // namespace

void add_connect_command(CLI::App& app, int& exit_code) {
    CLI::App* cmd =
        app.add_subcommand("connect",
                           "Open N connections at a given rate: connect-time percentiles and the "
                           "broker's memory per connection");
    auto args = std::make_shared<ConnectArgs>();
    add_options(*cmd, *args);
    cmd->callback([args, &exit_code] { exit_code = run_connect(*args); });
}

}  // namespace sy::sim

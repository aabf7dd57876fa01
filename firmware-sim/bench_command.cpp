#include "firmware-sim/bench_command.hpp"

#include "firmware-sim/bench_options.hpp"
#include "firmware-sim/bench_runner.hpp"
#include "firmware-sim/payload_stamp.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <string>

namespace sy::sim {
namespace {

struct BenchArgs {
    BenchOptions options;
    int timeout_s = 60;
    int connect_timeout_s = 10;
    std::string protocol = "mqtt";
};

// Exit status: 0 the run completed (loss and timeouts included), 1 a client could not connect or
// subscribe, 2 the options make no sense, 3 a connection dropped mid-run (report still printed).
int run_bench(BenchArgs& args) {
    args.options.timeout = std::chrono::seconds(args.timeout_s);
    args.options.connect_timeout = std::chrono::seconds(args.connect_timeout_s);
    args.options.protocol = BenchProtocol::Mqtt;  // the only member --protocol accepts today
    apply_implied(args.options);
    if (auto problem = find_problem(args.options)) {
        std::fprintf(stderr, "switchyard-sim bench: %s\n", problem->c_str());
        return 2;
    }
    BenchRunner runner(args.options);
    auto result = runner.run();
    if (!result) {
        std::fprintf(stderr, "switchyard-sim bench: %s\n", result.error().message().c_str());
        return 1;
    }
    print_human(*result, stdout);
    std::printf("%s\n", to_json_line(*result).c_str());
    std::fflush(stdout);
    return result->connection_lost ? 3 : 0;
}

void add_options(CLI::App& cmd, BenchArgs& args) {
    BenchOptions& o = args.options;
    cmd.add_option("--host", o.host, "Broker host")->capture_default_str();
    cmd.add_option("--port", o.port, "Broker port")
        ->capture_default_str()
        ->check(CLI::Range(1, 65535));
    cmd.add_option("--protocol", args.protocol, "Wire protocol (only mqtt so far)")
        ->capture_default_str()
        ->check(CLI::IsMember({"mqtt"}));
    cmd.add_option("--mqtt-version", o.mqtt_version, "MQTT version: 3 (3.1.1) or 5")
        ->capture_default_str()
        ->check(CLI::IsMember({3, 5}));
    cmd.add_option("--qos", o.qos, "QoS of publishes and subscriptions")
        ->capture_default_str()
        ->check(CLI::Range(0, 2));
    cmd.add_option("--pubs", o.pubs, "Publishers, each on <topic>/<index>")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000));
    cmd.add_option("--subs", o.subs, "Subscribers, each on <topic>/+")
        ->capture_default_str()
        ->check(CLI::Range(0, 1000));
    cmd.add_option("--size", o.size, "Payload bytes, including the 24-byte stamp")
        ->capture_default_str()
        ->check(CLI::Range(static_cast<std::uint32_t>(kStampSize), 256u << 20));
    cmd.add_option("--msgs", o.msgs, "Messages per publisher")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd.add_option("--topic", o.topic, "Topic prefix (default: sy-bench/<run tag>)");
    cmd.add_option("--window", o.window, "Unfinished publishes allowed per publisher")
        ->capture_default_str()
        ->check(CLI::Range(1, 65535));
    cmd.add_option("--timeout", args.timeout_s,
                   "Seconds without progress before giving up on publishes or deliveries")
        ->capture_default_str()
        ->check(CLI::Range(1, 3600));
    cmd.add_option("--connect-timeout", args.connect_timeout_s, "Seconds to connect or subscribe")
        ->capture_default_str()
        ->check(CLI::Range(1, 600));
    cmd.add_flag("--persistent-subs", o.persistent_subs,
                 "Subscribers keep a broker session (clean session 0, MQTT 5 session expiry) "
                 "under fixed client ids, and end it after the run");
    cmd.add_flag("--offline-subs", o.offline_subs,
                 "Persistent subscribers subscribe and disconnect; everything is published to "
                 "their stored sessions, then they reconnect and drain (implies "
                 "--persistent-subs)");
}

}  // namespace

void add_bench_command(CLI::App& app, int& exit_code) {
    CLI::App* cmd = app.add_subcommand(
        "bench", "Throughput and latency: N publishers, M subscribers, K messages each");
    // Owned by the subcommand's callback, which CLI11 keeps alive as long as `app`.
    auto args = std::make_shared<BenchArgs>();
    add_options(*cmd, *args);
    cmd->callback([args, &exit_code] { exit_code = run_bench(*args); });
}

}  // namespace sy::sim

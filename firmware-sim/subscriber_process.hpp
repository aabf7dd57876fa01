#pragma once
// Runs the subscribers of a bench in a child process.
//
// Why: Paho's C library serialises every client of a process through one global mutex and one
// receive thread. With publishers and subscribers in one process the receive side starved:
// against Mosquitto it took 70-90k msg/s, while a lone Paho subscriber takes about 250k msg/s.
// Both processes stamp and read CLOCK_MONOTONIC (steady_clock), so latencies stay comparable.
//
// Protocol over a socketpair, one line each:
//   child -> parent   "ready" once subscribed (offline subscribers: and disconnected again), or
//                     "error <sim errc>"
//   parent -> child   "go <messages each subscriber should get>", or "abort"
//   child -> parent   the SubscriberReport as one JSON line, or "error <sim errc>" (offline
//                     subscribers could not reconnect), then the child exits

#include "core/model/result.hpp"
#include "firmware-sim/bench_options.hpp"
#include "firmware-sim/line_channel.hpp"
#include "firmware-sim/subscriber_report.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <system_error>

namespace sy::sim {

class SubscriberProcess {
public:
    // Forks the child, which connects and subscribes at once. Call before this process creates
    // any Paho client: fork copies no threads, and Paho's would be missing in the child.
    static Result<std::unique_ptr<SubscriberProcess>> spawn(const BenchOptions& options,
                                                            std::uint32_t run_tag,
                                                            const std::string& id_prefix,
                                                            const std::string& filter);
    ~SubscriberProcess();  // aborts and reaps the child if it still runs
    SubscriberProcess(const SubscriberProcess&) = delete;
    SubscriberProcess& operator=(const SubscriberProcess&) = delete;

    // Waits until every subscriber is subscribed, or returns why not.
    Result<void> await_ready();

    // Tells the child to wait for `wanted` messages per subscriber and returns its report. The
    // child's wait is bounded by --timeout without progress, so this is bounded as well.
    Result<SubscriberReport> collect(std::uint64_t wanted);

private:
    SubscriberProcess(pid_t pid, int fd, const BenchOptions& options);
    void reap() noexcept;

    pid_t pid_;
    int fd_;
    LineChannel channel_;
    const BenchOptions& options_;
};

// The protocol's lines that carry a value. parse_go: the count of "go <count>", or empty for any
// other line. parse_error: the code of "error <code>" (ConnectFailed if it is unreadable), or
// empty for any other line.
std::optional<std::uint64_t> parse_go(std::string_view line);
std::optional<std::error_code> parse_error(std::string_view line);

}  // namespace sy::sim

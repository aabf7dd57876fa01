#include "firmware-sim/connect_runner.hpp"

#include "firmware-sim/connect_probe.hpp"
#include "firmware-sim/latency_histogram.hpp"
#include "firmware-sim/proc_status.hpp"

#include <algorithm>
#include <thread>
#include <unistd.h>
#include <vector>

namespace sy::sim {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds kPoll{100};

// What became of the connections of one run.
struct Tally {
    std::vector<Clock::time_point> started_at;
    std::vector<bool> done;
    LatencyHistogram latency;
    std::uint32_t started = 0;
    std::uint32_t connected = 0;
    std::uint32_t failed = 0;
    Clock::time_point first_start{};
    Clock::time_point last_done{};
    std::string first_failure;

    explicit Tally(std::uint32_t count) : started_at(count), done(count, false) {}
    std::uint32_t finished() const { return connected + failed; }

    void record(const ConnectProbe::Outcome& o) {
        if (done[o.index]) return;
        done[o.index] = true;
        last_done = std::max(last_done, o.at);
        if (!o.accepted) {
            if (failed++ == 0) first_failure = o.detail;
            return;
        }
        ++connected;
        latency.record(static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(o.at - started_at[o.index])
                .count()));
    }

    void fill(ConnectReport& r, std::uint32_t count) const {
        constexpr double kNsPerMs = 1e6;
        r.connected = connected;
        r.failed = failed;
        r.unfinished = count - connected - failed;
        r.open_s =
            started == 0 ? 0 : std::chrono::duration<double>(last_done - first_start).count();
        r.p50_ms = static_cast<double>(latency.quantile(0.5)) / kNsPerMs;
        r.p99_ms = static_cast<double>(latency.quantile(0.99)) / kNsPerMs;
        r.max_ms = static_cast<double>(latency.max()) / kNsPerMs;
        r.mean_ms = latency.mean() / kNsPerMs;
        r.first_failure = first_failure;
    }
};

ConnectReport report_head(const ConnectOptions& o) {
    ConnectReport r;
    r.count = o.count;
    r.rate = o.rate;
    r.host = o.host;
    r.port = o.port;
    r.mqtt_version = o.mqtt_version;
    return r;
}

// Starts connections on schedule and collects outcomes until every one has finished, the
// timeout after the last start has passed, or `stop` says so. Returns false when stopped.
bool open_all(const ConnectOptions& o, ConnectProbe& probe, Tally& tally,
              const std::function<bool()>& stop) {
    const std::string prefix =
        o.client_prefix.empty() ? "sy-conn-" + std::to_string(::getpid()) + "-" : o.client_prefix;
    const auto spacing = std::chrono::duration<double>(1.0 / o.rate);
    const Clock::time_point begin = Clock::now();
    auto start_time = [&](std::uint32_t i) {
        return begin + std::chrono::duration_cast<Clock::duration>(spacing * i);
    };
    auto record = [&](const ConnectProbe::Outcome& outcome) { tally.record(outcome); };
    Clock::time_point deadline = Clock::time_point::max();
    tally.first_start = begin;
    while (tally.finished() < o.count) {
        if (stop()) return false;
        Clock::time_point now = Clock::now();
        // A loop that fell behind catches up at once: the rate is a schedule, not a pause.
        while (tally.started < o.count && start_time(tally.started) <= now) {
            tally.started_at[tally.started] = Clock::now();
            probe.start(tally.started, prefix + std::to_string(tally.started));
            ++tally.started;
        }
        if (tally.started == o.count && deadline == Clock::time_point::max()) {
            deadline = now + o.timeout;
        }
        if (now >= deadline) break;
        probe.keep_alive(now);
        const Clock::time_point next =
            tally.started < o.count ? start_time(tally.started) : deadline;
        probe.wait(std::min({next, deadline, now + kPoll}), record);
    }
    return true;
}

}  // namespace

ConnectReport run_connect_test(const ConnectOptions& options, const std::function<bool()>& stop) {
    ConnectReport report = report_head(options);
    auto probe = ConnectProbe::create(options.host, options.port, options.mqtt_version,
                                      static_cast<std::uint16_t>(options.keepalive.count()));
    if (!probe) {
        report.unfinished = options.count;
        report.first_failure = "cannot resolve " + options.host;
        return report;
    }
    if (options.broker_pid) report.broker_rss_before_kib = read_vm_rss_kib(*options.broker_pid);
    Tally tally(options.count);
    report.interrupted = !open_all(options, **probe, tally, stop);
    tally.fill(report, options.count);
    if (options.broker_pid && !report.interrupted) {
        // The broker may finish its bookkeeping after CONNACK; keep the connections alive while
        // it does.
        const auto settle_end = Clock::now() + options.settle;
        while (Clock::now() < settle_end) {
            (*probe)->keep_alive(Clock::now());
            (*probe)->wait(std::min(settle_end, Clock::now() + kPoll),
                           [](const ConnectProbe::Outcome&) {});
        }
        report.broker_rss_after_kib = read_vm_rss_kib(*options.broker_pid);
        if (report.broker_rss_before_kib && report.broker_rss_after_kib && report.connected > 0) {
            report.broker_bytes_per_connection =
                (static_cast<double>(*report.broker_rss_after_kib) -
                 static_cast<double>(*report.broker_rss_before_kib)) *
                1024.0 / report.connected;
        }
    }
    report.dropped = (*probe)->dropped();
    (*probe)->close_all();
    return report;
}

}  // namespace sy::sim

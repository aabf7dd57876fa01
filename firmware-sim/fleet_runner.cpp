#include "firmware-sim/fleet_runner.hpp"

#include "firmware-sim/device.hpp"
#include "firmware-sim/timer_queue.hpp"

#include <algorithm>
#include <memory>
#include <vector>

namespace sy::sim {
namespace {

using Clock = std::chrono::steady_clock;

// How often the loop looks at the stop flag when nothing else wakes it.
constexpr std::chrono::milliseconds kPollStop{100};
// Problems printed to stderr before the rest are only counted.
constexpr std::uint32_t kShownProblems = 20;

// One run's state: the devices and what drives them. Lives on the run()'s stack.
class Fleet {
public:
    Fleet(const Scenario& scenario, std::FILE* errors)
        : scenario_(scenario),
          log_(errors, kShownProblems),
          timers_(scenario.fleet.devices),
          start_steady_(Clock::now()),
          start_wall_s_(
              std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
                  .count()) {}

    ~Fleet() {
        // Paho callbacks post into events_ until each client is gone.
        devices_.clear();
    }

    DeviceNow now() const {
        const Clock::time_point t = Clock::now();
        return {t, start_wall_s_ + std::chrono::duration<double>(t - start_steady_).count()};
    }
    Clock::time_point start() const { return start_steady_; }

    void create_devices();
    void process_events(Clock::time_point deadline);
    void run_timers(const DeviceNow& now);
    // Starts every device's clean stop; returns how many still owe a Disconnected event.
    std::size_t stop_all();
    void drain_stops(Clock::time_point deadline);
    FleetReport report(double elapsed_s) const;
    Clock::time_point next_timer() { return timers_.next(); }
    std::size_t awaiting_stops() const { return awaiting_count_; }
    ErrorLog& log() { return log_; }

private:
    void reschedule(std::uint32_t index);

    const Scenario& scenario_;
    EventQueue events_;
    LinkCounters link_counters_;
    FleetCounters counters_;
    ErrorLog log_;
    TimerQueue timers_;
    std::vector<std::unique_ptr<Device>> devices_;
    std::vector<LinkEvent> batch_;
    std::vector<bool> awaiting_stop_;
    std::size_t awaiting_count_ = 0;
    bool stopping_ = false;
    Clock::time_point start_steady_;
    double start_wall_s_;
};

void Fleet::create_devices() {
    const auto& fleet = scenario_.fleet;
    devices_.reserve(fleet.devices);
    const DeviceContext ctx{scenario_, events_, link_counters_, counters_, log_};
    for (std::uint32_t i = 0; i < fleet.devices; ++i) {
        devices_.push_back(
            std::make_unique<Device>(make_identity(scenario_, i), ctx, start_wall_s_));
        // Boots spread at the connect rate, so that the broker sees a ramp, not a wall.
        const std::chrono::duration<double> offset(i / fleet.connect_rate);
        timers_.schedule(i, start_steady_ + std::chrono::duration_cast<Clock::duration>(offset));
    }
    awaiting_stop_.assign(fleet.devices, false);
}

void Fleet::reschedule(std::uint32_t index) {
    timers_.schedule(index, devices_[index]->wake_at());
}

void Fleet::process_events(Clock::time_point deadline) {
    if (!events_.take(deadline, batch_)) return;
    const DeviceNow t = now();
    for (const LinkEvent& e : batch_) {
        Device& d = *devices_[e.device];
        d.on_event(e, t);
        if (awaiting_stop_[e.device] && d.state() == Device::State::Stopped) {
            awaiting_stop_[e.device] = false;
            --awaiting_count_;
        }
        if (!stopping_) reschedule(e.device);
    }
}

void Fleet::run_timers(const DeviceNow& t) {
    while (auto index = timers_.pop_due(t.steady)) {
        Device& d = *devices_[*index];
        if (d.state() == Device::State::Off) {
            d.boot(t);
        } else {
            d.on_timer(t);
        }
        reschedule(*index);
    }
}

std::size_t Fleet::stop_all() {
    stopping_ = true;
    const DeviceNow t = now();
    for (std::uint32_t i = 0; i < devices_.size(); ++i) {
        timers_.schedule(i, Clock::time_point::max());
        if (devices_[i]->stop(t)) {
            awaiting_stop_[i] = true;
            ++awaiting_count_;
        }
    }
    return awaiting_count_;
}

void Fleet::drain_stops(Clock::time_point deadline) {
    while (awaiting_count_ > 0 && Clock::now() < deadline) {
        process_events(std::min(deadline, Clock::now() + kPollStop));
    }
}

FleetReport Fleet::report(double elapsed_s) const {
    FleetReport r;
    r.devices = scenario_.fleet.devices;
    for (const auto& d : devices_) {
        r.online += d->online() ? 1 : 0;
        r.ever_online += d->ever_connected() ? 1 : 0;
        r.readings_pending += d->buffered();
        r.faults_started += d->faults_started();
    }
    r.readings_sent = link_counters_.readings_sent.load();
    r.readings_failed = link_counters_.readings_failed.load();
    r.readings_buffered = counters_.readings_buffered;
    r.readings_dropped = counters_.readings_dropped;
    r.readings_suppressed = counters_.readings_suppressed;
    r.commands_handled = counters_.commands_handled;
    r.commands_refused = counters_.commands_refused;
    r.reconnects = counters_.reconnects;
    r.connect_failures = counters_.connect_failures;
    r.connection_losses = counters_.connection_losses;
    r.errors = counters_.errors + r.readings_failed + link_counters_.others_failed.load();
    r.elapsed_s = elapsed_s;
    r.host = scenario_.broker.host;
    r.port = scenario_.broker.port;
    r.mqtt_version = scenario_.broker.mqtt_version;
    return r;
}

}  // namespace

FleetRunner::FleetRunner(const Scenario& scenario, FleetRunOptions options)
    : scenario_(scenario), options_(options) {}

FleetReport FleetRunner::run(const std::function<bool()>& stop, std::FILE* out) {
    Fleet fleet(scenario_, options_.errors);
    fleet.create_devices();
    const auto end = fleet.start() + std::chrono::duration_cast<Clock::duration>(
                                         std::chrono::duration<double>(scenario_.fleet.duration_s));
    const bool progress = options_.progress_interval.count() > 0;
    auto next_progress = fleet.start() + options_.progress_interval;
    std::uint64_t last_sent = 0;
    bool interrupted = false;
    for (;;) {
        const DeviceNow t = fleet.now();
        if (t.steady >= end) break;
        if (stop()) {
            interrupted = true;
            break;
        }
        fleet.run_timers(t);
        if (progress && t.steady >= next_progress) {
            FleetReport r =
                fleet.report(std::chrono::duration<double>(t.steady - fleet.start()).count());
            const double seconds =
                std::chrono::duration<double>(options_.progress_interval).count();
            std::fprintf(
                out, "%s\n",
                progress_line(r, static_cast<double>(r.readings_sent - last_sent) / seconds)
                    .c_str());
            std::fflush(out);
            last_sent = r.readings_sent;
            next_progress += options_.progress_interval;
        }
        auto wake = std::min({fleet.next_timer(), end, t.steady + kPollStop});
        if (progress) wake = std::min(wake, next_progress);
        fleet.process_events(wake);
    }
    const auto stop_began = Clock::now();
    FleetReport final_report =
        fleet.report(std::chrono::duration<double>(stop_began - fleet.start()).count());
    fleet.stop_all();
    fleet.drain_stops(stop_began + options_.stop_timeout);
    // Counters that moved during the clean stop (the last publishes completing).
    FleetReport after = fleet.report(final_report.elapsed_s);
    after.online = final_report.online;
    after.unfinished_stops = static_cast<std::uint32_t>(fleet.awaiting_stops());
    fleet.log().summarize();
    after.interrupted = interrupted;
    return after;
}

}  // namespace sy::sim

#pragma once
// One simulated device: firmware that samples its sensors on an interval, publishes readings,
// keeps them while offline, announces itself on status/<id> (will: "offline", retained) and
// obeys commands on cmd/<id>/<name>. Driven by the fleet thread only: events from its
// connection and timer calls; it never blocks.

#include "firmware-sim/backoff.hpp"
#include "firmware-sim/command_handler.hpp"
#include "firmware-sim/device_identity.hpp"
#include "firmware-sim/device_link.hpp"
#include "firmware-sim/error_log.hpp"
#include "firmware-sim/fault_model.hpp"
#include "firmware-sim/firmware_update.hpp"
#include "firmware-sim/fleet_counters.hpp"
#include "firmware-sim/offline_buffer.hpp"
#include "firmware-sim/scenario.hpp"
#include "firmware-sim/sensor_model.hpp"

#include <chrono>
#include <memory>
#include <random>
#include <string>

namespace sy::sim {

// The clock a device runs on: steady time for its timers, UNIX time for its readings. The fleet
// passes both in, so that nothing below it reads a clock.
struct DeviceNow {
    std::chrono::steady_clock::time_point steady;
    double wall_s = 0;
};

// What every device of a fleet shares; outlives the devices.
struct DeviceContext {
    const Scenario& scenario;
    EventQueue& events;
    LinkCounters& link_counters;
    FleetCounters& counters;
    ErrorLog& log;
};

class Device {
public:
    using TimePoint = std::chrono::steady_clock::time_point;

    enum class State {
        Off,            // not booted yet
        Connecting,     // CONNECT sent, no CONNACK yet
        Subscribing,    // connected, waiting for the SUBACK of cmd/<id>/#
        Online,         // announced "online"; publishing readings
        Disconnecting,  // a clean DISCONNECT for a reboot or the end of the run
        Waiting,        // offline until the backoff delay is over
        Stopped,
    };

    Device(DeviceIdentity identity, DeviceContext context, double boot_wall_s);

    // Creates the client and starts connecting; the first reading comes within one interval.
    void boot(const DeviceNow& now);
    void on_event(const LinkEvent& event, const DeviceNow& now);
    // Does what is due by `now`: a reading, a reconnect attempt, a firmware progress report.
    void on_timer(const DeviceNow& now);
    // The next time on_timer() has something to do; time_point::max() for never.
    TimePoint wake_at() const noexcept;

    // The end of the run: "offline" and a clean DISCONNECT if connected. True when a
    // Disconnected event is still to come; the device is Stopped once it came.
    bool stop(const DeviceNow& now);

    State state() const noexcept { return state_; }
    bool online() const noexcept { return state_ == State::Online; }
    const std::string& id() const noexcept { return identity_.id; }
    std::size_t buffered() const noexcept { return buffer_.size(); }
    std::uint64_t faults_started() const noexcept { return faults_.started(); }
    bool ever_connected() const noexcept { return connected_before_; }
    const DeviceSettings& settings() const noexcept { return settings_; }

private:
    LinkConfig link_config() const;
    void connect(const DeviceNow& now);
    void on_connected();
    void go_online();
    void wait_to_reconnect(const DeviceNow& now);
    void connection_ended(const DeviceNow& now);
    void reply(const InboundMessage& request, std::string payload);
    void clean_disconnect(bool then_stop);
    void take_reading(const DeviceNow& now);
    void handle_message(const InboundMessage& message, const DeviceNow& now);
    void report_update_progress(const DeviceNow& now);
    void schedule_next_reading(const DeviceNow& now, bool random_phase);
    bool publish(Outbound message);

    DeviceIdentity identity_;
    DeviceContext ctx_;
    std::string telemetry_topic_;
    std::string status_topic_;
    std::string reply_topic_;
    std::unique_ptr<DeviceLink> link_;
    SensorModel sensors_;
    FaultModel faults_;
    OfflineBuffer buffer_;
    Backoff backoff_;
    std::mt19937_64 jitter_rng_;
    DeviceSettings settings_;
    FirmwareUpdate update_;
    InboundMessage update_request_;  // where the running update's progress replies go

    State state_ = State::Off;
    bool stopping_ = false;
    bool connected_before_ = false;
    TimePoint next_reading_at_ = TimePoint::max();
    TimePoint reconnect_at_ = TimePoint::max();
    TimePoint update_at_ = TimePoint::max();
};

}  // namespace sy::sim

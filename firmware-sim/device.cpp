#include "firmware-sim/device.hpp"

#include "firmware-sim/reading_payload.hpp"

#include <algorithm>
#include <utility>

namespace sy::sim {
namespace {

constexpr std::string_view kOnline = "online";
constexpr std::string_view kOffline = "offline";
// How long a clean disconnect waits for QoS 1/2 publishes in flight (the "offline" status, a
// reply) before it sends DISCONNECT. At the end of a run thousands of devices stop at once and
// Paho works through them one by one, so they get longer.
constexpr std::chrono::milliseconds kRebootGrace{2000};
constexpr std::chrono::milliseconds kStopGrace{20'000};
// How often a firmware update that fell due while offline looks for the connection again.
constexpr std::chrono::milliseconds kUpdateRetry{500};

// splitmix64: independent, reproducible seeds for each device and each of its random streams.
std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t index, std::uint64_t stream) {
    std::uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (index * 8 + stream + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

std::chrono::steady_clock::duration seconds_from(double s) {
    return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(std::max(0.0, s)));
}

}  // namespace

Device::Device(DeviceIdentity identity, DeviceContext context, double boot_wall_s)
    : identity_(std::move(identity)),
      ctx_(context),
      telemetry_topic_("telemetry/" + identity_.id),
      status_topic_("status/" + identity_.id),
      reply_topic_("cmd/" + identity_.id + "/reply"),
      sensors_(ctx_.scenario.sensors, mix_seed(ctx_.scenario.fleet.seed, identity_.index, 0),
               boot_wall_s),
      faults_(ctx_.scenario.faults, mix_seed(ctx_.scenario.fleet.seed, identity_.index, 1)),
      buffer_(ctx_.scenario.publish.offline_buffer),
      backoff_(ctx_.scenario.fleet.reconnect_min, ctx_.scenario.fleet.reconnect_max,
               mix_seed(ctx_.scenario.fleet.seed, identity_.index, 2)),
      jitter_rng_(mix_seed(ctx_.scenario.fleet.seed, identity_.index, 3)) {
    settings_.interval = ctx_.scenario.publish.interval;
}

LinkConfig Device::link_config() const {
    const Scenario& sc = ctx_.scenario;
    LinkConfig c;
    c.host = sc.broker.host;
    c.port = sc.broker.port;
    c.mqtt_version = sc.broker.mqtt_version;
    c.client_id = identity_.id;
    c.username = identity_.username;
    c.password = identity_.password;
    c.keepalive = sc.broker.keepalive;
    c.connect_timeout = sc.broker.connect_timeout;
    c.clean_session = sc.broker.clean_session;
    if (sc.tls.enabled) {
        c.tls =
            LinkTls{sc.tls.ca_file, identity_.cert_file, identity_.key_file, sc.tls.verify_server};
    }
    c.will = LinkWill{status_topic_, std::string(kOffline), 1, true};
    // The flush after a reconnect queues the whole offline buffer at once.
    c.max_queued_publishes = static_cast<int>(sc.publish.offline_buffer) + 100;
    return c;
}

void Device::boot(const DeviceNow& now) {
    auto link = DeviceLink::create(link_config(), identity_.index, ctx_.events, ctx_.link_counters);
    if (!link) {
        ++ctx_.counters.errors;
        ctx_.log.report(identity_.id, "cannot create the client", link.error().message());
        state_ = State::Stopped;
        return;
    }
    link_ = std::move(*link);
    schedule_next_reading(now, /*random_phase=*/true);
    connect(now);
}

void Device::connect(const DeviceNow& now) {
    reconnect_at_ = TimePoint::max();
    if (auto started = link_->connect(); !started) {
        ++ctx_.counters.connect_failures;
        ctx_.log.report(identity_.id, "connect refused by the client", started.error().message());
        wait_to_reconnect(now);
        return;
    }
    state_ = State::Connecting;
}

void Device::wait_to_reconnect(const DeviceNow& now) {
    state_ = State::Waiting;
    reconnect_at_ = now.steady + backoff_.next();
}

void Device::connection_ended(const DeviceNow& now) {
    if (stopping_) {
        state_ = State::Stopped;
    } else {
        wait_to_reconnect(now);
    }
}

// MQTT 5: answer where the request asks, with its correlation data. The response topic is only
// honoured on an MQTT 5 connection, where it can exist at all.
void Device::reply(const InboundMessage& request, std::string payload) {
    const bool v5_route = ctx_.scenario.broker.mqtt_version == 5 && !request.response_topic.empty();
    publish(Outbound{v5_route ? request.response_topic : reply_topic_, std::move(payload), 1, false,
                     false, request.correlation_data});
}

void Device::on_connected() {
    backoff_.reset();
    if (connected_before_) ++ctx_.counters.reconnects;
    connected_before_ = true;
    if (stopping_) {  // the run ended while this connect was under way
        clean_disconnect(true);
        return;
    }
    if (!link_->subscribe("cmd/" + identity_.id + "/#", 1)) {
        ++ctx_.counters.errors;
        ctx_.log.report(identity_.id, "subscribe refused by the client");
        go_online();
        return;
    }
    state_ = State::Subscribing;
}

// "online" only once commands can reach the device, so that whoever sees it may send one.
void Device::go_online() {
    state_ = State::Online;
    publish(Outbound{status_topic_, std::string(kOnline), 1, true, false, {}});
    for (std::string& payload : buffer_.take_all()) {
        publish(Outbound{
            telemetry_topic_, std::move(payload), ctx_.scenario.publish.qos, false, true, {}});
    }
}

void Device::clean_disconnect(bool then_stop) {
    stopping_ = stopping_ || then_stop;
    // Firmware that shuts down on purpose says so; the will covers the other cases.
    publish(Outbound{status_topic_, std::string(kOffline), 1, true, false, {}});
    if (!link_->disconnect(stopping_ ? kStopGrace : kRebootGrace)) {
        ++ctx_.counters.errors;
        ctx_.log.report(identity_.id, "disconnect refused by the client");
        state_ = stopping_ ? State::Stopped : State::Waiting;
        return;
    }
    state_ = State::Disconnecting;
}

void Device::on_event(const LinkEvent& event, const DeviceNow& now) {
    switch (event.kind) {
        case LinkEventKind::Connected:
            if (state_ == State::Connecting) on_connected();
            return;
        case LinkEventKind::ConnectFailed:
            if (state_ != State::Connecting) return;
            ++ctx_.counters.connect_failures;
            ctx_.log.report(identity_.id, "connect failed", event.detail);
            connection_ended(now);
            return;
        case LinkEventKind::Subscribed:
        case LinkEventKind::SubscribeFailed:
            if (state_ != State::Subscribing) return;
            if (event.kind == LinkEventKind::SubscribeFailed) {
                ++ctx_.counters.errors;
                ctx_.log.report(identity_.id, "subscribe to its commands failed", event.detail);
            }
            go_online();
            return;
        case LinkEventKind::ConnectionLost:
        case LinkEventKind::Disconnected:
            if (state_ != State::Subscribing && state_ != State::Online &&
                state_ != State::Disconnecting) {
                return;
            }
            // A broker may close the socket on our DISCONNECT before Paho has finished it: in
            // Disconnecting, a loss is the end we asked for.
            if (event.kind == LinkEventKind::ConnectionLost && state_ != State::Disconnecting) {
                ++ctx_.counters.connection_losses;
                ctx_.log.report(identity_.id, "connection lost", event.detail);
            }
            connection_ended(now);
            return;
        case LinkEventKind::Message:
            if (state_ == State::Online || state_ == State::Subscribing) {
                handle_message(event.message, now);
            }
            return;
    }
}

void Device::handle_message(const InboundMessage& message, const DeviceNow& now) {
    auto name = command_name_of(message.topic, identity_.id);
    if (!name) return;
    CommandResult result = handle_command(*name, message.payload, now.wall_s,
                                          DeviceParts{settings_, faults_, update_});
    ++(result.ok ? ctx_.counters.commands_handled : ctx_.counters.commands_refused);
    reply(message, std::move(result.reply));
    if (result.interval_changed) {
        next_reading_at_ = std::min(next_reading_at_, now.steady + settings_.interval);
    }
    if (update_.running() && *name == "firmware" && result.ok) {
        update_request_ = message;
        update_at_ = now.steady + seconds_from(*update_.next_due_s() - now.wall_s);
    }
    if (result.reboot) {
        update_at_ = TimePoint::max();
        clean_disconnect(false);
    }
}

void Device::report_update_progress(const DeviceNow& now) {
    if (state_ != State::Online) {  // the update goes on; its reports wait for the connection
        update_at_ = now.steady + kUpdateRetry;
        return;
    }
    update_at_ = TimePoint::max();
    while (auto progress = update_.poll(now.wall_s)) {
        reply(update_request_, firmware_progress_reply(update_, *progress));
        if (progress->done) {
            settings_.firmware_version = update_.version();
            clean_disconnect(false);  // boots into the new image
            return;
        }
    }
    if (auto due = update_.next_due_s()) update_at_ = now.steady + seconds_from(*due - now.wall_s);
}

void Device::schedule_next_reading(const DeviceNow& now, bool random_phase) {
    using Ms = std::chrono::duration<double, std::milli>;
    const double interval_ms = static_cast<double>(settings_.interval.count());
    double delay_ms = interval_ms;
    if (random_phase) {
        // Devices that boot together do not publish together.
        delay_ms = std::uniform_real_distribution<double>(0.0, interval_ms)(jitter_rng_);
    } else if (ctx_.scenario.publish.jitter > 0) {
        const double j = ctx_.scenario.publish.jitter;
        delay_ms *= std::uniform_real_distribution<double>(1.0 - j, 1.0 + j)(jitter_rng_);
    }
    next_reading_at_ =
        now.steady + std::chrono::duration_cast<std::chrono::steady_clock::duration>(Ms(delay_ms));
}

void Device::take_reading(const DeviceNow& now) {
    schedule_next_reading(now, false);
    auto reading = faults_.apply(sensors_.sample(now.wall_s));
    if (!reading) {
        ++ctx_.counters.readings_suppressed;
        return;
    }
    ++ctx_.counters.readings_taken;
    std::string payload = encode_reading(*reading, ctx_.scenario.publish.format, identity_.id);
    if (state_ == State::Online) {
        publish(Outbound{
            telemetry_topic_, std::move(payload), ctx_.scenario.publish.qos, false, true, {}});
        return;
    }
    ++ctx_.counters.readings_buffered;
    if (!buffer_.push(std::move(payload))) ++ctx_.counters.readings_dropped;
}

void Device::on_timer(const DeviceNow& now) {
    if (state_ == State::Stopped || state_ == State::Off) return;
    if (state_ == State::Waiting && now.steady >= reconnect_at_ && !stopping_) connect(now);
    if (now.steady >= update_at_) report_update_progress(now);
    if (now.steady >= next_reading_at_) take_reading(now);
}

Device::TimePoint Device::wake_at() const noexcept {
    if (state_ == State::Stopped || state_ == State::Off || stopping_) return TimePoint::max();
    TimePoint at = next_reading_at_;
    if (state_ == State::Waiting) at = std::min(at, reconnect_at_);
    return std::min(at, update_at_);
}

bool Device::stop(const DeviceNow& now) {
    (void)now;
    stopping_ = true;
    switch (state_) {
        case State::Subscribing:
        case State::Online:
            clean_disconnect(true);
            return state_ == State::Disconnecting;
        case State::Disconnecting:
            return true;
        case State::Connecting:
            return true;  // on_connected() disconnects at once
        case State::Off:
        case State::Waiting:
        case State::Stopped:
            state_ = State::Stopped;
            return false;
    }
    return false;
}

bool Device::publish(Outbound message) {
    auto queued = link_->publish(message);
    if (queued) return true;
    ++ctx_.counters.errors;
    ctx_.log.report(identity_.id, "publish refused by the client on " + message.topic,
                    queued.error().message());
    return false;
}

}  // namespace sy::sim

#include "firmware-sim/bench_runner.hpp"

#include "firmware-sim/payload_stamp.hpp"
#include "firmware-sim/subscriber_process.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <latch>
#include <random>
#include <sys/resource.h>
#include <thread>

namespace sy::sim {
namespace {

constexpr std::chrono::seconds kDisconnectTimeout{2};

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

double seconds_between(std::int64_t from_ns, std::int64_t to_ns) {
    return to_ns > from_ns ? static_cast<double>(to_ns - from_ns) / 1e9 : 0.0;
}

std::string hex(std::uint32_t value) {
    char buf[9];
    std::snprintf(buf, sizeof buf, "%08x", value);
    return buf;
}

// Concurrent runs against one broker must not see each other's traffic: the default topic
// carries the run tag, which every payload repeats.
std::string topic_base_for(const BenchOptions& options, std::uint32_t run_tag) {
    return options.topic.empty() ? "sy-bench/" + hex(run_tag) : options.topic;
}

double seconds(const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

// CPU of this process plus its reaped children (the subscriber process, once collected).
double cpu_seconds() {
    rusage self{};
    rusage children{};
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    return seconds(self.ru_utime) + seconds(self.ru_stime) + seconds(children.ru_utime) +
           seconds(children.ru_stime);
}

const char* subscriber_kind(const BenchOptions& options) {
    if (options.offline_subs) {
        return "offline persistent ";
    }
    return options.persistent_subs ? "persistent " : "";
}

}  // namespace

BenchRunner::BenchRunner(BenchOptions options)
    : options_(std::move(options)),
      run_tag_(std::random_device{}()),
      topic_base_(topic_base_for(options_, run_tag_)),
      id_prefix_("sy-sim-" + hex(run_tag_) + "-") {}

BenchRunner::~BenchRunner() {
    disconnect_publishers();
}

Result<BenchResult> BenchRunner::run() {
    BenchResult result;
    result.options = options_;
    result.topic_filter = topic_base_ + "/+";
    std::printf(
        "bench: mqtt %s qos %d at %s:%u, %u pub(s) x %llu msgs -> %u %ssub(s) on %s, "
        "%u-byte payloads\n",
        options_.mqtt_version == 5 ? "5.0" : "3.1.1", options_.qos, options_.host.c_str(),
        options_.port, options_.pubs, static_cast<unsigned long long>(options_.msgs), options_.subs,
        subscriber_kind(options_), result.topic_filter.c_str(), options_.size);

    // The child comes first: it must fork before this process starts any Paho thread.
    std::unique_ptr<SubscriberProcess> subscribers;
    if (options_.subs > 0) {
        auto spawned =
            SubscriberProcess::spawn(options_, run_tag_, id_prefix_, result.topic_filter);
        if (!spawned) {
            return std::unexpected(spawned.error());
        }
        subscribers = std::move(*spawned);
        if (auto ok = subscribers->await_ready(); !ok) {
            return std::unexpected(ok.error());
        }
    }
    if (auto ok = connect_publishers(); !ok) {
        return std::unexpected(ok.error());
    }
    result.window = effective_window_;

    const double cpu_before = cpu_seconds();
    publish_all(result);
    SubscriberReport report;
    if (subscribers) {
        auto collected = subscribers->collect(result.sent);
        if (!collected) {
            return std::unexpected(collected.error());
        }
        report = std::move(*collected);
    }
    result.client_cpu_s = cpu_seconds() - cpu_before;
    result.connection_lost =
        report.connection_lost ||
        std::ranges::any_of(publishers_, [](const auto& e) { return e->connection_lost(); });
    disconnect_publishers();
    tally(report, result);
    return result;
}

// Starts every connection before awaiting any (see MqttEndpoint::start).
Result<void> BenchRunner::connect_publishers() {
    for (std::uint32_t i = 0; i < options_.pubs; ++i) {
        auto endpoint = MqttEndpoint::start(
            EndpointConfig{
                .host = options_.host,
                .port = options_.port,
                .client_id = id_prefix_ + "p" + std::to_string(i),
                .mqtt_version = options_.mqtt_version,
                .connect_timeout = options_.connect_timeout,
            },
            nullptr);
        if (!endpoint) {
            return std::unexpected(endpoint.error());
        }
        publishers_.push_back(std::move(*endpoint));
    }
    for (const auto& endpoint : publishers_) {
        if (auto ok = endpoint->await_connected(); !ok) {
            return ok;
        }
        // QoS 1/2 must also stay within what the broker accepts unacknowledged (MQTT 5 Receive
        // Maximum); exceeding it is a protocol error [MQTT-3.3.4-7].
        std::uint32_t capacity = options_.window;
        if (options_.qos > 0) {
            capacity = std::min(capacity, endpoint->receive_maximum());
        }
        windows_.push_back(std::make_unique<PublishWindow>(capacity));
        effective_window_ = std::min(effective_window_, capacity);
    }
    return {};
}

void BenchRunner::publish_all(BenchResult& result) {
    std::latch go(1);
    std::vector<std::jthread> threads;
    threads.reserve(options_.pubs);
    for (std::uint32_t i = 0; i < options_.pubs; ++i) {
        threads.emplace_back([this, i, &go] {
            go.wait();
            publish_loop(i);
        });
    }
    start_ns_ = now_ns();
    go.count_down();
    threads.clear();  // joins

    std::int64_t last_completion_ns = start_ns_;
    for (const auto& window : windows_) {
        result.sent += window->completed();
        last_completion_ns = std::max(last_completion_ns, window->last_completion_ns());
    }
    result.unsent = options_.pubs * options_.msgs - result.sent;
    result.publish_stalled = publish_stalled_.load();
    result.publish_s = seconds_between(start_ns_, last_completion_ns);
}

void BenchRunner::publish_loop(std::uint32_t index) {
    MqttEndpoint& endpoint = *publishers_[index];
    PublishWindow& window = *windows_[index];
    const std::string topic = topic_base_ + "/" + std::to_string(index);
    std::vector<std::byte> payload(options_.size, std::byte{'.'});
    PayloadStamp stamp{.run_tag = run_tag_, .publisher = index, .sequence = 0, .sent_ns = 0};
    const PublishWindow::GiveUp lost = [&endpoint] { return endpoint.connection_lost(); };
    for (std::uint64_t seq = 0; seq < options_.msgs && !endpoint.connection_lost(); ++seq) {
        if (!window.acquire(options_.timeout, lost)) {
            publish_stalled_ = !endpoint.connection_lost();
            break;
        }
        stamp.sequence = seq;
        stamp.sent_ns = now_ns();
        write_stamp(payload, stamp);
        if (!endpoint.publish(topic, payload, options_.qos, window)) {
            window.cancel();
            break;
        }
    }
    if (!window.drain(options_.timeout, lost) && !endpoint.connection_lost()) {
        publish_stalled_ = true;
    }
}

void BenchRunner::disconnect_publishers() noexcept {
    for (auto& endpoint : publishers_) {
        endpoint->disconnect(kDisconnectTimeout);
    }
    publishers_.clear();
}

void BenchRunner::tally(const SubscriberReport& report, BenchResult& result) const {
    const std::uint64_t expected = options_.pubs * options_.msgs;
    for (const auto& sub : report.per_subscriber) {
        const std::uint64_t lost = expected - std::min(expected, sub.unique);
        result.per_subscriber.push_back(SubscriberResult{
            .received = sub.received,
            .unique = sub.unique,
            .lost = lost,
            .duplicates = sub.duplicates,
            .foreign = sub.foreign,
        });
        result.received += sub.received;
        result.lost += lost;
        result.duplicates += sub.duplicates;
    }
    result.latency = report.latency;
    result.delivery_timed_out = report.timed_out;
    result.deliver_s = seconds_between(report.first_ns, report.last_ns);
    result.active_s = std::max(result.publish_s, seconds_between(start_ns_, report.last_ns));
    result.elapsed_s = std::max(result.active_s, seconds_between(start_ns_, report.wait_end_ns));
}

}  // namespace sy::sim

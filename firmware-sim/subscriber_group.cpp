#include "firmware-sim/subscriber_group.hpp"

#include <algorithm>
#include <cstdio>
#include <thread>

namespace sy::sim {
namespace {

constexpr std::chrono::seconds kDisconnectTimeout{2};
constexpr auto kPollInterval = std::chrono::milliseconds(2);

}  // namespace

SubscriberGroup::SubscriberGroup(const BenchOptions& options, std::uint32_t run_tag,
                                 std::string id_prefix, std::string filter)
    : options_(options),
      run_tag_(run_tag),
      id_prefix_(std::move(id_prefix)),
      filter_(std::move(filter)) {}

SubscriberGroup::~SubscriberGroup() {
    close_all();
}

// Fixed for the run, so that a reconnect finds the session again; the run tag in the prefix keeps
// concurrent runs from taking over each other's sessions.
std::string SubscriberGroup::client_id(std::uint32_t index) const {
    return id_prefix_ + "s" + std::to_string(index);
}

EndpointConfig SubscriberGroup::endpoint_config(std::uint32_t index, SessionMode mode) const {
    return EndpointConfig{
        .host = options_.host,
        .port = options_.port,
        .client_id = client_id(index),
        .mqtt_version = options_.mqtt_version,
        .connect_timeout = options_.connect_timeout,
        .session = mode,
    };
}

Result<void> SubscriberGroup::connect() {
    for (std::uint32_t i = 0; i < options_.subs; ++i) {
        tallies_.push_back(
            std::make_unique<SubscriberTally>(run_tag_, options_.pubs, options_.msgs));
    }
    const SessionMode mode =
        options_.persistent_subs ? SessionMode::Persistent : SessionMode::Clean;
    if (auto ok = open_all(mode); !ok) {
        return ok;
    }
    for (auto& endpoint : endpoints_) {
        if (auto ok = endpoint->subscribe(filter_, options_.qos, options_.connect_timeout); !ok) {
            return ok;
        }
    }
    return {};
}

// Starts every connection before awaiting any (see MqttEndpoint::start). Messages go to the
// subscriber's tally, which outlives its connections.
Result<void> SubscriberGroup::open_all(SessionMode mode) {
    for (std::uint32_t i = 0; i < options_.subs; ++i) {
        auto endpoint = MqttEndpoint::start(
            endpoint_config(i, mode), [&tally = *tallies_[i]](std::span<const std::byte> payload) {
                tally.on_message(payload);
            });
        if (!endpoint) {
            return std::unexpected(endpoint.error());
        }
        endpoints_.push_back(std::move(*endpoint));
    }
    for (auto& endpoint : endpoints_) {
        if (auto ok = endpoint->await_connected(); !ok) {
            return ok;
        }
        sessions_kept_ = sessions_kept_ || mode == SessionMode::Persistent;
    }
    return {};
}

void SubscriberGroup::close_all() noexcept {
    for (auto& endpoint : endpoints_) {
        endpoint->disconnect(kDisconnectTimeout);
    }
    endpoints_.clear();  // no callback runs after this
}

void SubscriberGroup::go_offline() noexcept {
    close_all();
}

Result<void> SubscriberGroup::come_back() {
    if (auto ok = open_all(SessionMode::Persistent); !ok) {
        return ok;
    }
    for (std::uint32_t i = 0; i < options_.subs; ++i) {
        if (!endpoints_[i]->session_present()) {
            std::fprintf(stderr,
                         "switchyard-sim: %s: the broker kept no session; what was published "
                         "while it was offline is lost\n",
                         client_id(i).c_str());
        }
    }
    return {};
}

void SubscriberGroup::end_sessions() noexcept {
    if (!sessions_kept_) {
        return;
    }
    sessions_kept_ = false;
    close_all();
    try {
        // A clean session discards the kept one [MQTT-3.1.2-6] and itself ends with the
        // connection. All connect before any is awaited, as in open_all().
        std::vector<std::unique_ptr<MqttEndpoint>> enders;
        for (std::uint32_t i = 0; i < options_.subs; ++i) {
            if (auto endpoint =
                    MqttEndpoint::start(endpoint_config(i, SessionMode::Clean), nullptr)) {
                enders.push_back(std::move(*endpoint));
            }
        }
        for (auto& endpoint : enders) {
            if (endpoint->await_connected()) {
                endpoint->disconnect(kDisconnectTimeout);
            }
        }
    } catch (const std::exception&) {
        // Out of memory: the sessions stay on the broker (MQTT 5: until they expire).
    }
}

std::uint64_t SubscriberGroup::total_unique() const {
    std::uint64_t sum = 0;
    for (const auto& tally : tallies_) {
        sum += tally->unique();
    }
    return sum;
}

bool SubscriberGroup::wait_for(std::uint64_t wanted,
                               std::chrono::steady_clock::duration stall_limit) {
    auto all_arrived = [&] {
        return std::ranges::all_of(tallies_, [&](const auto& t) { return t->unique() >= wanted; });
    };
    auto all_gone = [&] {
        return std::ranges::all_of(endpoints_, [](const auto& e) { return e->connection_lost(); });
    };
    std::uint64_t last_total = total_unique();
    auto last_progress = std::chrono::steady_clock::now();
    while (!all_arrived()) {
        if (all_gone()) {
            return false;
        }
        std::this_thread::sleep_for(kPollInterval);
        const std::uint64_t now_total = total_unique();
        if (now_total != last_total) {
            last_total = now_total;
            last_progress = std::chrono::steady_clock::now();
        } else if (std::chrono::steady_clock::now() - last_progress >= stall_limit) {
            return false;
        }
    }
    return true;
}

SubscriberReport SubscriberGroup::finish(bool timed_out) {
    SubscriberReport report;
    report.timed_out = timed_out;
    report.wait_end_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::steady_clock::now().time_since_epoch())
                             .count();
    report.connection_lost =
        std::ranges::any_of(endpoints_, [](const auto& e) { return e->connection_lost(); });
    close_all();  // the tallies are final from here on
    for (const auto& tally : tallies_) {
        const auto snap = tally->snapshot();
        report.per_subscriber.push_back(SubscriberCounts{
            .received = snap.received,
            .unique = snap.unique,
            .duplicates = snap.duplicates,
            .foreign = snap.foreign,
        });
        report.latency.merge(snap.latency);
        if (snap.received > 0) {
            report.first_ns =
                report.first_ns == 0 ? snap.first_ns : std::min(report.first_ns, snap.first_ns);
            report.last_ns = std::max(report.last_ns, snap.last_ns);
        }
    }
    return report;
}

}  // namespace sy::sim

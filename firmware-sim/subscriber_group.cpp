#include "firmware-sim/subscriber_group.hpp"

#include <algorithm>
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
    for (auto& endpoint : endpoints_) {
        endpoint->disconnect(kDisconnectTimeout);
    }
}

Result<void> SubscriberGroup::connect() {
    for (std::uint32_t i = 0; i < options_.subs; ++i) {
        tallies_.push_back(
            std::make_unique<SubscriberTally>(run_tag_, options_.pubs, options_.msgs));
        auto endpoint = MqttEndpoint::start(
            EndpointConfig{
                .host = options_.host,
                .port = options_.port,
                .client_id = id_prefix_ + "s" + std::to_string(i),
                .mqtt_version = options_.mqtt_version,
                .connect_timeout = options_.connect_timeout,
            },
            [&tally = *tallies_.back()](std::span<const std::byte> payload) {
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
    }
    for (auto& endpoint : endpoints_) {
        if (auto ok = endpoint->subscribe(filter_, options_.qos, options_.connect_timeout); !ok) {
            return ok;
        }
    }
    return {};
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
    for (auto& endpoint : endpoints_) {
        endpoint->disconnect(kDisconnectTimeout);
    }
    endpoints_.clear();  // no callback runs after this, so the tallies are final
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

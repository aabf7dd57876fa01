#include "firmware-sim/subscriber_report.hpp"

#include <nlohmann/json.hpp>

namespace sy::sim {

nlohmann::json to_json(const SubscriberReport& report) {
    nlohmann::json subs = nlohmann::json::array();
    for (const auto& s : report.per_subscriber) {
        subs.push_back({s.received, s.unique, s.duplicates, s.foreign});
    }
    nlohmann::json buckets = nlohmann::json::array();
    report.latency.for_each_bucket([&](std::size_t index, std::uint64_t count) {
        buckets.push_back({index, count});
    });
    return {
        {"subs", subs},
        {"buckets", buckets},
        {"min", report.latency.min()},
        {"max", report.latency.max()},
        {"sum", report.latency.sum()},
        {"first_ns", report.first_ns},
        {"last_ns", report.last_ns},
        {"wait_end_ns", report.wait_end_ns},
        {"timed_out", report.timed_out},
        {"connection_lost", report.connection_lost},
    };
}

SubscriberReport report_from_json(const nlohmann::json& j) {
    SubscriberReport report;
    for (const auto& s : j.at("subs")) {
        report.per_subscriber.push_back(SubscriberCounts{
            .received = s.at(0).get<std::uint64_t>(),
            .unique = s.at(1).get<std::uint64_t>(),
            .duplicates = s.at(2).get<std::uint64_t>(),
            .foreign = s.at(3).get<std::uint64_t>(),
        });
    }
    std::vector<std::pair<std::size_t, std::uint64_t>> buckets;
    for (const auto& b : j.at("buckets")) {
        buckets.emplace_back(b.at(0).get<std::size_t>(), b.at(1).get<std::uint64_t>());
    }
    report.latency =
        LatencyHistogram::restore(buckets, j.at("min").get<std::uint64_t>(),
                                  j.at("max").get<std::uint64_t>(), j.at("sum").get<double>());
    report.first_ns = j.at("first_ns").get<std::int64_t>();
    report.last_ns = j.at("last_ns").get<std::int64_t>();
    report.wait_end_ns = j.at("wait_end_ns").get<std::int64_t>();
    report.timed_out = j.at("timed_out").get<bool>();
    report.connection_lost = j.at("connection_lost").get<bool>();
    return report;
}

}  // namespace sy::sim

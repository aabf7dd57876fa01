#pragma once
// What the subscribers of one run saw, in a form that crosses the pipe from the subscriber
// process to the publisher process (see subscriber_process.hpp).

#include "firmware-sim/latency_histogram.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <vector>

namespace sy::sim {

struct SubscriberCounts {
    std::uint64_t received = 0;    // bench messages, duplicates included
    std::uint64_t unique = 0;      // distinct (publisher, sequence) pairs
    std::uint64_t duplicates = 0;  // a pair seen again
    std::uint64_t foreign = 0;     // not from this run, or a stamp out of range
};

struct SubscriberReport {
    std::vector<SubscriberCounts> per_subscriber;
    LatencyHistogram latency;   // merged over all subscribers
    std::int64_t first_ns = 0;  // steady_clock of the first and last bench message, 0 if none
    std::int64_t last_ns = 0;
    std::int64_t wait_end_ns = 0;  // when the subscribers stopped waiting for more
    bool timed_out = false;        // stopped waiting with messages still missing
    bool connection_lost = false;  // a subscriber lost its connection
};

nlohmann::json to_json(const SubscriberReport& report);
SubscriberReport report_from_json(const nlohmann::json& j);  // throws nlohmann::json::exception

}  // namespace sy::sim

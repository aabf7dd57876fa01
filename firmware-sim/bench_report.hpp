#pragma once
// The outcome of one bench run, and its two renderings: human lines and one JSON object (always
// the last line on stdout, which is what bench/ scripts parse).

#include "firmware-sim/bench_options.hpp"
#include "firmware-sim/latency_histogram.hpp"

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace sy::sim {

struct SubscriberResult {
    std::uint64_t received = 0;
    std::uint64_t unique = 0;
    std::uint64_t lost = 0;  // pubs * msgs - unique
    std::uint64_t duplicates = 0;
    std::uint64_t foreign = 0;
};

struct BenchResult {
    BenchOptions options;
    std::string topic_filter;
    std::uint64_t sent = 0;           // publishes completed: acked (QoS 1/2) or written (QoS 0)
    std::uint64_t unsent = 0;         // pubs * msgs - sent: refused, failed or never made
    std::uint64_t received = 0;       // over all subscribers, duplicates included
    std::uint64_t lost = 0;           // over all subscribers
    std::uint64_t duplicates = 0;     // over all subscribers
    double publish_s = 0;             // first publish to last completion
    double deliver_s = 0;             // first to last receive, over all subscribers
    double elapsed_s = 0;             // first publish until the subscribers stopped waiting
    double active_s = 0;              // first publish to the last completion or receive
    double client_cpu_s = 0;          // this process, user + system, over the same span
    std::uint32_t window = 0;         // effective per-publisher window (receive maximum applied)
    bool publish_stalled = false;     // a publisher gave up: no completions for --timeout
    bool delivery_timed_out = false;  // messages still missing after --timeout without progress
    bool connection_lost = false;     // a client lost its connection during the run
    LatencyHistogram latency;
    std::vector<SubscriberResult> per_subscriber;

    double publish_rate() const {
        return publish_s > 0 ? static_cast<double>(sent) / publish_s : 0;
    }
    double deliver_rate() const {
        return deliver_s > 0 ? static_cast<double>(received) / deliver_s : 0;
    }
};

void print_human(const BenchResult& result, std::FILE* out);
std::string to_json_line(const BenchResult& result);

}  // namespace sy::sim

#pragma once
// What `switchyard-sim bench` was asked to do. Filled in by bench_command.cpp from the command
// line, checked by validate(), then read-only.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace sy::sim {

enum class BenchProtocol { Mqtt };

struct BenchOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 1883;
    BenchProtocol protocol = BenchProtocol::Mqtt;
    int mqtt_version = 3;  // 3 means MQTT 3.1.1 (protocol level 4); 5 means MQTT 5.0
    int qos = 0;
    std::uint32_t pubs = 1;
    std::uint32_t subs = 1;
    std::uint32_t size = 100;    // payload bytes, stamp included
    std::uint64_t msgs = 10000;  // per publisher
    std::string topic;           // empty: a per-run topic under "sy-bench/"
    // Publishes awaiting completion per publisher (the broker's receive maximum caps it on MQTT 5).
    std::uint32_t window = 1000;
    // The run gives up when nothing has progressed (no publish completed, no message arrived) for
    // this long.
    std::chrono::seconds timeout{60};
    std::chrono::seconds connect_timeout{10};
    // Subscribers keep a session on the broker (MQTT 3.1.1 clean session 0; MQTT 5 a session
    // expiry interval) under fixed client ids, and end it when the run is over.
    bool persistent_subs = false;
    // Persistent subscribers that subscribe, then disconnect while everything is published, then
    // reconnect and drain what the broker stored for them. Implies persistent_subs.
    bool offline_subs = false;
};

// Sets what other options imply (offline subscribers are persistent ones). Call before
// find_problem().
void apply_implied(BenchOptions& options);

// Why the bench cannot honour these options (say, a payload too small for the stamp), or empty.
// Ranges of single options are checked by the command line parser already.
std::optional<std::string> find_problem(const BenchOptions& options);

}  // namespace sy::sim

#pragma once
// The connection test: opens N device connections at a given rate, measures how long each
// takes (TCP connect started to CONNACK received) and, given the broker's process id, how much
// resident memory the broker gained per connection. Then closes them all with DISCONNECT.

#include "firmware-sim/connect_report.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace sy::sim {

struct ConnectOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 1883;
    int mqtt_version = 3;
    std::uint32_t count = 1000;
    double rate = 500;  // connection attempts started per second
    std::optional<int> broker_pid;
    std::chrono::seconds keepalive{60};
    std::chrono::seconds timeout{60};        // for all attempts to finish, after the last started
    std::chrono::milliseconds settle{1000};  // all open, before the broker's memory is read
    std::string client_prefix;  // client ids are <prefix><index>; empty: "sy-conn-<pid>-"
};

// `stop` is polled a few times a second; when it returns true the run ends early (still
// bounded, still reported).
ConnectReport run_connect_test(const ConnectOptions& options, const std::function<bool()>& stop);

}  // namespace sy::sim

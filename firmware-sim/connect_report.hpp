#pragma once
// What `switchyard-sim connect` measured: connect-time percentiles and the broker's memory per
// connection. Printed as text, then as one JSON line.

#include <cstdint>
#include <optional>
#include <string>

namespace sy::sim {

struct ConnectReport {
    std::uint32_t count = 0;
    std::uint32_t connected = 0;
    std::uint32_t failed = 0;      // refused or the socket failed
    std::uint32_t unfinished = 0;  // no outcome before the timeout
    std::uint32_t dropped = 0;     // accepted, then closed by the broker before the end
    std::string first_failure;     // why the first failed connection failed
    double rate = 0;
    double open_s = 0;  // first attempt started to last one finished
    double p50_ms = 0;
    double p99_ms = 0;
    double max_ms = 0;
    double mean_ms = 0;
    std::optional<std::uint64_t> broker_rss_before_kib;
    std::optional<std::uint64_t> broker_rss_after_kib;
    std::optional<double> broker_bytes_per_connection;
    std::string host;
    std::uint16_t port = 0;
    int mqtt_version = 3;
    bool interrupted = false;
};

std::string to_json_line(const ConnectReport& report);
std::string to_text(const ConnectReport& report);

}  // namespace sy::sim

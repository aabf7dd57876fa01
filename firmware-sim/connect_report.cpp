#include "firmware-sim/connect_report.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace sy::sim {
namespace {

double round3(double v) {
    return std::round(v * 1000) / 1000;
}

}  // namespace

std::string to_json_line(const ConnectReport& r) {
    nlohmann::ordered_json j;
    j["count"] = r.count;
    j["connected"] = r.connected;
    j["failed"] = r.failed;
    j["unfinished"] = r.unfinished;
    j["dropped"] = r.dropped;
    j["rate"] = r.rate;
    j["open_s"] = round3(r.open_s);
    j["connect_p50_ms"] = round3(r.p50_ms);
    j["connect_p99_ms"] = round3(r.p99_ms);
    j["connect_max_ms"] = round3(r.max_ms);
    j["connect_mean_ms"] = round3(r.mean_ms);
    j["broker_rss_before_kib"] = nullptr;
    j["broker_rss_after_kib"] = nullptr;
    j["broker_bytes_per_connection"] = nullptr;
    if (r.broker_rss_before_kib) j["broker_rss_before_kib"] = *r.broker_rss_before_kib;
    if (r.broker_rss_after_kib) j["broker_rss_after_kib"] = *r.broker_rss_after_kib;
    if (r.broker_bytes_per_connection) {
        j["broker_bytes_per_connection"] = std::round(*r.broker_bytes_per_connection);
    }
    j["host"] = r.host;
    j["port"] = r.port;
    j["mqtt_version"] = r.mqtt_version;
    j["interrupted"] = r.interrupted;
    return j.dump();
}

std::string to_text(const ConnectReport& r) {
    char text[512];
    int n = std::snprintf(text, sizeof text,
                          "connect: %u of %u connected (%u failed, %u unfinished) in %.2f s at "
                          "%.0f/s\nconnect time: p50 %.2f ms, p99 %.2f ms, max %.2f ms, "
                          "mean %.2f ms\n",
                          r.connected, r.count, r.failed, r.unfinished, r.open_s, r.rate, r.p50_ms,
                          r.p99_ms, r.max_ms, r.mean_ms);
    std::string out(text, static_cast<std::size_t>(std::max(n, 0)));
    if (!r.first_failure.empty()) out += "first failure: " + r.first_failure + "\n";
    if (r.broker_rss_before_kib && r.broker_rss_after_kib) {
        std::snprintf(text, sizeof text,
                      "broker VmRSS: %llu KiB before, %llu KiB with the connections open",
                      static_cast<unsigned long long>(*r.broker_rss_before_kib),
                      static_cast<unsigned long long>(*r.broker_rss_after_kib));
        out += text;
        if (r.broker_bytes_per_connection) {
            std::snprintf(text, sizeof text, ", %.0f bytes per connection",
                          *r.broker_bytes_per_connection);
            out += text;
        }
        out += "\n";
    }
    return out;
}

}  // namespace sy::sim

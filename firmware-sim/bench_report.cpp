#include "firmware-sim/bench_report.hpp"

#include <nlohmann/json.hpp>

#include <cmath>

namespace sy::sim {
namespace {

double to_us(std::uint64_t ns) {
    return std::round(static_cast<double>(ns) / 100.0) / 10.0;
}

// Dividing by a power of ten (not multiplying by 0.1) gives the double nearest the decimal, so the
// JSON shows 12.3 rather than 12.300000000000001.
double round_to(double value, double scale) {
    return std::round(value * scale) / scale;
}

void print_subscribers(const BenchResult& r, std::FILE* out) {
    // One line per subscriber only when there are few; the JSON carries them all.
    if (r.per_subscriber.size() <= 1 || r.per_subscriber.size() > 16) {
        return;
    }
    for (std::size_t i = 0; i < r.per_subscriber.size(); ++i) {
        const auto& s = r.per_subscriber[i];
        std::fprintf(out, "  sub %zu: received %llu, lost %llu, duplicates %llu\n", i,
                     static_cast<unsigned long long>(s.received),
                     static_cast<unsigned long long>(s.lost),
                     static_cast<unsigned long long>(s.duplicates));
    }
}

}  // namespace

void print_human(const BenchResult& r, std::FILE* out) {
    const BenchOptions& o = r.options;
    std::fprintf(out, "publish: %llu of %llu sent in %.3f s = %.0f msg/s (%llu not sent%s)\n",
                 static_cast<unsigned long long>(r.sent),
                 static_cast<unsigned long long>(o.pubs * o.msgs), r.publish_s, r.publish_rate(),
                 static_cast<unsigned long long>(r.unsent), r.publish_stalled ? ", stalled" : "");
    std::fprintf(out, "deliver: %llu received in %.3f s = %.0f msg/s%s%s\n",
                 static_cast<unsigned long long>(r.received), r.deliver_s, r.deliver_rate(),
                 o.offline_subs ? " (draining stored sessions)" : "",
                 r.delivery_timed_out ? " (timed out waiting for the rest)" : "");
    std::fprintf(out, "latency: p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us\n",
                 to_us(r.latency.quantile(0.5)), to_us(r.latency.quantile(0.99)),
                 to_us(r.latency.quantile(0.999)), to_us(r.latency.max()));
    std::fprintf(out, "loss: lost %llu, duplicates %llu over %u subscriber(s)\n",
                 static_cast<unsigned long long>(r.lost),
                 static_cast<unsigned long long>(r.duplicates), o.subs);
    print_subscribers(r, out);
    if (r.connection_lost) {
        std::fprintf(out, "connection: lost during the run; the numbers above are incomplete\n");
    }
    // When the client itself burns about a core, it, not the broker, may be what limits the rates.
    std::fprintf(out,
                 "client: %.2f s CPU (publisher and subscriber processes) over %.2f s of traffic "
                 "= %.0f%% of one core\n",
                 r.client_cpu_s, r.active_s,
                 r.active_s > 0 ? 100.0 * r.client_cpu_s / r.active_s : 0.0);
}

std::string to_json_line(const BenchResult& r) {
    const BenchOptions& o = r.options;
    nlohmann::json lost = nlohmann::json::array();
    nlohmann::json dups = nlohmann::json::array();
    std::uint64_t foreign = 0;
    for (const auto& s : r.per_subscriber) {
        lost.push_back(s.lost);
        dups.push_back(s.duplicates);
        foreign += s.foreign;
    }
    // Headline numbers first; nlohmann::ordered_json keeps this order in the output.
    const nlohmann::ordered_json j = {
        {"publish_rate", round_to(r.publish_rate(), 10)},
        {"deliver_rate", round_to(r.deliver_rate(), 10)},
        {"p50_us", to_us(r.latency.quantile(0.5))},
        {"p99_us", to_us(r.latency.quantile(0.99))},
        {"p999_us", to_us(r.latency.quantile(0.999))},
        {"max_us", to_us(r.latency.max())},
        {"mean_us", round_to(r.latency.mean() / 1000.0, 10)},
        {"lost", r.lost},
        {"duplicates", r.duplicates},
        {"sent", r.sent},
        {"received", r.received},
        {"unsent", r.unsent},
        {"foreign", foreign},
        {"lost_per_sub", lost},
        {"duplicates_per_sub", dups},
        {"protocol", "mqtt"},
        {"mqtt_version", o.mqtt_version == 5 ? "5.0" : "3.1.1"},
        {"host", o.host},
        {"port", o.port},
        {"topic", r.topic_filter},
        {"pubs", o.pubs},
        {"subs", o.subs},
        {"qos", o.qos},
        {"size", o.size},
        {"msgs", o.msgs},
        {"window", r.window},
        {"persistent_subs", o.persistent_subs},
        {"offline_subs", o.offline_subs},
        {"publish_s", round_to(r.publish_s, 10000)},
        {"deliver_s", round_to(r.deliver_s, 10000)},
        {"active_s", round_to(r.active_s, 10000)},
        {"elapsed_s", round_to(r.elapsed_s, 10000)},
        {"client_cpu_s", round_to(r.client_cpu_s, 10000)},
        {"publish_stalled", r.publish_stalled},
        {"delivery_timed_out", r.delivery_timed_out},
        {"connection_lost", r.connection_lost},
    };
    return j.dump();
}

}  // namespace sy::sim

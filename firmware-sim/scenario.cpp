#include "firmware-sim/scenario.hpp"

#include "firmware-sim/toml_section.hpp"

#include <toml++/toml.h>

#include <fstream>
#include <iterator>
#include <set>

namespace sy::sim {
namespace {

using Fail = std::unexpected<std::string>;
using Status = std::expected<void, std::string>;

constexpr std::int64_t kMaxDevices = 100'000;
constexpr double kMaxDurationS = 7 * 86'400;

#define SY_SIM_TRY(expr)                                     \
    do {                                                     \
        if (auto status_ = (expr); !status_) return status_; \
    } while (0)

template <class Rep, class Period>
Status read_duration(TomlSection& s, const char* key, std::int64_t low, std::int64_t high,
                     std::chrono::duration<Rep, Period>& out) {
    std::int64_t v = out.count();
    SY_SIM_TRY(s.integer(key, low, high, v));
    out = std::chrono::duration<Rep, Period>(v);
    return {};
}

Status read_broker(const toml::table* t, BrokerSettings& b) {
    TomlSection s(t, "broker");
    SY_SIM_TRY(s.string("host", b.host));
    SY_SIM_TRY(s.integer_as("port", 1, 65535, b.port));
    SY_SIM_TRY(s.integer_as("mqtt_version", 3, 5, b.mqtt_version));
    if (b.mqtt_version == 4) return Fail("'broker.mqtt_version' must be 3 (3.1.1) or 5");
    SY_SIM_TRY(read_duration(s, "keepalive_s", 0, 65535, b.keepalive));
    SY_SIM_TRY(s.boolean("clean_session", b.clean_session));
    SY_SIM_TRY(read_duration(s, "connect_timeout_s", 1, 600, b.connect_timeout));
    return s.finish();
}

Status read_tls(const toml::table* t, TlsSettings& tls) {
    TomlSection s(t, "tls");
    SY_SIM_TRY(s.boolean("enabled", tls.enabled));
    SY_SIM_TRY(s.string("ca_file", tls.ca_file));
    SY_SIM_TRY(s.string("cert_file", tls.cert_file));
    SY_SIM_TRY(s.string("key_file", tls.key_file));
    SY_SIM_TRY(s.boolean("verify_server", tls.verify_server));
    return s.finish();
}

Status read_fleet(const toml::table* t, FleetSettings& f) {
    TomlSection s(t, "fleet");
    SY_SIM_TRY(s.integer_as("devices", 1, kMaxDevices, f.devices));
    SY_SIM_TRY(s.string("id_prefix", f.id_prefix));
    SY_SIM_TRY(s.string("username", f.username));
    SY_SIM_TRY(s.string("password", f.password));
    SY_SIM_TRY(s.number("connect_rate", 0.1, 1e6, f.connect_rate));
    SY_SIM_TRY(s.number("duration_s", 0.1, kMaxDurationS, f.duration_s));
    SY_SIM_TRY(s.integer_as("seed", 0, INT64_MAX, f.seed));
    SY_SIM_TRY(read_duration(s, "reconnect_min_ms", 1, 60'000, f.reconnect_min));
    SY_SIM_TRY(read_duration(s, "reconnect_max_ms", 1, 3'600'000, f.reconnect_max));
    return s.finish();
}

Status read_publish(const toml::table* t, PublishSettings& p) {
    TomlSection s(t, "publish");
    SY_SIM_TRY(read_duration(s, "interval_ms", 100, 3'600'000, p.interval));
    SY_SIM_TRY(s.number("jitter", 0, 0.9, p.jitter));
    SY_SIM_TRY(s.integer_as("qos", 0, 2, p.qos));
    std::string format(to_string(p.format));
    SY_SIM_TRY(s.string("format", format));
    auto parsed = payload_format_from(format);
    if (!parsed) return Fail(s.where("format") + " must be \"json\" or \"senml\"");
    p.format = *parsed;
    SY_SIM_TRY(s.integer_as("offline_buffer", 0, 1'000'000, p.offline_buffer));
    return s.finish();
}

Status read_sensors(const toml::table* t, SensorParams& p) {
    TomlSection s(t, "sensors");
    SY_SIM_TRY(s.number("temp_mean_c", -100, 200, p.temp_mean_c));
    SY_SIM_TRY(s.number("temp_spread_c", 0, 100, p.temp_spread_c));
    SY_SIM_TRY(s.number("temp_daily_amplitude_c", 0, 100, p.temp_daily_amplitude_c));
    SY_SIM_TRY(s.number("temp_drift_c_per_h", 0, 100, p.temp_drift_c_per_h));
    SY_SIM_TRY(s.number("temp_noise_c", 0, 100, p.temp_noise_c));
    SY_SIM_TRY(s.number("hum_mean_pct", 0, 100, p.hum_mean_pct));
    SY_SIM_TRY(s.number("hum_spread_pct", 0, 100, p.hum_spread_pct));
    SY_SIM_TRY(s.number("hum_daily_amplitude_pct", 0, 100, p.hum_daily_amplitude_pct));
    SY_SIM_TRY(s.number("hum_drift_pct_per_h", 0, 100, p.hum_drift_pct_per_h));
    SY_SIM_TRY(s.number("hum_noise_pct", 0, 100, p.hum_noise_pct));
    SY_SIM_TRY(s.number("battery_start_pct", 0, 100, p.battery_start_pct));
    SY_SIM_TRY(s.number("battery_spread_pct", 0, 100, p.battery_spread_pct));
    SY_SIM_TRY(s.number("battery_drain_pct_per_h", 0, 100, p.battery_drain_pct_per_h));
    SY_SIM_TRY(s.number("day_length_s", 1, 365 * 86'400.0, p.day_length_s));
    return s.finish();
}

Status read_faults(const toml::table* t, FaultParams& f) {
    TomlSection s(t, "faults");
    SY_SIM_TRY(s.number("stuck_probability", 0, 1, f.stuck_probability));
    SY_SIM_TRY(s.number("spike_probability", 0, 1, f.spike_probability));
    SY_SIM_TRY(s.number("dropout_probability", 0, 1, f.dropout_probability));
    SY_SIM_TRY(s.number("stuck_duration_s", 0, 86'400, f.stuck_duration_s));
    SY_SIM_TRY(s.number("dropout_duration_s", 0, 86'400, f.dropout_duration_s));
    SY_SIM_TRY(s.number("spike_magnitude_c", 0, 1000, f.spike_magnitude_c));
    return s.finish();
}

Status read_sections(const toml::table& root, Scenario& sc) {
    static const std::set<std::string, std::less<>> kSections = {"broker",  "tls",     "fleet",
                                                                 "publish", "sensors", "faults"};
    for (const auto& [key, value] : root) {
        if (!kSections.contains(key.str())) {
            return Fail("unknown section '" + std::string(key.str()) + "'");
        }
        if (!value.is_table()) return Fail("'" + std::string(key.str()) + "' must be a table");
    }
    SY_SIM_TRY(read_broker(root["broker"].as_table(), sc.broker));
    SY_SIM_TRY(read_tls(root["tls"].as_table(), sc.tls));
    SY_SIM_TRY(read_fleet(root["fleet"].as_table(), sc.fleet));
    SY_SIM_TRY(read_publish(root["publish"].as_table(), sc.publish));
    SY_SIM_TRY(read_sensors(root["sensors"].as_table(), sc.sensors));
    return read_faults(root["faults"].as_table(), sc.faults);
}

#undef SY_SIM_TRY

}  // namespace

std::expected<Scenario, std::string> parse_scenario(std::string_view text,
                                                    const std::string& source) {
    toml::table root;
    try {
        root = toml::parse(text, source);
    } catch (const toml::parse_error& e) {
        return Fail(source + ":" + std::to_string(e.source().begin.line) + ": " +
                    std::string(e.description()));
    }
    Scenario sc;
    if (auto status = read_sections(root, sc); !status) return Fail(source + ": " + status.error());
    if (auto problem = find_problem(sc)) return Fail(source + ": " + *problem);
    return sc;
}

std::expected<Scenario, std::string> load_scenario_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (!in.good() && !in.eof()) return Fail("cannot read scenario file " + path);
    return parse_scenario(text, path);
}

std::optional<std::string> find_problem(const Scenario& sc) {
    if (sc.broker.host.empty()) return "'broker.host' must not be empty";
    if (sc.fleet.id_prefix.find_first_of("/+#") != std::string::npos) {
        return "'fleet.id_prefix' must not contain '/', '+' or '#': ids are topic levels";
    }
    const FaultParams& f = sc.faults;
    if (f.stuck_probability + f.spike_probability + f.dropout_probability > 1.0) {
        return "the fault probabilities add up to more than 1";
    }
    if (sc.fleet.reconnect_max < sc.fleet.reconnect_min) {
        return "'fleet.reconnect_max_ms' must be at least 'fleet.reconnect_min_ms'";
    }
    if (sc.tls.cert_file.empty() != sc.tls.key_file.empty()) {
        return "'tls.cert_file' and 'tls.key_file' go together";
    }
    if (!sc.tls.enabled && (!sc.tls.ca_file.empty() || !sc.tls.cert_file.empty())) {
        return "TLS files are set but 'tls.enabled' is false";
    }
    if (sc.fleet.devices == 0) return "at least one device";
    if (sc.fleet.duration_s <= 0) return "the duration must be positive";
    return std::nullopt;
}

}  // namespace sy::sim

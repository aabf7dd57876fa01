#include "services/telemetry_sample.hpp"

#include <nlohmann/json.hpp>

namespace sy::services {
namespace {

using json = nlohmann::json;
using Fail = std::unexpected<std::string>;

std::expected<std::vector<Sample>, std::string> from_object(const json& o,
                                                            std::string_view device) {
    std::vector<Sample> out;
    double ts = 0;
    if (auto it = o.find("ts"); it != o.end() && it->is_number()) ts = it->get<double>();
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (it.key() == "ts" || !it->is_number()) continue;
        out.push_back(Sample{std::string(device), it.key(), it->get<double>(), std::nullopt, ts});
    }
    if (out.empty()) return Fail("no numeric readings in the object");
    return out;
}

// SenML: base fields (bn, bt, bu) carry over to later records [RFC 8428 section 4.5].
std::expected<std::vector<Sample>, std::string> from_senml(const json& records,
                                                           std::string_view device) {
    std::vector<Sample> out;
    std::string base_name;
    double base_time = 0;
    std::optional<std::string> base_unit;
    for (const auto& r : records) {
        if (!r.is_object()) return Fail("SenML record is not an object");
        if (auto bn = r.find("bn"); bn != r.end() && bn->is_string()) base_name = *bn;
        if (auto bt = r.find("bt"); bt != r.end() && bt->is_number()) base_time = *bt;
        if (auto bu = r.find("bu"); bu != r.end() && bu->is_string()) base_unit = bu->get<std::string>();
        auto v = r.find("v");
        if (v == r.end()) continue;  // a base-only record, or a string/bool value
        if (!v->is_number()) return Fail("SenML value is not a number");
        Sample s;
        std::string name = base_name + r.value("n", std::string());
        // "urn:dev:ow:dev42:temp" style names: the device is the base name without the
        // trailing separator when present, else the topic's.
        if (!base_name.empty()) {
            std::string dev = base_name;
            while (!dev.empty() && (dev.back() == ':' || dev.back() == '/')) dev.pop_back();
            s.device = dev;
            s.metric = r.value("n", std::string());
        } else {
            s.device = std::string(device);
            s.metric = name;
        }
        if (s.metric.empty()) return Fail("SenML record without a name");
        s.value = v->get<double>();
        s.time_s = base_time + r.value("t", 0.0);
        if (auto u = r.find("u"); u != r.end() && u->is_string()) {
            s.unit = u->get<std::string>();
        } else {
            s.unit = base_unit;
        }
        out.push_back(std::move(s));
    }
    if (out.empty()) return Fail("no numeric SenML records");
    return out;
}

}  // namespace

std::expected<std::vector<Sample>, std::string> parse_telemetry(std::string_view payload,
                                                                std::string_view device) {
    json doc = json::parse(payload, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return Fail("payload is not JSON");
    if (doc.is_object()) return from_object(doc, device);
    if (doc.is_array()) return from_senml(doc, device);
    if (doc.is_number()) return std::vector<Sample>{{std::string(device), "value", doc.get<double>(), std::nullopt, 0}};
    return Fail("payload is neither an object, an array nor a number");
}

std::string device_from_topic(std::string_view topic) {
    auto first = topic.find('/');
    if (first == std::string_view::npos) return std::string(topic);
    auto rest = topic.substr(first + 1);
    return std::string(rest.substr(0, rest.find('/')));
}

}  // namespace sy::services

#include "firmware-sim/device_identity.hpp"

#include <algorithm>

namespace sy::sim {

std::string device_id(std::string_view prefix, std::uint32_t index, std::uint32_t devices) {
    const std::size_t width =
        std::max<std::size_t>(3, std::to_string(devices > 0 ? devices - 1 : 0).size());
    std::string digits = std::to_string(index);
    if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
    return std::string(prefix) + digits;
}

std::string expand_pattern(std::string_view pattern, std::string_view id, std::uint32_t index) {
    std::string out;
    out.reserve(pattern.size() + id.size());
    for (std::size_t i = 0; i < pattern.size();) {
        if (pattern.substr(i).starts_with("{id}")) {
            out += id;
            i += 4;
        } else if (pattern.substr(i).starts_with("{n}")) {
            out += std::to_string(index);
            i += 3;
        } else {
            out += pattern[i++];
        }
    }
    return out;
}

DeviceIdentity make_identity(const Scenario& scenario, std::uint32_t index) {
    DeviceIdentity d;
    d.index = index;
    d.id = device_id(scenario.fleet.id_prefix, index, scenario.fleet.devices);
    d.username = expand_pattern(scenario.fleet.username, d.id, index);
    d.password = expand_pattern(scenario.fleet.password, d.id, index);
    d.cert_file = expand_pattern(scenario.tls.cert_file, d.id, index);
    d.key_file = expand_pattern(scenario.tls.key_file, d.id, index);
    return d;
}

}  // namespace sy::sim

#pragma once
// Who device number n of a fleet is: its client id (the <id> in its topics) and the
// credentials and certificate files the scenario's patterns give it.

#include "firmware-sim/scenario.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace sy::sim {

struct DeviceIdentity {
    std::uint32_t index = 0;
    std::string id;
    std::string username;
    std::string password;
    std::string cert_file;
    std::string key_file;
};

// The prefix and the index, zero-padded to the width of the largest index (at least three
// digits): "sim-007" in a fleet of 200, "sim-00042" in one of 10,000 and more.
std::string device_id(std::string_view prefix, std::uint32_t index, std::uint32_t devices);

// Replaces every "{id}" in `pattern` by `id` and every "{n}" by `index`.
std::string expand_pattern(std::string_view pattern, std::string_view id, std::uint32_t index);

DeviceIdentity make_identity(const Scenario& scenario, std::uint32_t index);

}  // namespace sy::sim

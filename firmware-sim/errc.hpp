#pragma once
// Error codes of the simulator. Paho's exceptions stop at mqtt_endpoint.cpp and come out as these.

#include <string>
#include <system_error>

namespace sy::sim {

enum class errc {
    BadOptions = 1,
    ConnectFailed,
    SubscribeFailed,
    PublishFailed,
    Timeout,
    PeerGone,  // the other bench process closed its end or died
    DisconnectFailed,
};

const std::error_category& sim_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), sim_category()};
}

}  // namespace sy::sim

template <>
struct std::is_error_code_enum<sy::sim::errc> : std::true_type {};

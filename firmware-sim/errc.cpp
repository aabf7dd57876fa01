#include "firmware-sim/errc.hpp"

namespace sy::sim {
namespace {

class SimCategory final : public std::error_category {
public:
    const char* name() const noexcept override { return "sy.sim"; }

    std::string message(int code) const override {
        switch (static_cast<errc>(code)) {
            case errc::BadOptions:
                return "invalid options";
            case errc::ConnectFailed:
                return "connection to the broker failed";
            case errc::SubscribeFailed:
                return "subscribe was refused or failed";
            case errc::PublishFailed:
                return "publish could not be queued";
            case errc::Timeout:
                return "timed out";
            case errc::PeerGone:
                return "the subscriber process ended unexpectedly";
            case errc::DisconnectFailed:
                return "disconnect could not be sent";
        }
        return "unknown sim error";
    }
};

}  // namespace

const std::error_category& sim_category() noexcept {
    static const SimCategory category;
    return category;
}

}  // namespace sy::sim

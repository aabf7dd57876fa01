#include "firmware-sim/firmware_update.hpp"

#include <algorithm>
#include <utility>

namespace sy::sim {

bool FirmwareUpdate::start(const StartFirmwareUpdate& request, std::string request_id,
                           double now_s) {
    if (running_) return false;
    running_ = true;
    version_ = request.version;
    request_id_ = std::move(request_id);
    start_s_ = now_s;
    duration_s_ = std::max(0.0, request.duration_s);
    steps_ = std::max(1, request.steps);
    reported_ = 0;
    return true;
}

std::optional<double> FirmwareUpdate::next_due_s() const noexcept {
    if (!running_) return std::nullopt;
    return start_s_ + duration_s_ * (reported_ + 1) / steps_;
}

std::optional<FirmwareUpdate::Progress> FirmwareUpdate::poll(double now_s) {
    auto due = next_due_s();
    if (!due || now_s < *due) return std::nullopt;
    ++reported_;
    Progress p{reported_ * 100 / steps_, reported_ == steps_};
    if (p.done) running_ = false;
    return p;
}

}  // namespace sy::sim

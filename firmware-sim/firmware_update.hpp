#pragma once
// A simulated firmware update: after the command, progress reports are due at even steps over
// the update's duration; the last one says the image is installed, and the device then reboots
// into the new version. Pure: the device polls it with the current time.

#include "firmware-sim/device_command.hpp"

#include <optional>
#include <string>

namespace sy::sim {

class FirmwareUpdate {
public:
    struct Progress {
        int percent = 0;
        bool done = false;  // the last report: installed, reboot now
    };

    // False (and nothing changes) while another update is running.
    bool start(const StartFirmwareUpdate& request, std::string request_id, double now_s);
    void cancel() noexcept { running_ = false; }

    bool running() const noexcept { return running_; }
    const std::string& version() const noexcept { return version_; }
    const std::string& request_id() const noexcept { return request_id_; }

    // When the next report is due, while running.
    std::optional<double> next_due_s() const noexcept;

    // The next report when it is due at `now_s`. Call again for reports that fell due together;
    // after the report with done set, running() is false.
    std::optional<Progress> poll(double now_s);

private:
    bool running_ = false;
    std::string version_;
    std::string request_id_;
    double start_s_ = 0;
    double duration_s_ = 0;
    int steps_ = 1;
    int reported_ = 0;  // steps reported so far
};

}  // namespace sy::sim

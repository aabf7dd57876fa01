#include "firmware-sim/error_log.hpp"

namespace sy::sim {

void ErrorLog::report(std::string_view device, std::string_view what, std::string_view detail) {
    ++count_;
    if (out_ == nullptr || count_ > limit_) return;
    std::fprintf(out_, "switchyard-sim: %.*s: %.*s%s%.*s\n", static_cast<int>(device.size()),
                 device.data(), static_cast<int>(what.size()), what.data(),
                 detail.empty() ? "" : ": ", static_cast<int>(detail.size()), detail.data());
    if (count_ == limit_) {
        std::fprintf(out_, "switchyard-sim: further problems are only counted\n");
    }
}

void ErrorLog::summarize() {
    if (out_ == nullptr || count_ <= limit_) return;
    std::fprintf(out_, "switchyard-sim: %llu problems in all (the first %u shown)\n",
                 static_cast<unsigned long long>(count_), limit_);
}

}  // namespace sy::sim

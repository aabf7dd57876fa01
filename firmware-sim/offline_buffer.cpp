#include "firmware-sim/offline_buffer.hpp"

#include <utility>

namespace sy::sim {

bool OfflineBuffer::push(std::string payload) {
    if (capacity_ == 0) {
        ++dropped_;
        return false;
    }
    bool kept_all = true;
    if (payloads_.size() == capacity_) {
        payloads_.pop_front();
        ++dropped_;
        kept_all = false;
    }
    payloads_.push_back(std::move(payload));
    return kept_all;
}

std::deque<std::string> OfflineBuffer::take_all() {
    std::deque<std::string> out;
    out.swap(payloads_);
    return out;
}

}  // namespace sy::sim

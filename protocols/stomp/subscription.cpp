#include "protocols/stomp/subscription.hpp"

#include "protocols/stomp/connection.hpp"

namespace sy::stomp {

bool Subscription::ready() const { return conn_.can_deliver(); }

bool Subscription::deliver(core::Queue& /*q*/, core::DeliveryTag tag,
                           const core::QueueEntry& entry) {
    const std::uint64_t ack_id = conn_.send_message(*this, entry);
    if (mode_ == AckMode::Auto) return false;  // settled as it is written
    unacked_.emplace(ack_id, tag);
    return true;
}

bool Subscription::settle(std::uint64_t ack_id, bool positive, bool requeue) {
    auto it = unacked_.find(ack_id);
    if (it == unacked_.end()) return false;
    std::vector<core::DeliveryTag> tags;
    auto first = mode_ == AckMode::Client ? unacked_.begin() : it;
    for (auto i = first; i != std::next(it); ++i) tags.push_back(i->second);
    unacked_.erase(first, std::next(it));
    // Settling may deliver more at once (which adds to unacked_), so the map is updated first.
    if (positive) {
        for (auto tag : tags) queue_->ack(tag);
    } else {
        // Requeued messages go to the head one at a time: the latest first, so that they end
        // up in their original order.
        for (auto t = tags.rbegin(); t != tags.rend(); ++t) queue_->nack(*t, requeue);
    }
    return true;
}

}  // namespace sy::stomp

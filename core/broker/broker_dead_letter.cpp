// The broker's half of dead-lettering: a queue reports a dead letter, the broker forgets it in
// the store and republishes a copy to the queue's dead-letter exchange (dead_letter.hpp builds
// the copy).

#include "core/broker/broker.hpp"

namespace sy::core {

Broker::DeadLetterHold::~DeadLetterHold() {
    if (--b_.dead_letter_holds_ == 0) b_.drain_dead_letters();
}

void Broker::on_dead_letter(Queue& q, const QueueEntry& entry, DeadLetterReason reason) {
    forget(q, entry);
    if (reason == DeadLetterReason::Expired) ++stats_.messages_expired;
    if (!q.options().dead_letter_exchange) {
        // No dead-letter exchange: a plain drop, counted as before.
        if (reason != DeadLetterReason::Expired) ++stats_.messages_dropped;
        return;
    }
    dead_letters_.push_back(make_dead_letter(*entry.msg, q.name(), q.options(), reason));
    if (dead_letter_holds_ == 0) drain_dead_letters();
}

void Broker::drain_dead_letters() {
    // Republishing can dead-letter more (a full dead-letter queue with drop-head, a consumer
    // rejecting from inside deliver()); the loop takes those too instead of recursing.
    if (draining_) return;
    draining_ = true;
    while (!dead_letters_.empty()) {
        DeadLetter dl = std::move(dead_letters_.front());
        dead_letters_.pop_front();
        republish(std::move(dl));
    }
    draining_ = false;
}

void Broker::republish(DeadLetter dl) {
    const std::string& dlx = dl.message.exchange;
    if (!dlx.empty() && !find_exchange(dlx)) {
        ++stats_.dead_letters_dropped;  // RabbitMQ drops it too
        return;
    }
    RouteFilter keep;
    // A rejection needs a client to act, so RabbitMQ checks only automatic deaths for cycles.
    if (dl.reason != DeadLetterReason::Rejected) {
        keep = [&deaths = dl.deaths](const Queue& target) {
            return !is_death_cycle(deaths, target.name());
        };
    }
    const std::size_t routed = publish_routed(std::move(dl.message), nullptr, keep);
    if (routed > 0) {
        ++stats_.messages_dead_lettered;
    } else {
        ++stats_.dead_letters_dropped;  // unroutable, refused, or every route a cycle
    }
}

}  // namespace sy::core

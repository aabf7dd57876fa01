#include "core/queue/queue.hpp"

#include <algorithm>
#include <limits>

#include "core/model/assert.hpp"
#include "core/model/clock.hpp"

namespace sy::core {

Queue::Queue(std::string name, QueueOptions options, QueueObserver* observer, Clock clock)
    : name_(std::move(name)),
      options_(std::move(options)),
      observer_(observer),
      clock_(clock ? std::move(clock) : Clock(&wall_ms)),
      last_used_ms_(clock_()) {}

EnqueueResult Queue::enqueue(MessagePtr msg, std::uint8_t qos_cap, bool redelivered,
                             bool dispatch_now) {
    const auto size = msg->payload.size();
    auto over = [&] {
        return (options_.max_length && ready_count() >= options_.max_length) ||
               (options_.max_length_bytes && ready_bytes() + size > options_.max_length_bytes);
    };
    if (over()) {
        std::optional<std::int64_t> now;
        drop_expired_head(now);
    }
    if (over()) {
        if (options_.overflow == Overflow::RejectPublish) {
            ++dropped_total_;
            return EnqueueResult::Rejected;
        }
        // drop-head: make room by dead-lettering the oldest ready messages. Each leaves the
        // queue before the observer hears of it, and over() is asked again after every one,
        // since the observer may publish.
        while (!ready_.empty() && over()) {
            ++dropped_total_;
            dead_letter(take_front(), DeadLetterReason::Maxlen);
        }
        // The oldest may be on disk, not at hand: the queue goes over its limit for now and
        // drops them once they are read back (trim_overflow()).
        const bool head_on_disk = ready_.empty() && paged_count_ > 0;
        const bool fits_alone = !options_.max_length_bytes || size <= options_.max_length_bytes;
        if (over() && !(head_on_disk && fits_alone)) {  // a message larger than the byte limit
            ++dropped_total_;
            return EnqueueResult::Dropped;
        }
    }
    if (pageable(*msg) && (paged_count_ > 0 || ready_.size() >= options_.max_in_memory)) {
        page_out(*msg, qos_cap);  // the owner stores it; only its count stays here
    } else {
        ready_bytes_ += size;
        // Behind paged messages it waits in the tail, to keep publish order.
        auto& list = paged_count_ > 0 ? tail_ : ready_;
        list.push_back(QueueEntry{std::move(msg), qos_cap, redelivered});
    }
    if (dispatch_now) dispatch();
    return EnqueueResult::Queued;
}

void Queue::add_consumer(Consumer* consumer, std::uint32_t prefetch) {
    SY_ASSERT(!dispatching_);
    if (find_slot(consumer)) return;
    touch(clock_());
    consumers_.push_back(Slot{consumer, prefetch});
    dispatch();
}

void Queue::remove_consumer(Consumer* consumer, bool requeue) {
    SY_ASSERT(!dispatching_);
    auto it = std::find_if(consumers_.begin(), consumers_.end(),
                           [&](const Slot& s) { return s.consumer == consumer; });
    if (it == consumers_.end()) return;
    touch(clock_());
    consumers_.erase(it);
    if (next_consumer_ >= consumers_.size()) next_consumer_ = 0;
    if (!requeue) return;
    std::vector<std::pair<std::uint64_t, QueueEntry>> back;
    for (auto u = unacked_.begin(); u != unacked_.end();) {
        if (u->second.owner == consumer) {
            back.emplace_back(u->first, std::move(u->second.entry));
            u = unacked_.erase(u);
        } else {
            ++u;
        }
    }
    // Tags grow with delivery order, so sorting by tag restores the original order.
    std::sort(back.begin(), back.end(), [](auto& a, auto& b) { return a.first < b.first; });
    std::vector<QueueEntry> entries;
    entries.reserve(back.size());
    for (auto& [tag, e] : back) entries.push_back(std::move(e));
    requeue_front(std::move(entries));
    dispatch();
}

bool Queue::has_consumer(const Consumer* consumer) const {
    return std::any_of(consumers_.begin(), consumers_.end(),
                       [&](const Slot& s) { return s.consumer == consumer; });
}

void Queue::set_prefetch(Consumer* consumer, std::uint32_t prefetch) {
    if (auto* s = find_slot(consumer)) {
        s->prefetch = prefetch;
        dispatch();
    }
}

bool Queue::ack(DeliveryTag tag) {
    auto it = unacked_.find(tag.value);
    if (it == unacked_.end()) return false;
    auto entry = std::move(it->second.entry);
    auto* owner = it->second.owner;
    unacked_.erase(it);
    release_slot_credit(owner);
    if (observer_) observer_->on_settled(*this, entry);
    dispatch();
    return true;
}

bool Queue::nack(DeliveryTag tag, bool requeue) {
    auto it = unacked_.find(tag.value);
    if (it == unacked_.end()) return false;
    auto entry = std::move(it->second.entry);
    auto* owner = it->second.owner;
    unacked_.erase(it);
    release_slot_credit(owner);
    if (requeue) {
        std::vector<QueueEntry> one;
        one.push_back(std::move(entry));
        requeue_front(std::move(one));
    } else {
        ++dropped_total_;
        dead_letter(entry, DeadLetterReason::Rejected);
    }
    dispatch();
    return true;
}

std::optional<std::pair<DeliveryTag, QueueEntry>> Queue::get(bool no_ack) {
    std::optional<std::int64_t> now = clock_();
    touch(*now);
    drop_expired_head(now);
    if (ready_.empty()) {
        refill();  // a synchronous store answers at once; an asynchronous one: empty for now
        drop_expired_head(now);
    }
    if (ready_.empty()) return std::nullopt;
    QueueEntry e = take_front();
    DeliveryTag tag{next_tag_++};
    if (no_ack) {
        if (observer_) observer_->on_settled(*this, e);
    } else {
        unacked_.emplace(tag.value, Unacked{e, nullptr});
        if (observer_) observer_->on_delivered(*this, e);
    }
    refill();
    return std::make_pair(tag, std::move(e));
}

void Queue::dispatch() {
    // A consumer's deliver() may ack synchronously, which calls dispatch() again; the outer
    // loop picks up the new credit instead of recursing.
    if (dispatching_) {
        dispatch_again_ = true;
        return;
    }
    dispatching_ = true;
    std::optional<std::int64_t> now;  // read from the clock only if some entry can expire
    do {
        dispatch_again_ = false;
        while (true) {
            // Expired entries reaching the head are dead-lettered, never delivered, whether or
            // not a consumer has room.
            drop_expired_head(now);
            if (ready_.empty()) break;
            Slot* slot = next_ready_slot();
            if (!slot) break;
            QueueEntry e = take_front();
            DeliveryTag tag{next_tag_++};
            Consumer* c = slot->consumer;
            // Track before handing over, so an ack from inside deliver() finds the tag.
            auto [it, inserted] = unacked_.emplace(tag.value, Unacked{std::move(e), c});
            ++slot->unacked;
            const bool pending = c->deliver(*this, tag, it->second.entry);
            if (pending && observer_) {
                // deliver() may have acked already; only a still-unacked entry is reported.
                auto still = unacked_.find(tag.value);
                if (still != unacked_.end()) observer_->on_delivered(*this, still->second.entry);
            }
            if (!pending) {
                auto settled = unacked_.find(tag.value);
                if (settled != unacked_.end()) {
                    auto entry = std::move(settled->second.entry);
                    unacked_.erase(settled);
                    release_slot_credit(c);
                    if (observer_) observer_->on_settled(*this, entry);
                }
            }
        }
    } while (dispatch_again_);
    dispatching_ = false;
    refill();  // the head may have run low: ask for the next paged messages
}

std::size_t Queue::expire(std::int64_t now_ms) {
    std::optional<std::int64_t> now = now_ms;
    const std::size_t n = drop_expired_head(now);
    // Also the retry of a failed page-in. Nothing is delivered from here (Broker::tick walks
    // its queues while no consumer may run): what a synchronous store brings waits for the
    // next dispatch().
    page_failed_ = false;
    expiring_ = true;
    refill();
    expiring_ = false;
    return n;
}

std::optional<std::int64_t> Queue::deadline(const QueueEntry& entry) const {
    std::optional<std::uint64_t> ttl = options_.message_ttl_ms;
    const auto& own = entry.msg->props.expiration_ms;
    if (own && (!ttl || *own < *ttl)) ttl = own;
    if (!ttl) return std::nullopt;
    constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
    const std::int64_t base = entry.msg->published_at_ms;
    const auto room = static_cast<std::uint64_t>(base >= 0 ? kMax - base : kMax);
    if (*ttl > room) return std::nullopt;  // past the end of the clock: never
    return base + static_cast<std::int64_t>(*ttl);
}

bool Queue::unused_expired(std::int64_t now_ms) const {
    if (!options_.expires_ms || !consumers_.empty() || !unacked_.empty()) return false;
    const std::int64_t idle = now_ms - last_used_ms_;
    return idle >= 0 && static_cast<std::uint64_t>(idle) >= *options_.expires_ms;
}

std::size_t Queue::purge() {
    // Emptied before the observer hears of anything, so it may publish into this queue.
    std::deque<QueueEntry> gone;
    gone.swap(ready_);
    std::deque<QueueEntry> gone_tail;
    gone_tail.swap(tail_);
    ready_bytes_ = 0;
    const std::uint64_t paged = paged_count_;
    const MessageId after{page_cursor_};
    paged_count_ = 0;
    paged_bytes_ = 0;
    paged_caps_.clear();
    page_ticket_ = 0;  // a read in flight answers for messages that are gone: ignored
    page_failed_ = false;
    if (paged > 0) {
        dropped_total_ += paged;
        if (observer_) observer_->on_paged_dropped(*this, after, paged);
    }
    for (const auto& e : gone) drop_entry(e);
    for (const auto& e : gone_tail) drop_entry(e);
    return gone.size() + gone_tail.size() + static_cast<std::size_t>(paged);
}

Queue::Slot* Queue::find_slot(const Consumer* consumer) {
    for (auto& s : consumers_) {
        if (s.consumer == consumer) return &s;
    }
    return nullptr;
}

Queue::Slot* Queue::next_ready_slot() {
    const std::size_t n = consumers_.size();
    for (std::size_t i = 0; i < n; ++i) {
        std::size_t idx = (next_consumer_ + i) % n;
        Slot& s = consumers_[idx];
        if (s.prefetch != 0 && s.unacked >= s.prefetch) continue;
        if (!s.consumer->ready()) continue;
        next_consumer_ = (idx + 1) % n;
        return &s;
    }
    return nullptr;
}

void Queue::requeue_front(std::vector<QueueEntry> entries) {
    // Back to where it was, as RabbitMQ does: ready_ is in message-id (publish) order, so a
    // requeued entry goes before the first later message. Requeues land near the head, where a
    // deque inserts cheaply.
    for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
        it->redelivered = true;
        ready_bytes_ += it->msg->payload.size();
        const MessageId id = it->msg->id;
        auto pos = std::lower_bound(ready_.begin(), ready_.end(), id,
                                    [](const QueueEntry& e, MessageId v) { return e.msg->id < v; });
        ready_.insert(pos, std::move(*it));
    }
}

void Queue::release_slot_credit(Consumer* owner) {
    if (!owner) return;
    if (auto* s = find_slot(owner); s && s->unacked > 0) --s->unacked;
}

void Queue::drop_entry(const QueueEntry& e) {
    ++dropped_total_;
    if (observer_) observer_->on_dropped(*this, e);
}

void Queue::dead_letter(const QueueEntry& e, DeadLetterReason reason) {
    if (observer_) observer_->on_dead_letter(*this, e, reason);
}

bool Queue::head_expired(std::optional<std::int64_t>& now) const {
    if (ready_.empty()) return false;
    const auto dies = deadline(ready_.front());
    if (!dies) return false;
    if (!now) now = clock_();
    return *now > *dies;  // dead once it has waited longer than its TTL
}

std::size_t Queue::drop_expired_head(std::optional<std::int64_t>& now) {
    std::size_t n = 0;
    while (head_expired(now)) {
        ++expired_total_;
        ++n;
        dead_letter(take_front(), DeadLetterReason::Expired);
    }
    return n;
}

QueueEntry Queue::take_front() {
    QueueEntry e = std::move(ready_.front());
    ready_bytes_ -= e.msg->payload.size();
    ready_.pop_front();
    return e;
}

}  // namespace sy::core

// Paging: a durable queue past QueueOptions::max_in_memory keeps its persistent messages on
// disk only and reads them back in batches as its head drains (core/README.md, design notes).
//
// The queue never reads the store itself (it does not know it): it asks its observer with a
// PageRequest, and the answer comes back through page_in(), at once (memory store) or later on
// the loop thread (SQLite's storage thread posts it). One read is in flight at a time; its
// ticket tells a current answer from one that a purge made stale.

#include "core/model/assert.hpp"
#include "core/queue/queue.hpp"

#include <algorithm>
#include <limits>

namespace sy::core {

bool Queue::pageable(const Message& m) const {
    // Exactly what the broker stores (persistent, durable queue). A message without an id, or
    // one older than what is paged already, cannot be found after the cursor: kept in memory.
    return options_.max_in_memory != 0 && options_.durable && observer_ != nullptr &&
           m.props.persistent && m.id.value > std::max(page_cursor_, paged_last_id_);
}

void Queue::page_out(const Message& m, std::uint8_t qos_cap) {
    if (paged_count_ == 0) {
        // Everything in memory is older: read from just before this one.
        page_cursor_ = m.id.value - 1;
        paged_caps_.clear();
    }
    ++paged_count_;
    paged_bytes_ += m.payload.size();
    paged_last_id_ = m.id.value;
    // The store keeps no QoS cap (it is the binding's, per queue): runs of equal caps are
    // remembered here, usually a single one.
    if (paged_caps_.empty() || paged_caps_.back().cap != qos_cap) {
        paged_caps_.push_back(CapRun{m.id.value, qos_cap});
    }
}

// Called with ids in increasing order, so runs behind id can go.
std::uint8_t Queue::paged_cap(std::uint64_t id) {
    while (paged_caps_.size() > 1 && paged_caps_[1].first_id <= id) paged_caps_.pop_front();
    // Paged out before a restart: the cap is not known, as for every recovered message.
    if (paged_caps_.empty() || id < paged_caps_.front().first_id) return 2;
    return paged_caps_.front().cap;
}

void Queue::restore_paged(std::uint64_t count, std::uint64_t bytes, MessageId after,
                          MessageId last_id) {
    SY_ASSERT(paged_count_ == 0 && tail_.empty());
    if (count == 0) return;
    paged_count_ = count;
    paged_bytes_ = bytes;
    page_cursor_ = after.value;
    paged_last_id_ = std::max(last_id.value, after.value);
    paged_caps_.clear();
}

void Queue::refill() {
    // A synchronous store answers inside on_page_in(): page_in() dispatches, and dispatch()
    // ends here again. This loop asks for the next batch instead of recursing.
    if (refilling_ || options_.max_in_memory == 0 || observer_ == nullptr) return;
    refilling_ = true;
    const std::size_t low_water = std::max<std::size_t>(1, options_.max_in_memory / 2);
    while (paged_count_ > 0 && page_ticket_ == 0 && !page_failed_ && ready_.size() < low_water) {
        page_ticket_ = next_ticket_++;
        ++page_reads_;
        asked_count_ = paged_count_;
        asked_bytes_ = paged_bytes_;
        asked_horizon_ = paged_last_id_;
        asked_limit_ = options_.max_in_memory - ready_.size();
        observer_->on_page_in(*this,
                              PageRequest{MessageId{page_cursor_}, asked_limit_, page_ticket_});
    }
    refilling_ = false;
}

void Queue::page_in(std::uint64_t ticket, PageResult result) {
    if (ticket == 0 || ticket != page_ticket_) return;  // purged since it was asked for
    page_ticket_ = 0;
    if (!result.ok) {
        page_failed_ = true;  // asked again by the next expire() (Broker::tick)
        return;
    }
    std::uint64_t bytes = 0;
    for (const auto& m : result.messages) bytes += m.msg->payload.size();
    account_page(result, bytes);
    ready_bytes_ += bytes;
    merge_page(result.messages);  // looks the caps up, so they are dropped only after it
    if (paged_count_ == 0) paged_caps_.clear();
    if (options_.overflow == Overflow::DropHead) trim_overflow();
    if (!expiring_) dispatch();  // which ends in refill(): the next batch if still low
}

// Counts what the answer took off disk. A full answer (as many rows as asked for) accounts for
// its rows. A short one saw every paged message that was stored when it was asked for: those
// it did not return are gone (their append failed and was nacked to the publisher), so
// everything paged before the request is accounted for, plus what it returned from after it.
void Queue::account_page(const PageResult& r, std::uint64_t bytes) {
    std::uint64_t gone = r.rows;
    std::uint64_t gone_bytes = bytes;
    if (r.rows < asked_limit_) {
        gone = asked_count_;
        gone_bytes = asked_bytes_;
        for (const auto& m : r.messages) {
            if (m.msg->id.value <= asked_horizon_) continue;
            ++gone;
            gone_bytes += m.msg->payload.size();
        }
        page_cursor_ = std::max(page_cursor_, asked_horizon_);
    }
    page_cursor_ = std::max(page_cursor_, r.last_id.value);
    paged_count_ -= std::min(paged_count_, gone);
    paged_bytes_ -= std::min(paged_bytes_, gone_bytes);
    if (paged_count_ == 0) paged_bytes_ = 0;  // whatever unreadable rows left behind
}

// Appends the batch to the in-memory head, merging in by id the tail entries that came before
// its messages. With nothing left on disk the whole tail follows.
void Queue::merge_page(std::vector<PagedMessage>& messages) {
    const std::uint64_t bound =
        paged_count_ == 0 ? std::numeric_limits<std::uint64_t>::max() : page_cursor_;
    auto take_tail_below = [this](std::uint64_t id, bool inclusive) {
        while (!tail_.empty()) {
            const std::uint64_t t = tail_.front().msg->id.value;
            if (t > id || (t == id && !inclusive)) break;
            ready_.push_back(std::move(tail_.front()));
            tail_.pop_front();
        }
    };
    for (auto& m : messages) {
        const std::uint64_t id = m.msg->id.value;
        take_tail_below(id, false);
        const std::uint8_t cap = paged_cap(id);
        ready_.push_back(QueueEntry{std::move(m.msg), cap, m.redelivered});
    }
    take_tail_below(bound, true);
}

// Drop-head that could not drop (the oldest were on disk) catches up once they are here.
void Queue::trim_overflow() {
    auto over = [this] {
        return (options_.max_length && ready_count() > options_.max_length) ||
               (options_.max_length_bytes && ready_bytes() > options_.max_length_bytes);
    };
    while (!ready_.empty() && over()) {
        ++dropped_total_;
        dead_letter(take_front(), DeadLetterReason::Maxlen);
    }
}

}  // namespace sy::core

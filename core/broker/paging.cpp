// The broker's half of queue paging (core/README.md, design notes): a durable queue asks for
// its next paged messages and the broker reads them from the store, which answers on the loop
// thread, at once or later. A queue deleted before the answer arrives is recognised by its
// life token and left alone.

#include "core/broker/broker.hpp"

namespace sy::core {

void Broker::recover_messages(Queue& q) {
    // No dispatch: there is no consumer yet, and messages that expired while the broker was
    // down are left to the first tick, once exchanges and bindings are back to take them.
    const std::size_t limit = q.options().max_in_memory;
    auto head = limit == 0 ? store_.load(q.name()) : store_.load_head(q.name(), limit);
    for (auto& stored : head) {
        q.enqueue(stored.message, 2, stored.redelivered, /*dispatch_now=*/false);
    }
    if (limit == 0) return;
    // The rest stays on disk; the queue only learns how much there is (one range scan).
    const MessageId after = head.empty() ? MessageId{0} : head.back().message->id;
    const auto rest = store_.count_after(q.name(), after);
    q.restore_paged(rest.messages, rest.bytes, after, rest.last_id);
}

void Broker::on_page_in(Queue& q, const PageRequest& request) {
    store_.read_range(
        q.name(), request.after, request.limit,
        [queue = &q, life = q.life(), ticket = request.ticket](storage::StoredRange read) {
            // Deleted meanwhile (or the broker is gone with its queues): nothing to fill.
            if (life.expired()) return;
            PageResult page;
            page.ok = read.ok;
            page.rows = read.rows;
            page.last_id = read.last_id;
            page.messages.reserve(read.messages.size());
            for (auto& m : read.messages) {
                page.messages.push_back(PagedMessage{std::move(m.message), m.redelivered});
            }
            queue->page_in(ticket, std::move(page));
        });
}

void Broker::on_paged_dropped(Queue& q, MessageId after, std::uint64_t count) {
    stats_.messages_dropped += count;
    store_.remove_after(q.name(), after);
}

}  // namespace sy::core

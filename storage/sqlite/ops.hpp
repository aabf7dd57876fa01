#pragma once
// The write operations the loop hands to the writer thread, one struct per QueueStore call.
// Built on the loop, then owned by the writer: everything is held by value (a MessagePtr is
// immutable and its count atomic), so no op points back into loop state.

#include "storage/queue_store.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace sy::storage::sqlite {

struct AppendOp {
    core::MessagePtr message;
    std::vector<std::string> queues;
    QueueStore::Completion done;
    // Filled by the writer's planning pass: what to do with each of queues.
    enum class Fate : std::uint8_t { Write, WriteDelivered, Cancelled };
    std::vector<Fate> fates;
};

struct RemoveOp {
    std::string queue;
    std::uint64_t id = 0;
    bool skip = false;  // planning: its append is in the same batch and was cancelled
};

struct MarkDeliveredOp {
    std::string queue;
    std::uint64_t id = 0;
    bool skip = false;  // planning: folded into its append, repeated, or removed later
};

struct DropQueueOp {
    std::string queue;
};

// Forgets a queue's messages with ids above `after` (a purge of paged messages).
struct RemoveAfterOp {
    std::string queue;
    std::uint64_t after = 0;
};

// A paged queue's next messages. Not a write: the writer runs it after the batch it arrived in
// has committed (or failed), on its own connection, so it sees every operation issued before
// it; the result goes back to the loop with the batch's completions.
struct ReadRangeOp {
    std::string queue;
    std::uint64_t after = 0;
    std::size_t limit = 0;
    QueueStore::ReadDone done;
    StoredRange result;  // filled by the writer
};

struct SetRetainedOp {
    std::string key;
    core::MessagePtr message;  // nullptr clears
};

struct SaveExchangeOp {
    StoredExchange exchange;
};

struct DeleteExchangeOp {
    std::string name;
};

struct SaveQueueOp {
    StoredQueue queue;
};

struct SaveBindingOp {
    StoredBinding binding;
};

struct DeleteBindingOp {
    StoredBinding binding;
};

struct SaveMqttSessionOp {
    StoredMqttSession session;
};

struct DeleteMqttSessionOp {
    std::string client_id;
};

// Writes nothing; its completion says the batch it rode in (and every one before) committed.
struct BarrierOp {
    QueueStore::Completion done;
};

using Op =
    std::variant<AppendOp, RemoveOp, MarkDeliveredOp, DropQueueOp, SetRetainedOp, SaveExchangeOp,
                 DeleteExchangeOp, SaveQueueOp, SaveBindingOp, DeleteBindingOp, SaveMqttSessionOp,
                 DeleteMqttSessionOp, RemoveAfterOp, ReadRangeOp, BarrierOp>;

}  // namespace sy::storage::sqlite

#pragma once
// The loop thread's read connection: recovery at start-up. WAL lets it read while the writer
// connection is open; SqliteStore makes the writer idle before every read so a read sees
// every batch handed over so far.
//
// A row that fails to decode is skipped and counted, and each read logs one line about what
// it skipped: a damaged row must not keep the gateway from starting.

#include "storage/queue_store.hpp"
#include "storage/sqlite/db.hpp"

#include <cstdint>
#include <expected>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace sy::storage::sqlite {

struct ReaderStatements;

class StoreReader {
public:
    static std::expected<std::unique_ptr<StoreReader>, std::string> create(DbPtr db);

    StoreReader(const StoreReader&) = delete;
    StoreReader& operator=(const StoreReader&) = delete;
    ~StoreReader();

    // The queue's messages in id order; the first `limit` of them (0: all).
    std::vector<StoredMessage> load(const std::string& queue, std::size_t limit = 0);
    // Count, payload bytes and highest id of the queue's messages with ids above `after`.
    QueueExtent count_after(const std::string& queue, std::uint64_t after);
    std::vector<core::MessagePtr> load_retained();
    Topology load_topology();
    // No message id above this was ever handed to the store.
    std::expected<std::uint64_t, std::string> id_ceiling();

    // Hands the page cache back (it is sized for full loads, 64 MiB): after counting a paged
    // queue, whose range scan would otherwise keep tens of MiB of pages nobody reads again.
    void release_memory() { sqlite3_db_release_memory(db_.get()); }

    // Messages held by several queues are decoded once and shared between the loads; this
    // forgets them (traffic has started, recovery is over).
    void forget_shared() {
        if (shared_.empty()) return;
        decltype(shared_) none;  // swap, not clear(): clear() keeps (and zeroes) the buckets
        shared_.swap(none);
    }

private:
    StoreReader(DbPtr db, std::unique_ptr<ReaderStatements> st);

    // Decodes a messages row; nullptr (and a note in skipped_) if it is unreadable.
    core::MessagePtr message(std::uint64_t id, std::int64_t refs, std::string_view body);
    void report_skipped(std::string_view what);

    DbPtr db_;
    std::unique_ptr<ReaderStatements> st_;
    std::unordered_map<std::uint64_t, std::weak_ptr<const core::Message>> shared_;
    std::size_t skipped_ = 0;
    std::string first_skip_;
};

}  // namespace sy::storage::sqlite

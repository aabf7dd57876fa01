#pragma once
// The storage thread's half of SqliteStore: owns the write connection and its cached
// statements, and applies one batch of operations as one transaction.
//
// Before writing, a planning pass drops work that cancels out inside the batch: an append
// followed by a remove from the same queue writes no row for that queue (and no message row
// when no queue is left), a mark_delivered of a message appended in the batch is folded into
// its insert, and repeated or later-removed marks are skipped. The message body is encoded
// here, on the storage thread, not on the loop.

#include "storage/sqlite/db.hpp"
#include "storage/sqlite/ops.hpp"

#include <chrono>
#include <cstdint>
#include <expected>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sy::storage::sqlite {

struct WriterStatements;

class BatchWriter {
public:
    // db is configured and migrated. id_ceiling is meta.id_ceiling as read at open.
    static std::expected<std::unique_ptr<BatchWriter>, std::string> create(
        DbPtr db, std::uint64_t id_ceiling);

    BatchWriter(const BatchWriter&) = delete;
    BatchWriter& operator=(const BatchWriter&) = delete;
    ~BatchWriter();

    // Runs ops, in order, in one transaction. On error the transaction is rolled back and
    // nothing of the batch is kept; the connection stays usable for the next batch.
    std::expected<void, std::string> apply(std::vector<Op>& ops);

    // Runs the batch's ReadRangeOps (after apply(), committed or not), filling their results.
    // Outside any transaction, so each read sees what is committed.
    void read_ranges(std::vector<Op>& ops);

    // Checkpoints the WAL into the database once it holds enough frames. Called between
    // batches, after the completions went out, so it never delays an ack.
    void maybe_checkpoint();

    struct Counters {
        std::uint64_t batches = 0;          // transactions committed
        std::uint64_t skipped_batches = 0;  // batches with nothing left to write
        std::uint64_t cancelled_rows = 0;   // queue rows never written (removed in the batch)
        std::uint64_t range_reads = 0;      // read_range answers
    };
    const Counters& counters() const { return counters_; }

private:
    struct RowKey {
        std::string_view queue;
        std::uint64_t id;
        bool operator==(const RowKey&) const = default;
    };
    struct RowKeyHash {
        std::size_t operator()(const RowKey& k) const noexcept;
    };
    struct AppendSlot {
        AppendOp* op;
        std::size_t index;
    };

    BatchWriter(DbPtr db, std::unique_ptr<WriterStatements> st, std::uint64_t id_ceiling);

    bool plan(std::vector<Op>& ops);
    void plan_op(AppendOp& op);
    void plan_op(RemoveOp& op);
    void plan_op(MarkDeliveredOp& op);
    void plan_op(SetRetainedOp& op);
    template <class T>
    void plan_op(T&) {}

    bool exec(AppendOp& op);
    bool exec(RemoveOp& op);
    bool exec(MarkDeliveredOp& op);
    bool exec(DropQueueOp& op);
    bool exec(SetRetainedOp& op);
    bool exec(SaveExchangeOp& op);
    bool exec(DeleteExchangeOp& op);
    bool exec(SaveQueueOp& op);
    bool exec(SaveBindingOp& op);
    bool exec(DeleteBindingOp& op);
    bool run_binding(Stmt& s, const StoredBinding& b);
    bool exec(SaveMqttSessionOp& op);
    bool exec(DeleteMqttSessionOp& op);
    bool exec(RemoveAfterOp& op);
    bool exec(ReadRangeOp& op);
    bool exec(BarrierOp&) { return true; }
    void read_range(ReadRangeOp& op);

    bool add_refs(const core::Message& message, std::int64_t refs);
    bool release_unreferenced();
    bool raise_id_ceiling();
    bool run_all(std::vector<Op>& ops);
    bool check(int rc);
    std::string take_error();

    static int on_wal_commit(void* self, sqlite3* db, const char* name, int frames);

    DbPtr db_;
    std::unique_ptr<WriterStatements> st_;
    std::uint64_t id_ceiling_ = 0;
    std::uint64_t new_ceiling_ = 0;
    std::uint64_t batch_max_id_ = 0;
    int failed_rc_ = 0;
    int wal_frames_ = 0;
    std::string body_;  // encoding buffer, reused
    std::string args_;  // encoded header table, reused
    std::chrono::steady_clock::time_point last_read_error_log_{};
    std::size_t read_errors_unlogged_ = 0;
    std::unordered_map<RowKey, AppendSlot, RowKeyHash> appended_;
    std::unordered_map<RowKey, MarkDeliveredOp*, RowKeyHash> marked_;
    std::unordered_map<std::uint64_t, std::int64_t> unref_;  // message id -> references dropped
    Counters counters_;
};

}  // namespace sy::storage::sqlite

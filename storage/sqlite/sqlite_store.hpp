#pragma once
// The durable QueueStore: SQLite in WAL mode, written by one storage thread in group commits.
//
// Threads (DESIGN.md, "Threads"): the event loop calls every method. A write operation is
// appended to a loop-local list (no lock); flush(), once per loop iteration, hands that list to
// the storage thread under one mutex acquisition. The storage thread takes everything handed
// over since its last commit (up to about max_batch operations) and runs it as one
// transaction; meanwhile new operations pile up for the next one. That is the group commit.
// After COMMIT returns (and the WAL is fsynced, with SyncMode::Full) it posts one function to
// the loop that runs the batch's completions in order, all with the batch's outcome.
//
// A failed batch (disk full, I/O error, read-only file) is rolled back, logged and completed
// with ok=false; nothing is retried, the store goes on with the next batch.
//
// Start-up reads (load, load_head, count_after, topology) flush, wait until the storage thread
// is idle, and read on a second connection, so they see everything issued before them.
// read_range, the reads of a paged queue while traffic runs, never block the loop: it is queued
// like a write and the storage thread runs it after the batch it came in (so it sees every
// operation issued before it), then posts its result with the batch's completions.

#include "storage/queue_store.hpp"
#include "storage/sqlite/file_lock.hpp"
#include "storage/sqlite/ops.hpp"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sy::storage {

namespace sqlite {
class BatchWriter;
class StoreReader;
}  // namespace sqlite

class SqliteStore final : public QueueStore {
public:
    enum class SyncMode {
        Full,    // synchronous=FULL: ack after the WAL is fsynced; survives power loss
        Normal,  // synchronous=NORMAL: ack after commit; survives a process crash, but the
                 // last commits may roll back on power loss
    };

    struct Options {
        std::string path;  // e.g. data_dir + "/switchyard.db"; created if missing
        SyncMode sync = SyncMode::Full;
        // Runs a function on the event-loop thread; called from the storage thread. Required.
        std::function<void(std::function<void()>)> post;
        // A batch stops taking flushed lists once it holds this many operations (one list is
        // never split, so a batch may be larger).
        std::size_t max_batch = 4096;
        // Cap on the database file (0: none). Past it, batches fail as on a full disk: the
        // publisher gets a negative ack instead of the disk filling up.
        std::uint64_t max_size_bytes = 0;
        // How long a transaction waits for another process holding the write lock.
        std::chrono::milliseconds busy_timeout{5000};
    };

    // Locks "<path>.lock" (one gateway per database), opens or creates the database, switches
    // it to WAL, migrates the schema, reads the id ceiling and starts the storage thread. Any
    // failure (unreadable or corrupt file, schema newer than this build, database in use) is a
    // one-line reason.
    static std::expected<std::unique_ptr<SqliteStore>, std::string> open(Options options);

    // Hands over what is pending, lets the storage thread commit it, and joins the thread.
    // Completions are posted as usual; a poster whose loop has stopped drops them.
    ~SqliteStore() override;

    SqliteStore(const SqliteStore&) = delete;
    SqliteStore& operator=(const SqliteStore&) = delete;

    void append(const core::MessagePtr& message, const std::vector<std::string>& queues,
                Completion done) override;
    void remove(const std::string& queue, core::MessageId id) override;
    void mark_delivered(const std::string& queue, core::MessageId id) override;
    void drop_queue(const std::string& queue) override;
    std::vector<StoredMessage> load(const std::string& queue) override;
    std::vector<StoredMessage> load_head(const std::string& queue, std::size_t limit) override;
    QueueExtent count_after(const std::string& queue, core::MessageId after) override;
    void read_range(const std::string& queue, core::MessageId after, std::size_t limit,
                    ReadDone done) override;
    void remove_after(const std::string& queue, core::MessageId after) override;

    void set_retained(const std::string& key, const core::MessagePtr& message) override;
    std::vector<core::MessagePtr> load_retained() override;

    void save_exchange(const StoredExchange& exchange) override;
    void delete_exchange(const std::string& name) override;
    void save_queue(const StoredQueue& queue) override;
    void save_binding(const StoredBinding& binding) override;
    void delete_binding(const StoredBinding& binding) override;
    void save_mqtt_session(const StoredMqttSession& session) override;
    void delete_mqtt_session(const std::string& client_id) override;
    Topology load_topology() override;

    // At least the highest id ever handed to the store: ids are reserved in blocks on disk, so
    // after a restart this may be up to a block above the last message actually stored.
    core::MessageId max_message_id() override;

    void flush() override;
    void barrier(Completion done) override;

    // flush(), then blocks until the storage thread has committed everything (its completions
    // are posted, not necessarily run). For start-up reads, shutdown and tests.
    void drain();

private:
    SqliteStore(Options options, sqlite::FileLock lock, std::unique_ptr<sqlite::BatchWriter> writer,
                std::unique_ptr<sqlite::StoreReader> reader, std::uint64_t max_id);

    void push(sqlite::Op op);
    void run_writer();
    bool take_batch(std::vector<sqlite::Op>& batch);
    void finish_batch(std::vector<sqlite::Op>& batch, bool ok);
    static bool has_reads(const std::vector<sqlite::Op>& batch);
    void post_reads(std::vector<sqlite::Op>& batch);
    void post_to_loop(std::function<void()> fn, std::size_t count);
    void log_failure(const std::string& error, std::size_t ops);

    Options options_;
    sqlite::FileLock lock_;

    // Loop thread only.
    std::vector<sqlite::Op> pending_;
    std::unique_ptr<sqlite::StoreReader> reader_;
    std::uint64_t max_id_ = 0;

    // Storage thread only (created before it starts, destroyed after it is joined).
    std::unique_ptr<sqlite::BatchWriter> writer_;
    bool failure_logged_ = false;
    std::chrono::steady_clock::time_point last_failure_log_{};
    std::size_t suppressed_failures_ = 0;

    // Shared, under mu_.
    std::mutex mu_;
    std::condition_variable work_cv_;             // inbox_ not empty, or stopping_
    std::condition_variable idle_cv_;             // inbox_ empty and !busy_
    std::vector<std::vector<sqlite::Op>> inbox_;  // one list per flush, oldest first
    std::vector<std::vector<sqlite::Op>> spare_;  // emptied lists, capacity kept for reuse
    bool busy_ = false;
    bool stopping_ = false;

    std::thread thread_;
};

}  // namespace sy::storage

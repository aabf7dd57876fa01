#include "storage/sqlite/sqlite_store.hpp"

#include "core/model/assert.hpp"
#include "storage/sqlite/batch_writer.hpp"
#include "storage/sqlite/schema.hpp"
#include "storage/sqlite/store_reader.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <fmt/format.h>
#include <pthread.h>

namespace sy::storage {

using sqlite::Op;

namespace {

// At most one line per this interval about failing batches; the rest are counted.
constexpr auto kFailureLogInterval = std::chrono::seconds(5);
// Emptied operation lists kept for reuse, so a steady loop allocates none.
constexpr std::size_t kMaxSpareLists = 4;

sqlite::ConnectionSettings settings_of(const SqliteStore::Options& o) {
    sqlite::ConnectionSettings s;
    s.full_sync = o.sync == SqliteStore::SyncMode::Full;
    s.busy_timeout_ms = static_cast<int>(o.busy_timeout.count());
    s.max_size_bytes = o.max_size_bytes;
    return s;
}

// Opens, configures and migrates the write connection.
std::expected<sqlite::DbPtr, std::string> open_writer(const SqliteStore::Options& o) {
    auto db = sqlite::open_connection(o.path);
    if (!db) return std::unexpected(db.error());
    auto settings = settings_of(o);
    if (auto r = sqlite::configure_writer(db->get(), settings); !r) {
        return std::unexpected(r.error());
    }
    if (auto r = sqlite::migrate(db->get(), sqlite::migrations()); !r) {
        return std::unexpected(r.error());
    }
    return db;
}

std::expected<std::unique_ptr<sqlite::StoreReader>, std::string> open_reader(
    const SqliteStore::Options& o) {
    auto db = sqlite::open_connection(o.path);
    if (!db) return std::unexpected(db.error());
    if (auto r = sqlite::configure_reader(db->get(), settings_of(o)); !r) {
        return std::unexpected(r.error());
    }
    return sqlite::StoreReader::create(std::move(*db));
}

}  // namespace

std::expected<std::unique_ptr<SqliteStore>, std::string> SqliteStore::open(Options options) {
    auto fail = [&](const std::string& why) {
        return std::unexpected(fmt::format("cannot open store {}: {}", options.path, why));
    };
    if (!options.post) return fail("no post function given");
    auto lock = sqlite::FileLock::acquire(options.path + ".lock");
    if (!lock) return fail(lock.error());
    auto wdb = open_writer(options);
    if (!wdb) return fail(wdb.error());
    auto reader = open_reader(options);
    if (!reader) return fail(reader.error());
    auto ceiling = (*reader)->id_ceiling();
    if (!ceiling) return fail(ceiling.error());
    auto writer = sqlite::BatchWriter::create(std::move(*wdb), *ceiling);
    if (!writer) return fail(writer.error());
    return std::unique_ptr<SqliteStore>(new SqliteStore(
        std::move(options), std::move(*lock), std::move(*writer), std::move(*reader), *ceiling));
}

SqliteStore::SqliteStore(Options options, sqlite::FileLock lock,
                         std::unique_ptr<sqlite::BatchWriter> writer,
                         std::unique_ptr<sqlite::StoreReader> reader, std::uint64_t max_id)
    : options_(std::move(options)),
      lock_(std::move(lock)),
      reader_(std::move(reader)),
      max_id_(max_id),
      writer_(std::move(writer)) {
    options_.max_batch = std::max<std::size_t>(options_.max_batch, 1);
    thread_ = std::thread([this] { run_writer(); });
}

SqliteStore::~SqliteStore() {
    flush();
    {
        std::lock_guard lk(mu_);
        stopping_ = true;
    }
    work_cv_.notify_one();
    thread_.join();
    // The connection that closes last checkpoints the WAL into the database and deletes it;
    // let that be the writer, as the reader is query-only.
    reader_.reset();
    writer_.reset();
}

// ---- loop side -----------------------------------------------------------------------------

void SqliteStore::push(Op op) {
    pending_.push_back(std::move(op));
    // A loop that issues this much in one iteration gets its batch started early.
    if (pending_.size() >= options_.max_batch) flush();
}

void SqliteStore::append(const core::MessagePtr& message, const std::vector<std::string>& queues,
                         Completion done) {
    SY_ASSERT(message != nullptr);
    max_id_ = std::max(max_id_, message->id.value);
    reader_->forget_shared();
    push(sqlite::AppendOp{message, queues, std::move(done), {}});
}

void SqliteStore::barrier(Completion done) { push(sqlite::BarrierOp{std::move(done)}); }

void SqliteStore::remove(const std::string& queue, core::MessageId id) {
    push(sqlite::RemoveOp{queue, id.value, false});
}

void SqliteStore::mark_delivered(const std::string& queue, core::MessageId id) {
    push(sqlite::MarkDeliveredOp{queue, id.value, false});
}

void SqliteStore::drop_queue(const std::string& queue) {
    push(sqlite::DropQueueOp{queue});
}

void SqliteStore::remove_after(const std::string& queue, core::MessageId after) {
    push(sqlite::RemoveAfterOp{queue, after.value});
}

void SqliteStore::read_range(const std::string& queue, core::MessageId after, std::size_t limit,
                             ReadDone done) {
    push(sqlite::ReadRangeOp{queue, after.value, limit, std::move(done), {}});
}

void SqliteStore::set_retained(const std::string& key, const core::MessagePtr& message) {
    if (message) max_id_ = std::max(max_id_, message->id.value);
    push(sqlite::SetRetainedOp{key, message});
}

void SqliteStore::save_exchange(const StoredExchange& exchange) {
    push(sqlite::SaveExchangeOp{exchange});
}

void SqliteStore::delete_exchange(const std::string& name) {
    push(sqlite::DeleteExchangeOp{name});
}

void SqliteStore::save_queue(const StoredQueue& queue) {
    push(sqlite::SaveQueueOp{queue});
}

void SqliteStore::save_binding(const StoredBinding& binding) {
    push(sqlite::SaveBindingOp{binding});
}

void SqliteStore::delete_binding(const StoredBinding& binding) {
    push(sqlite::DeleteBindingOp{binding});
}

void SqliteStore::save_mqtt_session(const StoredMqttSession& session) {
    push(sqlite::SaveMqttSessionOp{session});
}

void SqliteStore::delete_mqtt_session(const std::string& client_id) {
    push(sqlite::DeleteMqttSessionOp{client_id});
}

core::MessageId SqliteStore::max_message_id() {
    return core::MessageId{max_id_};
}

void SqliteStore::flush() {
    if (pending_.empty()) return;
    {
        std::lock_guard lk(mu_);
        inbox_.push_back(std::move(pending_));
        if (!spare_.empty()) {
            pending_ = std::move(spare_.back());
            spare_.pop_back();
        } else {
            pending_ = {};
        }
    }
    work_cv_.notify_one();
}

void SqliteStore::drain() {
    flush();
    std::unique_lock lk(mu_);
    idle_cv_.wait(lk, [this] { return inbox_.empty() && !busy_; });
}

std::vector<StoredMessage> SqliteStore::load(const std::string& queue) {
    drain();
    return reader_->load(queue);
}

std::vector<StoredMessage> SqliteStore::load_head(const std::string& queue, std::size_t limit) {
    drain();
    return reader_->load(queue, limit);
}

QueueExtent SqliteStore::count_after(const std::string& queue, core::MessageId after) {
    drain();
    auto extent = reader_->count_after(queue, after.value);
    reader_->release_memory();
    return extent;
}

std::vector<core::MessagePtr> SqliteStore::load_retained() {
    drain();
    return reader_->load_retained();
}

Topology SqliteStore::load_topology() {
    drain();
    return reader_->load_topology();
}

// ---- storage thread ------------------------------------------------------------------------

void SqliteStore::run_writer() {
    pthread_setname_np(pthread_self(), "sy-storage");
    std::vector<Op> batch;
    while (take_batch(batch)) {
        auto result = writer_->apply(batch);
        if (!result) log_failure(result.error(), batch.size());
        finish_batch(batch, result.has_value());
        // After the acks are on their way: a read never delays a publisher's ack.
        if (has_reads(batch)) {
            writer_->read_ranges(batch);
            post_reads(batch);
        }
        batch.clear();
        writer_->maybe_checkpoint();
    }
}

// Waits for work and moves the oldest flushed lists into batch. False once stopping with
// nothing left.
bool SqliteStore::take_batch(std::vector<Op>& batch) {
    std::unique_lock lk(mu_);
    busy_ = false;
    if (inbox_.empty()) idle_cv_.notify_all();
    work_cv_.wait(lk, [this] { return !inbox_.empty() || stopping_; });
    if (inbox_.empty()) return false;
    std::size_t taken = 0;
    batch.swap(inbox_.front());  // the whole first list, without copying
    for (taken = 1; taken < inbox_.size() && batch.size() < options_.max_batch; ++taken) {
        auto& list = inbox_[taken];
        batch.insert(batch.end(), std::make_move_iterator(list.begin()),
                     std::make_move_iterator(list.end()));
        list.clear();
    }
    // inbox_.front() now holds batch's old, empty buffer: keep it and the drained lists.
    for (std::size_t i = 0; i < taken; ++i) {
        inbox_[i].clear();
        if (inbox_[i].capacity() > 0 && spare_.size() < kMaxSpareLists) {
            spare_.push_back(std::move(inbox_[i]));
        }
    }
    inbox_.erase(inbox_.begin(), inbox_.begin() + static_cast<std::ptrdiff_t>(taken));
    busy_ = true;
    return true;
}

// Posts the batch's append completions to the loop (one function for the batch, in issue
// order). The batch is cleared by the caller, here on the storage thread, not on the loop.
void SqliteStore::finish_batch(std::vector<Op>& batch, bool ok) {
    std::vector<Completion> done;
    for (auto& op : batch) {
        if (auto* a = std::get_if<sqlite::AppendOp>(&op); a != nullptr && a->done) {
            done.push_back(std::move(a->done));
        } else if (auto* b = std::get_if<sqlite::BarrierOp>(&op); b != nullptr && b->done) {
            done.push_back(std::move(b->done));
        }
    }
    if (done.empty()) return;
    const std::size_t count = done.size();
    post_to_loop(
        [done = std::move(done), ok]() {
            for (const auto& d : done) d(ok);
        },
        count);
}

bool SqliteStore::has_reads(const std::vector<Op>& batch) {
    return std::ranges::any_of(
        batch, [](const Op& op) { return std::holds_alternative<sqlite::ReadRangeOp>(op); });
}

// Posts the answers of the batch's range reads, in issue order, as one function.
void SqliteStore::post_reads(std::vector<Op>& batch) {
    std::vector<std::pair<ReadDone, StoredRange>> reads;
    for (auto& op : batch) {
        if (auto* r = std::get_if<sqlite::ReadRangeOp>(&op); r != nullptr && r->done) {
            reads.emplace_back(std::move(r->done), std::move(r->result));
        }
    }
    if (reads.empty()) return;
    const std::size_t count = reads.size();
    post_to_loop(
        [reads = std::move(reads)]() mutable {
            for (auto& [done, result] : reads) done(std::move(result));
        },
        count);
}

void SqliteStore::post_to_loop(std::function<void()> fn, std::size_t count) {
    try {
        options_.post(std::move(fn));
    } catch (const std::exception& e) {
        spdlog::error("[sqlite] could not post {} completions to the loop: {}", count, e.what());
    }
}

void SqliteStore::log_failure(const std::string& error, std::size_t ops) {
    auto now = std::chrono::steady_clock::now();
    if (failure_logged_ && now - last_failure_log_ < kFailureLogInterval) {
        ++suppressed_failures_;
        return;
    }
    spdlog::error(
        "[sqlite] batch of {} operations failed and was rolled back (its publishers get "
        "negative acks): {} ({} more failed batches not logged)",
        ops, error, suppressed_failures_);
    failure_logged_ = true;
    last_failure_log_ = now;
    suppressed_failures_ = 0;
}

}  // namespace sy::storage

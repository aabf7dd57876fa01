#include "storage/sqlite/batch_writer.hpp"

#include "storage/message_codec.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <fmt/format.h>
#include <functional>

namespace sy::storage::sqlite {
namespace {

// The WAL is checkpointed once it holds this many frames (pages): SQLite's own default for
// wal_autocheckpoint, about 4 MB with 4 KiB pages.
constexpr int kCheckpointFrames = 1000;

// Message ids are reserved in blocks: meta.id_ceiling is raised to the batch's highest id plus
// this much, so it is written about once per block instead of in every batch, and a batch
// whose every append was cancelled needs no transaction at all.
constexpr std::uint64_t kIdBlock = 4096;

// At most one log line per this interval about failing range reads; the rest are counted.
constexpr auto kReadErrorLogInterval = std::chrono::seconds(5);

std::int64_t i64(std::uint64_t v) {
    return static_cast<std::int64_t>(v);
}
std::int64_t i64(bool v) {
    return v ? 1 : 0;
}

}  // namespace

struct WriterStatements {
    Stmt begin, commit, rollback;
    Stmt insert_row, upsert_message, delete_row, mark_row;
    Stmt drop_rows, drop_queue_def, drop_queue_bindings;
    Stmt get_retained, put_retained, delete_retained;
    Stmt release_message, unref_message, delete_message;
    Stmt save_exchange, delete_exchange, delete_exchange_bindings, save_queue;
    Stmt save_binding, delete_binding, save_session, delete_session;
    Stmt set_ceiling;
    Stmt remove_after, read_range;
};

namespace {

const std::pair<Stmt WriterStatements::*, const char*> kWriterSql[] = {
    {&WriterStatements::begin, "BEGIN IMMEDIATE"},
    {&WriterStatements::commit, "COMMIT"},
    {&WriterStatements::rollback, "ROLLBACK"},
    {&WriterStatements::insert_row,
     "INSERT OR IGNORE INTO queue_messages(queue, msg_id, delivered, payload_size) "
     "VALUES(?1, ?2, ?3, ?4)"},
    {&WriterStatements::upsert_message,
     "INSERT INTO messages(id, refs, body) VALUES(?1, ?2, ?3) "
     "ON CONFLICT(id) DO UPDATE SET refs = refs + excluded.refs"},
    {&WriterStatements::delete_row, "DELETE FROM queue_messages WHERE queue = ?1 AND msg_id = ?2"},
    {&WriterStatements::mark_row,
     "UPDATE queue_messages SET delivered = 1 WHERE queue = ?1 AND msg_id = ?2"},
    {&WriterStatements::drop_rows, "DELETE FROM queue_messages WHERE queue = ?1 RETURNING msg_id"},
    {&WriterStatements::drop_queue_def, "DELETE FROM queues WHERE name = ?1"},
    {&WriterStatements::drop_queue_bindings,
     "DELETE FROM bindings WHERE destination = ?1 AND destination_is_exchange = 0"},
    {&WriterStatements::get_retained, "SELECT msg_id FROM retained WHERE key = ?1"},
    {&WriterStatements::put_retained,
     "INSERT OR REPLACE INTO retained(key, msg_id) VALUES(?1, ?2)"},
    {&WriterStatements::delete_retained, "DELETE FROM retained WHERE key = ?1"},
    {&WriterStatements::release_message, "DELETE FROM messages WHERE id = ?1 AND refs = ?2"},
    {&WriterStatements::unref_message,
     "UPDATE messages SET refs = refs - ?2 WHERE id = ?1 RETURNING refs"},
    {&WriterStatements::delete_message, "DELETE FROM messages WHERE id = ?1"},
    {&WriterStatements::save_exchange,
     "INSERT OR REPLACE INTO exchanges(name, type, auto_delete, internal, args) "
     "VALUES(?1, ?2, ?3, ?4, ?5)"},
    {&WriterStatements::delete_exchange, "DELETE FROM exchanges WHERE name = ?1"},
    {&WriterStatements::delete_exchange_bindings,
     "DELETE FROM bindings WHERE exchange = ?1 "
     "OR (destination_is_exchange = 1 AND destination = ?1)"},
    {&WriterStatements::save_queue,
     "INSERT OR REPLACE INTO queues(name, exclusive, auto_delete, args) "
     "VALUES(?1, ?2, ?3, ?4)"},
    {&WriterStatements::save_binding,
     "INSERT OR IGNORE INTO bindings(exchange, destination, destination_is_exchange, "
     "routing_key, args) VALUES(?1, ?2, ?3, ?4, ?5)"},
    {&WriterStatements::delete_binding,
     "DELETE FROM bindings WHERE exchange = ?1 AND destination = ?2 "
     "AND destination_is_exchange = ?3 AND routing_key = ?4 AND args = ?5"},
    {&WriterStatements::save_session,
     "INSERT OR REPLACE INTO mqtt_sessions(client_id, subscriptions, inbound_qos2, expiry_s, "
     "outbound_qos2) VALUES(?1, ?2, ?3, ?4, ?5)"},
    {&WriterStatements::delete_session, "DELETE FROM mqtt_sessions WHERE client_id = ?1"},
    {&WriterStatements::set_ceiling, "UPDATE meta SET value = ?1 WHERE key = 'id_ceiling'"},
    {&WriterStatements::remove_after,
     "DELETE FROM queue_messages WHERE queue = ?1 AND msg_id > ?2 RETURNING msg_id"},
    // A range scan of the queue's key from `after`; a row whose message is missing comes back
    // with a NULL body and counts as unreadable.
    {&WriterStatements::read_range,
     "SELECT qm.msg_id, qm.delivered, m.body FROM queue_messages AS qm "
     "LEFT JOIN messages AS m ON m.id = qm.msg_id "
     "WHERE qm.queue = ?1 AND qm.msg_id > ?2 ORDER BY qm.msg_id LIMIT ?3"},
};

}  // namespace

std::expected<std::unique_ptr<BatchWriter>, std::string> BatchWriter::create(
    DbPtr db, std::uint64_t id_ceiling) {
    auto st = std::make_unique<WriterStatements>();
    for (const auto& [member, sql] : kWriterSql) {
        auto s = Stmt::prepare(db.get(), sql);
        if (!s) return std::unexpected(s.error());
        (*st).*member = std::move(*s);
    }
    return std::unique_ptr<BatchWriter>(new BatchWriter(std::move(db), std::move(st), id_ceiling));
}

BatchWriter::BatchWriter(DbPtr db, std::unique_ptr<WriterStatements> st, std::uint64_t id_ceiling)
    : db_(std::move(db)), st_(std::move(st)), id_ceiling_(id_ceiling) {
    sqlite3_wal_hook(db_.get(), &BatchWriter::on_wal_commit, this);
}

BatchWriter::~BatchWriter() {
    sqlite3_wal_hook(db_.get(), nullptr, nullptr);
    // Statements must be finalized before the connection closes.
    st_.reset();
}

std::size_t BatchWriter::RowKeyHash::operator()(const RowKey& k) const noexcept {
    return std::hash<std::string_view>{}(k.queue) ^ (k.id * 0x9E3779B97F4A7C15ULL);
}

int BatchWriter::on_wal_commit(void* self, sqlite3*, const char*, int frames) {
    static_cast<BatchWriter*>(self)->wal_frames_ = frames;
    return SQLITE_OK;
}

void BatchWriter::maybe_checkpoint() {
    if (wal_frames_ < kCheckpointFrames) return;
    wal_frames_ = 0;
    // PASSIVE: never waits for readers; what it cannot copy now is copied next time.
    sqlite3_wal_checkpoint_v2(db_.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
}

// ---- planning ------------------------------------------------------------------------------

void BatchWriter::plan_op(AppendOp& op) {
    batch_max_id_ = std::max(batch_max_id_, op.message->id.value);
    op.fates.assign(op.queues.size(), AppendOp::Fate::Write);
    for (std::size_t i = 0; i < op.queues.size(); ++i) {
        RowKey key{op.queues[i], op.message->id.value};
        appended_[key] = AppendSlot{&op, i};
        marked_.erase(key);
    }
}

void BatchWriter::plan_op(RemoveOp& op) {
    RowKey key{op.queue, op.id};
    if (auto m = marked_.find(key); m != marked_.end()) {
        m->second->skip = true;  // no point marking a row that goes in this batch
        marked_.erase(m);
    }
    auto a = appended_.find(key);
    if (a == appended_.end()) return;
    // Consumed and acked before it reached disk: neither the insert nor the delete happens.
    a->second.op->fates[a->second.index] = AppendOp::Fate::Cancelled;
    op.skip = true;
    appended_.erase(a);
    ++counters_.cancelled_rows;
}

void BatchWriter::plan_op(MarkDeliveredOp& op) {
    RowKey key{op.queue, op.id};
    if (auto a = appended_.find(key); a != appended_.end()) {
        a->second.op->fates[a->second.index] = AppendOp::Fate::WriteDelivered;
        op.skip = true;
    } else if (marked_.contains(key)) {
        op.skip = true;
    } else {
        marked_.emplace(key, &op);
    }
}

void BatchWriter::plan_op(SetRetainedOp& op) {
    if (op.message) batch_max_id_ = std::max(batch_max_id_, op.message->id.value);
}

// Returns whether anything is left to write.
bool BatchWriter::plan(std::vector<Op>& ops) {
    batch_max_id_ = 0;
    for (auto& op : ops) std::visit([this](auto& o) { plan_op(o); }, op);
    appended_.clear();
    marked_.clear();
    for (const auto& op : ops) {
        if (const auto* a = std::get_if<AppendOp>(&op)) {
            if (std::ranges::any_of(a->fates,
                                    [](auto f) { return f != AppendOp::Fate::Cancelled; })) {
                return true;
            }
        } else if (const auto* r = std::get_if<RemoveOp>(&op)) {
            if (!r->skip) return true;
        } else if (const auto* m = std::get_if<MarkDeliveredOp>(&op)) {
            if (!m->skip) return true;
        } else if (std::holds_alternative<ReadRangeOp>(op)) {
            continue;  // not a write: runs after the transaction
        } else {
            return true;
        }
    }
    return false;
}

// ---- the transaction -----------------------------------------------------------------------

std::expected<void, std::string> BatchWriter::apply(std::vector<Op>& ops) {
    bool writes = plan(ops);
    if (!writes && batch_max_id_ <= id_ceiling_) {
        ++counters_.skipped_batches;
        return {};
    }
    bool ok = false;
    try {
        ok = run_all(ops);
    } catch (const std::exception&) {
        // Out of memory while encoding, most likely. The batch fails like any other.
        if (failed_rc_ == 0) failed_rc_ = SQLITE_NOMEM;
        ok = false;
    }
    unref_.clear();
    if (ok) {
        id_ceiling_ = std::max(id_ceiling_, new_ceiling_);
        ++counters_.batches;
        return {};
    }
    std::string error = take_error();
    // Some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM, SQLITE_BUSY) may already have
    // rolled the transaction back; sqlite3_get_autocommit says whether one is still open.
    if (sqlite3_get_autocommit(db_.get()) == 0) {
        ResetGuard g(st_->rollback);
        (void)st_->rollback.run();
    }
    return std::unexpected(std::move(error));
}

bool BatchWriter::run_all(std::vector<Op>& ops) {
    new_ceiling_ = 0;
    {
        ResetGuard g(st_->begin);
        if (!check(st_->begin.run())) return false;
    }
    for (auto& op : ops) {
        if (!std::visit([this](auto& o) { return exec(o); }, op)) return false;
    }
    if (!release_unreferenced() || !raise_id_ceiling()) return false;
    ResetGuard g(st_->commit);
    return check(st_->commit.run());
}

bool BatchWriter::check(int rc) {
    if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return true;
    if (failed_rc_ == 0) failed_rc_ = rc;
    return false;
}

std::string BatchWriter::take_error() {
    std::string text = error_text(db_.get(), failed_rc_ != 0 ? failed_rc_ : SQLITE_ERROR);
    failed_rc_ = 0;
    return text;
}

// Drops the references released in this batch, all at the end: a message removed from its
// last queue loses its row here, in the same transaction. The usual case, the last reference
// going, is a single DELETE.
bool BatchWriter::release_unreferenced() {
    for (const auto& [id, n] : unref_) {
        {
            auto& s = st_->release_message;
            ResetGuard g(s);
            s.bind(1, i64(id)).bind(2, n);
            if (!check(s.run())) return false;
            if (sqlite3_changes(db_.get()) > 0) continue;
        }
        std::int64_t left = 1;
        {
            auto& s = st_->unref_message;
            ResetGuard g(s);
            s.bind(1, i64(id)).bind(2, n);
            int rc = s.step();
            if (rc == SQLITE_ROW) left = s.column_int(0);
            if (!check(rc == SQLITE_ROW ? s.step() : rc)) return false;
        }
        if (left > 0) continue;
        auto& s = st_->delete_message;
        ResetGuard g(s);
        s.bind(1, i64(id));
        if (!check(s.run())) return false;
    }
    return true;
}

bool BatchWriter::raise_id_ceiling() {
    if (batch_max_id_ <= id_ceiling_) return true;
    new_ceiling_ = batch_max_id_ + kIdBlock;
    auto& s = st_->set_ceiling;
    ResetGuard g(s);
    s.bind(1, i64(new_ceiling_));
    return check(s.run());
}

bool BatchWriter::add_refs(const core::Message& message, std::int64_t refs) {
    body_.clear();
    encode_message(message, body_);
    auto& s = st_->upsert_message;
    ResetGuard g(s);
    s.bind(1, i64(message.id.value)).bind(2, refs).bind_blob(3, body_);
    return check(s.run());
}

// ---- one function per operation ------------------------------------------------------------

bool BatchWriter::exec(AppendOp& op) {
    std::int64_t inserted = 0;
    for (std::size_t i = 0; i < op.queues.size(); ++i) {
        if (op.fates[i] == AppendOp::Fate::Cancelled) continue;
        auto& s = st_->insert_row;
        ResetGuard g(s);
        s.bind(1, op.queues[i])
            .bind(2, i64(op.message->id.value))
            .bind(3, i64(op.fates[i] == AppendOp::Fate::WriteDelivered))
            .bind(4, i64(static_cast<std::uint64_t>(op.message->payload.size())));
        if (!check(s.run())) return false;
        inserted += sqlite3_changes(db_.get());
    }
    return inserted == 0 || add_refs(*op.message, inserted);
}

bool BatchWriter::exec(RemoveOp& op) {
    if (op.skip) return true;
    auto& s = st_->delete_row;
    ResetGuard g(s);
    s.bind(1, op.queue).bind(2, i64(op.id));
    if (!check(s.run())) return false;
    if (sqlite3_changes(db_.get()) > 0) ++unref_[op.id];
    return true;
}

bool BatchWriter::exec(MarkDeliveredOp& op) {
    if (op.skip) return true;
    auto& s = st_->mark_row;
    ResetGuard g(s);
    s.bind(1, op.queue).bind(2, i64(op.id));
    return check(s.run());
}

bool BatchWriter::exec(DropQueueOp& op) {
    {
        auto& s = st_->drop_rows;
        ResetGuard g(s);
        s.bind(1, op.queue);
        int rc = s.step();
        for (; rc == SQLITE_ROW; rc = s.step()) {
            ++unref_[static_cast<std::uint64_t>(s.column_int(0))];
        }
        if (!check(rc)) return false;
    }
    for (auto* s : {&st_->drop_queue_def, &st_->drop_queue_bindings}) {
        ResetGuard g(*s);
        s->bind(1, op.queue);
        if (!check(s->run())) return false;
    }
    return true;
}

bool BatchWriter::exec(SetRetainedOp& op) {
    {
        auto& s = st_->get_retained;
        ResetGuard g(s);
        s.bind(1, op.key);
        int rc = s.step();
        if (rc == SQLITE_ROW) ++unref_[static_cast<std::uint64_t>(s.column_int(0))];
        if (!check(rc)) return false;
    }
    if (!op.message) {
        auto& s = st_->delete_retained;
        ResetGuard g(s);
        s.bind(1, op.key);
        return check(s.run());
    }
    if (!add_refs(*op.message, 1)) return false;
    auto& s = st_->put_retained;
    ResetGuard g(s);
    s.bind(1, op.key).bind(2, i64(op.message->id.value));
    return check(s.run());
}

bool BatchWriter::exec(SaveExchangeOp& op) {
    const auto& e = op.exchange;
    args_.clear();
    encode_headers(e.args, args_);
    auto& s = st_->save_exchange;
    ResetGuard g(s);
    s.bind(1, e.name).bind(2, e.type).bind(3, i64(e.auto_delete)).bind(4, i64(e.internal));
    s.bind_blob(5, args_);
    return check(s.run());
}

bool BatchWriter::exec(DeleteExchangeOp& op) {
    for (auto* s : {&st_->delete_exchange, &st_->delete_exchange_bindings}) {
        ResetGuard g(*s);
        s->bind(1, op.name);
        if (!check(s->run())) return false;
    }
    return true;
}

bool BatchWriter::exec(SaveQueueOp& op) {
    const auto& q = op.queue;
    args_.clear();
    encode_headers(q.args, args_);
    auto& s = st_->save_queue;
    ResetGuard g(s);
    s.bind(1, q.name).bind(2, i64(q.exclusive)).bind(3, i64(q.auto_delete)).bind_blob(4, args_);
    return check(s.run());
}

bool BatchWriter::exec(SaveBindingOp& op) { return run_binding(st_->save_binding, op.binding); }

bool BatchWriter::exec(DeleteBindingOp& op) {
    return run_binding(st_->delete_binding, op.binding);
}

// Saving and deleting a binding bind the same identity columns.
bool BatchWriter::run_binding(Stmt& s, const StoredBinding& b) {
    args_.clear();
    encode_headers(b.args, args_);
    ResetGuard g(s);
    s.bind(1, b.exchange).bind(2, b.destination).bind(3, i64(b.destination_is_exchange));
    s.bind(4, b.key).bind_blob(5, args_);
    return check(s.run());
}

bool BatchWriter::exec(SaveMqttSessionOp& op) {
    const auto& m = op.session;
    std::string subs = encode_subscriptions(m.subscriptions);
    std::string qos2 = encode_packet_ids(m.inbound_qos2);
    std::string outbound = encode_outbound_qos2(m.outbound_qos2);
    auto& s = st_->save_session;
    ResetGuard g(s);
    s.bind(1, m.client_id).bind_blob(2, subs).bind_blob(3, qos2);
    s.bind(4, std::int64_t{m.expiry_s}).bind_blob(5, outbound);
    return check(s.run());
}

bool BatchWriter::exec(DeleteMqttSessionOp& op) {
    auto& s = st_->delete_session;
    ResetGuard g(s);
    s.bind(1, op.client_id);
    return check(s.run());
}

bool BatchWriter::exec(RemoveAfterOp& op) {
    auto& s = st_->remove_after;
    ResetGuard g(s);
    s.bind(1, op.queue).bind(2, i64(op.after));
    int rc = s.step();
    for (; rc == SQLITE_ROW; rc = s.step()) ++unref_[static_cast<std::uint64_t>(s.column_int(0))];
    return check(rc);
}

bool BatchWriter::exec(ReadRangeOp&) {
    return true;  // read_ranges() runs it once the transaction is over
}

// ---- range reads, after the transaction ----------------------------------------------------

void BatchWriter::read_ranges(std::vector<Op>& ops) {
    for (auto& op : ops) {
        if (auto* r = std::get_if<ReadRangeOp>(&op)) read_range(*r);
    }
}

void BatchWriter::read_range(ReadRangeOp& op) {
    ++counters_.range_reads;
    StoredRange& out = op.result;
    out.messages.reserve(std::min<std::size_t>(op.limit, 65536));
    auto& s = st_->read_range;
    ResetGuard g(s);
    s.bind(1, op.queue).bind(2, i64(op.after)).bind(3, i64(static_cast<std::uint64_t>(op.limit)));
    int rc = s.step();
    std::size_t unreadable = 0;
    for (; rc == SQLITE_ROW; rc = s.step()) {
        const auto id = static_cast<std::uint64_t>(s.column_int(0));
        ++out.rows;
        out.last_id = core::MessageId{id};
        auto decoded = decode_message(s.column_blob(2));
        if (!decoded || decoded->id.value != id) {
            ++unreadable;  // skipped, and the cursor moves past it
            continue;
        }
        // One allocation for the message and its count (no weak references here).
        out.messages.push_back(StoredMessage{
            std::make_shared<const core::Message>(std::move(*decoded)), s.column_int(1) != 0});
    }
    if (rc == SQLITE_DONE && unreadable == 0) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_read_error_log_ < kReadErrorLogInterval) {
        ++read_errors_unlogged_;
    } else {
        const std::string what = rc == SQLITE_DONE
                                     ? fmt::format("skipped {} unreadable rows", unreadable)
                                     : error_text(db_.get(), rc);
        spdlog::error("[sqlite] reading paged messages of queue '{}': {} ({} more not logged)",
                      op.queue, what, read_errors_unlogged_);
        last_read_error_log_ = now;
        read_errors_unlogged_ = 0;
    }
    if (rc != SQLITE_DONE) {
        out = StoredRange{};  // nothing to conclude from half a read
        out.ok = false;
    }
}

}  // namespace sy::storage::sqlite

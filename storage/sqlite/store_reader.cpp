#include "storage/sqlite/store_reader.hpp"

#include "storage/message_codec.hpp"
#include "storage/sqlite/schema.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <fmt/format.h>

namespace sy::storage::sqlite {

struct ReaderStatements {
    Stmt load_queue, load_retained, count_after;
    Stmt exchanges, queues, bindings, sessions;
    Stmt ceiling, max_id;
};

namespace {

const std::pair<Stmt ReaderStatements::*, const char*> kReaderSql[] = {
    // queue_messages is keyed (queue, msg_id): this is one range scan in id order, each
    // row joined to its message by rowid.
    {&ReaderStatements::load_queue,
     "SELECT m.id, m.refs, qm.delivered, m.body FROM queue_messages AS qm "
     "JOIN messages AS m ON m.id = qm.msg_id WHERE qm.queue = ?1 ORDER BY qm.msg_id LIMIT ?2"},
    // One range scan of queue_messages alone: the payload size is kept in the row (migration
    // 2). Rows written before it have none and count their message's encoded size instead.
    {&ReaderStatements::count_after,
     "SELECT count(*), coalesce(sum(coalesce(qm.payload_size, "
     "(SELECT length(m.body) FROM messages AS m WHERE m.id = qm.msg_id))), 0), "
     "coalesce(max(qm.msg_id), 0) FROM queue_messages AS qm "
     "WHERE qm.queue = ?1 AND qm.msg_id > ?2"},
    {&ReaderStatements::load_retained,
     "SELECT m.id, m.refs, m.body FROM retained AS r JOIN messages AS m ON m.id = r.msg_id "
     "ORDER BY r.key"},
    {&ReaderStatements::exchanges,
     "SELECT name, type, auto_delete, internal, args FROM exchanges ORDER BY name"},
    {&ReaderStatements::queues,
     "SELECT name, exclusive, auto_delete, args FROM queues ORDER BY name"},
    {&ReaderStatements::bindings,
     "SELECT exchange, destination, destination_is_exchange, routing_key, args "
     "FROM bindings ORDER BY seq"},
    {&ReaderStatements::sessions,
     "SELECT client_id, subscriptions, inbound_qos2, coalesce(expiry_s, 4294967295), "
     "coalesce(outbound_qos2, x'') FROM mqtt_sessions ORDER BY client_id"},
    {&ReaderStatements::ceiling, "SELECT value FROM meta WHERE key = 'id_ceiling'"},
    {&ReaderStatements::max_id, "SELECT coalesce(max(id), 0) FROM messages"},
};

}  // namespace

std::expected<std::unique_ptr<StoreReader>, std::string> StoreReader::create(DbPtr db) {
    auto st = std::make_unique<ReaderStatements>();
    for (const auto& [member, sql] : kReaderSql) {
        auto s = Stmt::prepare(db.get(), sql);
        if (!s) return std::unexpected(s.error());
        (*st).*member = std::move(*s);
    }
    return std::unique_ptr<StoreReader>(new StoreReader(std::move(db), std::move(st)));
}

StoreReader::StoreReader(DbPtr db, std::unique_ptr<ReaderStatements> st)
    : db_(std::move(db)), st_(std::move(st)) {}

StoreReader::~StoreReader() {
    st_.reset();
}

void StoreReader::report_skipped(std::string_view what) {
    if (skipped_ == 0) return;
    spdlog::error("[sqlite] {}: skipped {} unreadable entries (first: {})", what, skipped_,
                  first_skip_);
    skipped_ = 0;
    first_skip_.clear();
}

core::MessagePtr StoreReader::message(std::uint64_t id, std::int64_t refs, std::string_view body) {
    if (refs > 1) {
        if (auto it = shared_.find(id); it != shared_.end()) {
            if (auto m = it->second.lock()) return m;
        }
    }
    auto decoded = decode_message(body);
    if (!decoded || decoded->id.value != id) {
        if (skipped_++ == 0) {
            first_skip_ = fmt::format("message {}: {}", id,
                                      decoded ? "id does not match its row" : decoded.error());
        }
        return nullptr;
    }
    if (refs <= 1) return std::make_shared<const core::Message>(std::move(*decoded));
    // Not make_shared: the cache holds weak references, which would otherwise keep the whole
    // message (payload included) allocated after its last queue let go of it.
    core::MessagePtr m(new core::Message(std::move(*decoded)));
    shared_[id] = m;
    return m;
}

std::vector<StoredMessage> StoreReader::load(const std::string& queue, std::size_t limit) {
    std::vector<StoredMessage> out;
    if (limit != 0) out.reserve(limit);
    auto& s = st_->load_queue;
    ResetGuard g(s);
    s.bind(1, queue).bind(2, limit == 0 ? std::int64_t{-1} : static_cast<std::int64_t>(limit));
    int rc = s.step();
    for (; rc == SQLITE_ROW; rc = s.step()) {
        auto m =
            message(static_cast<std::uint64_t>(s.column_int(0)), s.column_int(1), s.column_blob(3));
        if (m) out.push_back(StoredMessage{std::move(m), s.column_int(2) != 0});
    }
    if (rc != SQLITE_DONE) {
        spdlog::error("[sqlite] loading queue '{}' stopped after {} messages: {}", queue,
                      out.size(), error_text(db_.get(), rc));
    }
    report_skipped(fmt::format("queue '{}'", queue));
    return out;
}

QueueExtent StoreReader::count_after(const std::string& queue, std::uint64_t after) {
    // A sequential scan that reads each page once: the default 2 MB cache does, and the 64 MiB
    // one would only fill up (RSS) with pages nobody reads again.
    (void)exec(db_.get(), "PRAGMA cache_size = -2000");
    struct RestoreCache {
        sqlite3* db;
        ~RestoreCache() {
            const auto sql = fmt::format("PRAGMA cache_size = -{}", kReaderCacheKib);
            (void)exec(db, sql.c_str());
        }
    } restore{db_.get()};
    QueueExtent e;
    auto& s = st_->count_after;
    ResetGuard g(s);
    s.bind(1, queue).bind(2, static_cast<std::int64_t>(after));
    const int rc = s.step();
    if (rc != SQLITE_ROW) {
        spdlog::error("[sqlite] counting queue '{}' failed: {}", queue, error_text(db_.get(), rc));
        return e;
    }
    e.messages = static_cast<std::uint64_t>(s.column_int(0));
    e.bytes = static_cast<std::uint64_t>(s.column_int(1));
    e.last_id = core::MessageId{static_cast<std::uint64_t>(s.column_int(2))};
    return e;
}

std::vector<core::MessagePtr> StoreReader::load_retained() {
    std::vector<core::MessagePtr> out;
    auto& s = st_->load_retained;
    ResetGuard g(s);
    int rc = s.step();
    for (; rc == SQLITE_ROW; rc = s.step()) {
        auto m =
            message(static_cast<std::uint64_t>(s.column_int(0)), s.column_int(1), s.column_blob(2));
        if (m) out.push_back(std::move(m));
    }
    if (rc != SQLITE_DONE) {
        spdlog::error("[sqlite] loading retained messages failed: {}", error_text(db_.get(), rc));
    }
    report_skipped("retained messages");
    return out;
}

namespace {

// Runs a topology query, handing each row to make(row) -> bool (false: unreadable).
template <class Make>
void each_row(sqlite3* db, Stmt& s, const char* what, std::size_t& skipped, Make make) {
    ResetGuard g(s);
    int rc = s.step();
    for (; rc == SQLITE_ROW; rc = s.step()) {
        if (!make(s)) ++skipped;
    }
    if (rc != SQLITE_DONE) {
        spdlog::error("[sqlite] loading {} failed: {}", what, error_text(db, rc));
    }
}

}  // namespace

Topology StoreReader::load_topology() {
    Topology t;
    std::size_t bad = 0;
    each_row(db_.get(), st_->exchanges, "exchanges", bad, [&](Stmt& s) {
        auto args = decode_headers(s.column_blob(4));
        if (!args) return false;
        t.exchanges.push_back(StoredExchange{std::string(s.column_text(0)),
                                             std::string(s.column_text(1)), s.column_int(2) != 0,
                                             s.column_int(3) != 0, std::move(*args)});
        return true;
    });
    each_row(db_.get(), st_->queues, "queues", bad, [&](Stmt& s) {
        auto args = decode_headers(s.column_blob(3));
        if (!args) return false;
        t.queues.push_back(StoredQueue{std::string(s.column_text(0)), s.column_int(1) != 0,
                                       s.column_int(2) != 0, std::move(*args)});
        return true;
    });
    each_row(db_.get(), st_->bindings, "bindings", bad, [&](Stmt& s) {
        auto args = decode_headers(s.column_blob(4));
        if (!args) return false;
        t.bindings.push_back(StoredBinding{std::string(s.column_text(0)),
                                           std::string(s.column_text(1)), s.column_int(2) != 0,
                                           std::string(s.column_text(3)), std::move(*args)});
        return true;
    });
    each_row(db_.get(), st_->sessions, "MQTT sessions", bad, [&](Stmt& s) {
        auto subs = decode_subscriptions(s.column_blob(1));
        auto qos2 = decode_packet_ids(s.column_blob(2));
        auto outbound = decode_outbound_qos2(s.column_blob(4));
        if (!subs || !qos2 || !outbound) return false;
        t.mqtt_sessions.push_back(StoredMqttSession{
            std::string(s.column_text(0)), std::move(*subs), std::move(*qos2),
            static_cast<std::uint32_t>(s.column_int(3)), std::move(*outbound)});
        return true;
    });
    if (bad > 0) spdlog::error("[sqlite] topology: skipped {} unreadable entries", bad);
    return t;
}

std::expected<std::uint64_t, std::string> StoreReader::id_ceiling() {
    std::uint64_t result = 0;
    for (auto* s : {&st_->ceiling, &st_->max_id}) {
        ResetGuard g(*s);
        int rc = s->step();
        if (rc != SQLITE_ROW) return std::unexpected(error_text(db_.get(), rc));
        result = std::max(result, static_cast<std::uint64_t>(s->column_int(0)));
    }
    return result;
}

}  // namespace sy::storage::sqlite

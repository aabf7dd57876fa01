#include "storage/sqlite/schema.hpp"

#include "storage/sqlite/db.hpp"

#include <fmt/format.h>

namespace sy::storage::sqlite {
namespace {

// Migration 1: the first schema.
//  - messages: one row per message however many queues hold it; refs counts the
//    queue_messages and retained rows that point at it, and the row goes when refs reaches 0.
//  - queue_messages: a queue's messages; WITHOUT ROWID so (queue, msg_id) is the table's own
//    key order and load() reads a queue as one range scan in publish order.
//  - meta.id_ceiling: no message id above it has been handed out (see BatchWriter).
constexpr const char* kMigration1 = R"sql(
CREATE TABLE meta(
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO meta(key, value) VALUES('id_ceiling', 0);

CREATE TABLE messages(
    id INTEGER PRIMARY KEY,
    refs INTEGER NOT NULL,
    body BLOB NOT NULL
);

CREATE TABLE queue_messages(
    queue TEXT NOT NULL,
    msg_id INTEGER NOT NULL,
    delivered INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY(queue, msg_id)
) WITHOUT ROWID;

CREATE TABLE retained(
    key TEXT PRIMARY KEY,
    msg_id INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE exchanges(
    name TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    auto_delete INTEGER NOT NULL,
    internal INTEGER NOT NULL,
    args BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE queues(
    name TEXT PRIMARY KEY,
    exclusive INTEGER NOT NULL,
    auto_delete INTEGER NOT NULL,
    args BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE bindings(
    seq INTEGER PRIMARY KEY,
    exchange TEXT NOT NULL,
    destination TEXT NOT NULL,
    destination_is_exchange INTEGER NOT NULL,
    routing_key TEXT NOT NULL,
    args BLOB NOT NULL,
    UNIQUE(exchange, destination, destination_is_exchange, routing_key, args)
);

CREATE TABLE mqtt_sessions(
    client_id TEXT PRIMARY KEY,
    subscriptions BLOB NOT NULL,
    inbound_qos2 BLOB NOT NULL
) WITHOUT ROWID;
)sql";

// Migration 2 (paging, 2026-11-22): the payload size of each queued message, so the size of
// the part of a queue that stays on disk is one range scan of queue_messages at start-up,
// without reading message bodies. Rows from before have NULL (the reader falls back to the
// encoded body's length, a few bytes more than the payload).
constexpr const char* kMigration2 = R"sql(
ALTER TABLE queue_messages ADD COLUMN payload_size INTEGER;
)sql";

// Migration 3 (MQTT session state, 2026-11-22): a session's expiry interval and its outbound
// QoS 2 packet ids, so exactly-once towards a subscriber survives a restart. Rows from before
// have NULL: no expiry, nothing in flight.
constexpr const char* kMigration3 = R"sql(
ALTER TABLE mqtt_sessions ADD COLUMN expiry_s INTEGER;
ALTER TABLE mqtt_sessions ADD COLUMN outbound_qos2 BLOB;
)sql";

constexpr Migration kMigrations[] = {
    {1, kMigration1},
    {2, kMigration2},
    {3, kMigration3},
};

std::expected<void, std::string> apply_one(sqlite3* db, const Migration& m) {
    if (auto r = exec(db, "BEGIN IMMEDIATE"); !r) return r;
    // Read the version inside the write transaction: another process that migrated first is
    // seen, not raced.
    auto current = query_int(db, "PRAGMA user_version");
    std::expected<void, std::string> r;
    if (!current) {
        r = std::unexpected(current.error());
    } else if (*current < m.version) {
        r = exec(db, m.sql);
        // user_version lives in the database header, which is written in this transaction.
        if (r) r = exec(db, fmt::format("PRAGMA user_version = {}", m.version).c_str());
    }
    if (r) r = exec(db, "COMMIT");
    if (!r) {
        if (sqlite3_get_autocommit(db) == 0) (void)exec(db, "ROLLBACK");
        return std::unexpected(fmt::format("migration {} failed: {}", m.version, r.error()));
    }
    return {};
}

}  // namespace

std::span<const Migration> migrations() {
    return kMigrations;
}

std::expected<int, std::string> migrate(sqlite3* db, std::span<const Migration> steps) {
    for (std::size_t i = 0; i < steps.size(); ++i) {
        if (steps[i].version != static_cast<int>(i) + 1) {
            return std::unexpected(fmt::format("migration list out of order at {}", i));
        }
    }
    auto found = query_int(db, "PRAGMA user_version");
    if (!found) return std::unexpected(found.error());
    const auto known = static_cast<std::int64_t>(steps.size());
    if (*found > known || *found < 0) {
        return std::unexpected(fmt::format(
            "database schema version {} is newer than this build supports ({}); run a newer "
            "switchyard or restore a backup",
            *found, known));
    }
    for (const auto& m : steps) {
        if (m.version <= *found) continue;
        if (auto r = apply_one(db, m); !r) return std::unexpected(r.error());
    }
    return static_cast<int>(*found);
}

std::expected<void, std::string> configure_writer(sqlite3* db, const ConnectionSettings& s) {
    sqlite3_busy_timeout(db, s.busy_timeout_ms);
    auto mode = query_text(db, "PRAGMA journal_mode = WAL");
    if (!mode) return std::unexpected(mode.error());
    if (*mode != "wal") {
        return std::unexpected(fmt::format("cannot use WAL mode (journal_mode is {})", *mode));
    }
    // FULL: the WAL is fsynced at every commit, so a committed batch survives power loss.
    // NORMAL: the WAL is fsynced only at checkpoints; a commit survives a process crash but
    // the last ones may roll back on power loss.
    const char* sync = s.full_sync ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL";
    if (auto r = exec(db, sync); !r) return r;
    // The writer checkpoints itself, after a batch's completions are on their way, so that a
    // checkpoint never delays an ack (see BatchWriter::maybe_checkpoint).
    if (auto r = exec(db, "PRAGMA wal_autocheckpoint = 0"); !r) return r;
    // After a burst the WAL is truncated back to this size at the next checkpoint reset.
    if (auto r = exec(db, "PRAGMA journal_size_limit = 67108864"); !r) return r;
    if (s.max_size_bytes > 0) {
        auto page = query_int(db, "PRAGMA page_size");
        if (!page) return std::unexpected(page.error());
        auto pages =
            std::max<std::uint64_t>(1, s.max_size_bytes / static_cast<std::uint64_t>(*page));
        // Per connection, not stored in the file; never lower than the current size.
        auto sql = fmt::format("PRAGMA max_page_count = {}", pages);
        if (auto r = query_int(db, sql.c_str()); !r) return std::unexpected(r.error());
    }
    return {};
}

std::expected<void, std::string> configure_reader(sqlite3* db, const ConnectionSettings& s) {
    sqlite3_busy_timeout(db, s.busy_timeout_ms);
    // Recovery reads every stored message once; a bigger page cache than the 2 MB default
    // keeps the messages b-tree's interior pages resident during the join.
    const auto cache = fmt::format("PRAGMA cache_size = -{}", kReaderCacheKib);
    if (auto r = exec(db, cache.c_str()); !r) return r;
    return exec(db, "PRAGMA query_only = 1");
}

}  // namespace sy::storage::sqlite

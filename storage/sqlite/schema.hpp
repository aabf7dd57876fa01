#pragma once
// The database schema as numbered migrations, and the per-connection settings.
//
// PRAGMA user_version holds the number of the last migration applied. Opening runs every
// newer migration, each in its own transaction together with the version bump, so a crash
// mid-upgrade leaves the database at the previous version, never half-way. A database whose
// version is newer than this build knows is refused: an older binary must not write a schema
// it does not understand. To change the schema, append a migration; never edit a shipped one.

#include <sqlite3.h>

#include <cstdint>
#include <expected>
#include <span>
#include <string>

namespace sy::storage::sqlite {

struct Migration {
    int version;      // 1, 2, 3... in order, no gaps
    const char* sql;  // may hold several statements
};

// Every migration this build knows, oldest first.
std::span<const Migration> migrations();

// Brings the database up to the last of steps. Returns the version found before migrating.
std::expected<int, std::string> migrate(sqlite3* db, std::span<const Migration> steps);

// The read connection's page cache, in KiB: sized for full recovery loads (see
// configure_reader); a paged queue's count runs with SQLite's default instead.
inline constexpr int kReaderCacheKib = 65536;

struct ConnectionSettings {
    bool full_sync = true;             // synchronous=FULL, else NORMAL
    int busy_timeout_ms = 5000;        // waits for another process holding the write lock
    std::uint64_t max_size_bytes = 0;  // 0: no cap (PRAGMA max_page_count)
};

// WAL mode (persistent in the file), synchronous level, busy timeout, WAL size limit. Also
// the first statement to read the file, so this is where a file that is not a database fails.
std::expected<void, std::string> configure_writer(sqlite3* db, const ConnectionSettings& s);
std::expected<void, std::string> configure_reader(sqlite3* db, const ConnectionSettings& s);

}  // namespace sy::storage::sqlite

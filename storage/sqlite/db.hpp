#pragma once
// Thin RAII over the SQLite C API: a connection, a prepared statement with typed binds, and
// error texts. Nothing here knows the schema.

#include <sqlite3.h>

#include <cstdint>
#include <expected>
#include <memory>
#include <string>
#include <string_view>

namespace sy::storage::sqlite {

struct DbCloser {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;

// "disk is full (SQLITE_FULL): database or disk is full" style text for a failed call.
std::string error_text(sqlite3* db, int rc);

// Opens (creating if missing) a read-write connection for use by one thread at a time.
std::expected<DbPtr, std::string> open_connection(const std::string& path);

// Runs SQL with no parameters and no rows wanted (pragmas, DDL, BEGIN/COMMIT).
std::expected<void, std::string> exec(sqlite3* db, const char* sql);

// The first column of the first row of a query, as an integer or a text.
std::expected<std::int64_t, std::string> query_int(sqlite3* db, const char* sql);
std::expected<std::string, std::string> query_text(sqlite3* db, const char* sql);

// A prepared statement kept for the life of its connection. Text and blob binds do not copy
// (SQLITE_STATIC): the bound bytes must stay alive until the statement is reset. A failed bind
// is remembered and returned by the next step(), so call sites check once.
class Stmt {
public:
    Stmt() = default;
    static std::expected<Stmt, std::string> prepare(sqlite3* db, std::string_view sql);

    Stmt& bind(int index, std::string_view text);
    Stmt& bind_blob(int index, std::string_view bytes);
    Stmt& bind(int index, std::int64_t value);

    // SQLITE_ROW, SQLITE_DONE or an error code.
    int step();
    // Steps through every row; SQLITE_DONE on success, else the error code.
    int run();
    void reset();

    std::int64_t column_int(int col) const;
    std::string_view column_text(int col) const;
    std::string_view column_blob(int col) const;

    sqlite3_stmt* get() const { return stmt_.get(); }

private:
    struct Finalizer {
        void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
    };
    std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
    int bind_rc_ = SQLITE_OK;
};

// Resets a statement when the scope ends, so an early return never leaves it mid-step (which
// would keep a read transaction open and block checkpoints).
class ResetGuard {
public:
    explicit ResetGuard(Stmt& s) : stmt_(s) {}
    ~ResetGuard() { stmt_.reset(); }
    ResetGuard(const ResetGuard&) = delete;
    ResetGuard& operator=(const ResetGuard&) = delete;

private:
    Stmt& stmt_;
};

}  // namespace sy::storage::sqlite

#include "storage/sqlite/db.hpp"

#include <fmt/format.h>

namespace sy::storage::sqlite {
namespace {

// The primary codes an operator meets; the rest print as numbers.
const char* code_name(int rc) {
    switch (rc & 0xFF) {
        case SQLITE_BUSY:
            return "SQLITE_BUSY";
        case SQLITE_NOMEM:
            return "SQLITE_NOMEM";
        case SQLITE_READONLY:
            return "SQLITE_READONLY";
        case SQLITE_IOERR:
            return "SQLITE_IOERR";
        case SQLITE_CORRUPT:
            return "SQLITE_CORRUPT";
        case SQLITE_FULL:
            return "SQLITE_FULL";
        case SQLITE_CANTOPEN:
            return "SQLITE_CANTOPEN";
        case SQLITE_TOOBIG:
            return "SQLITE_TOOBIG";
        case SQLITE_CONSTRAINT:
            return "SQLITE_CONSTRAINT";
        case SQLITE_NOTADB:
            return "SQLITE_NOTADB";
        default:
            return nullptr;
    }
}

}  // namespace

std::string error_text(sqlite3* db, int rc) {
    // sqlite3_errmsg describes the most recent failure on the connection, which is more
    // specific than the generic text of the code; fall back to the latter without one.
    bool same = db != nullptr && (sqlite3_extended_errcode(db) & 0xFF) == (rc & 0xFF);
    const char* msg = same ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    if (const char* name = code_name(rc)) return fmt::format("{} ({}, {})", msg, name, rc);
    return fmt::format("{} (code {})", msg, rc);
}

std::expected<DbPtr, std::string> open_connection(const std::string& path) {
    sqlite3* raw = nullptr;
    // NOMUTEX: each connection is used by one thread at a time, so SQLite's own per-call
    // mutex would only cost.
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    DbPtr db(raw);
    if (rc != SQLITE_OK) return std::unexpected(error_text(db.get(), rc));
    sqlite3_extended_result_codes(db.get(), 1);
    return db;
}

std::expected<void, std::string> exec(sqlite3* db, const char* sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
    if (rc == SQLITE_OK) return {};
    std::string text = err != nullptr ? fmt::format("{} (code {})", err, rc) : error_text(db, rc);
    sqlite3_free(err);
    return std::unexpected(std::move(text));
}

namespace {

template <class T, class Get>
std::expected<T, std::string> query_one(sqlite3* db, const char* sql, Get get) {
    auto stmt = Stmt::prepare(db, sql);
    if (!stmt) return std::unexpected(stmt.error());
    int rc = stmt->step();
    if (rc == SQLITE_ROW) return get(*stmt);
    if (rc == SQLITE_DONE) return std::unexpected(fmt::format("no row from: {}", sql));
    return std::unexpected(error_text(db, rc));
}

}  // namespace

std::expected<std::int64_t, std::string> query_int(sqlite3* db, const char* sql) {
    return query_one<std::int64_t>(db, sql, [](Stmt& s) { return s.column_int(0); });
}

std::expected<std::string, std::string> query_text(sqlite3* db, const char* sql) {
    return query_one<std::string>(db, sql, [](Stmt& s) { return std::string(s.column_text(0)); });
}

std::expected<Stmt, std::string> Stmt::prepare(sqlite3* db, std::string_view sql) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    Stmt s;
    s.stmt_.reset(raw);
    if (rc != SQLITE_OK) {
        return std::unexpected(fmt::format("{} in: {}", error_text(db, rc), sql));
    }
    return s;
}

Stmt& Stmt::bind(int index, std::string_view text) {
    int rc = sqlite3_bind_text64(stmt_.get(), index, text.data(), text.size(), SQLITE_STATIC,
                                 SQLITE_UTF8);
    if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
    return *this;
}

Stmt& Stmt::bind_blob(int index, std::string_view bytes) {
    int rc = sqlite3_bind_blob64(stmt_.get(), index, bytes.data(), bytes.size(), SQLITE_STATIC);
    if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
    return *this;
}

Stmt& Stmt::bind(int index, std::int64_t value) {
    int rc = sqlite3_bind_int64(stmt_.get(), index, value);
    if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
    return *this;
}

int Stmt::step() {
    if (bind_rc_ != SQLITE_OK) {
        int rc = bind_rc_;
        bind_rc_ = SQLITE_OK;
        return rc;
    }
    return sqlite3_step(stmt_.get());
}

int Stmt::run() {
    int rc = step();
    while (rc == SQLITE_ROW) rc = sqlite3_step(stmt_.get());
    return rc;
}

void Stmt::reset() {
    sqlite3_reset(stmt_.get());
    bind_rc_ = SQLITE_OK;
}

std::int64_t Stmt::column_int(int col) const {
    return sqlite3_column_int64(stmt_.get(), col);
}

std::string_view Stmt::column_text(int col) const {
    const auto* p = sqlite3_column_text(stmt_.get(), col);
    int n = sqlite3_column_bytes(stmt_.get(), col);
    if (p == nullptr) return {};
    return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)};
}

std::string_view Stmt::column_blob(int col) const {
    // Ask for the pointer before the size, as SQLite's documentation advises.
    const void* p = sqlite3_column_blob(stmt_.get(), col);
    int n = sqlite3_column_bytes(stmt_.get(), col);
    if (p == nullptr) return {};
    return {static_cast<const char*>(p), static_cast<std::size_t>(n)};
}

}  // namespace sy::storage::sqlite

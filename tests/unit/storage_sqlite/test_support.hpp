#pragma once
// Helpers for the SQLite store tests: a temporary directory, a stand-in for the event loop
// that receives the store's posted completions, and direct SQL access to check the file.

#include "core/model/message.hpp"
#include "storage/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace sy::storage::test {

class TempDir {
public:
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "sy-sqlite-XXXXXX").string();
        if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::string db() const { return (path_ / "switchyard.db").string(); }

private:
    std::filesystem::path path_;
};

// Plays the event loop: the store posts from its thread, the test runs what was posted.
class FakeLoop {
public:
    std::function<void(std::function<void()>)> poster() {
        return [this](std::function<void()> f) {
            std::lock_guard lk(mu_);
            posted_.push_back(std::move(f));
            cv_.notify_all();
        };
    }

    // Runs everything posted so far; returns how many functions ran.
    std::size_t run() {
        std::vector<std::function<void()>> now;
        {
            std::lock_guard lk(mu_);
            now.swap(posted_);
        }
        for (auto& f : now) f();
        return now.size();
    }

    // Waits until something is posted (or the timeout), then runs it.
    std::size_t wait_and_run(std::chrono::milliseconds timeout) {
        {
            std::unique_lock lk(mu_);
            cv_.wait_for(lk, timeout, [this] { return !posted_.empty(); });
        }
        return run();
    }

private:
    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<std::function<void()>> posted_;
};

inline SqliteStore::Options options(const std::string& path, FakeLoop& loop,
                                    SqliteStore::SyncMode sync = SqliteStore::SyncMode::Full) {
    SqliteStore::Options o;
    o.path = path;
    o.sync = sync;
    o.post = loop.poster();
    return o;
}

inline std::unique_ptr<SqliteStore> open_store(const SqliteStore::Options& o) {
    auto s = SqliteStore::open(o);
    if (!s) ADD_FAILURE() << s.error();
    return s ? std::move(*s) : nullptr;
}

inline core::MessagePtr msg(std::uint64_t id, std::string payload = {}) {
    auto m = std::make_shared<core::Message>();
    m->id = core::MessageId{id};
    m->exchange = "amq.topic";
    m->routing_key = "sensors.k" + std::to_string(id);
    m->payload = payload.empty() ? "payload-" + std::to_string(id) : std::move(payload);
    m->qos = 1;
    return m;
}

// Every field set, with values that exercise the encoding (empty strings, binary bytes,
// negative and extreme numbers, every header type).
inline core::MessagePtr full_message(std::uint64_t id) {
    auto m = std::make_shared<core::Message>();
    m->id = core::MessageId{id};
    m->exchange = "amq.topic";
    m->routing_key = "a.b/c.d";
    m->payload = std::string("\0\x01\xff binary \x80", 13);
    m->headers = {{"s", std::string("text")},
                  {"empty", std::string()},
                  {"i", std::int64_t{-42}},
                  {"imin", std::numeric_limits<std::int64_t>::min()},
                  {"imax", std::numeric_limits<std::int64_t>::max()},
                  {"d", 3.25},
                  {"dneg", -1e300},
                  {"t", true},
                  {"f", false},
                  {"s", std::string("duplicate names keep their order")}};
    m->props.content_type = "application/json";
    m->props.content_encoding = "gzip";
    m->props.correlation_id = std::string("\x00\x01", 2);
    m->props.reply_to = "replies";
    m->props.message_id = "";
    m->props.expiration_ms = 60000;
    m->props.timestamp_s = 1'790'000'000;
    m->props.priority = 9;
    m->props.persistent = true;
    m->origin.protocol = core::Protocol::Mqtt;
    m->origin.client_id = "device-17";
    m->origin.user = "alice";
    m->qos = 2;
    m->retain = true;
    m->published_at_ms = -1234567890123;
    return m;
}

inline void expect_same(const core::Message& a, const core::Message& b) {
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.exchange, b.exchange);
    EXPECT_EQ(a.routing_key, b.routing_key);
    EXPECT_EQ(a.payload, b.payload);
    EXPECT_EQ(a.headers, b.headers);
    EXPECT_EQ(a.props.content_type, b.props.content_type);
    EXPECT_EQ(a.props.content_encoding, b.props.content_encoding);
    EXPECT_EQ(a.props.correlation_id, b.props.correlation_id);
    EXPECT_EQ(a.props.reply_to, b.props.reply_to);
    EXPECT_EQ(a.props.message_id, b.props.message_id);
    EXPECT_EQ(a.props.expiration_ms, b.props.expiration_ms);
    EXPECT_EQ(a.props.timestamp_s, b.props.timestamp_s);
    EXPECT_EQ(a.props.priority, b.props.priority);
    EXPECT_EQ(a.props.persistent, b.props.persistent);
    EXPECT_EQ(a.origin.protocol, b.origin.protocol);
    EXPECT_EQ(a.origin.client_id, b.origin.client_id);
    EXPECT_EQ(a.origin.user, b.origin.user);
    EXPECT_EQ(a.qos, b.qos);
    EXPECT_EQ(a.retain, b.retain);
    EXPECT_EQ(a.published_at_ms, b.published_at_ms);
}

// A separate connection on the store's file, to check what is really on disk.
class RawDb {
public:
    explicit RawDb(const std::string& path) {
        if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
            ADD_FAILURE() << "cannot open " << path;
        }
        sqlite3_busy_timeout(db_, 5000);
    }
    ~RawDb() { sqlite3_close_v2(db_); }
    RawDb(const RawDb&) = delete;
    RawDb& operator=(const RawDb&) = delete;

    // The first column of the first row as an integer (-1 on error or no row).
    std::int64_t scalar(const std::string& sql) {
        sqlite3_stmt* s = nullptr;
        std::int64_t v = -1;
        if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
            ADD_FAILURE() << sqlite3_errmsg(db_) << " in " << sql;
            return v;
        }
        if (sqlite3_step(s) == SQLITE_ROW) v = sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
        return v;
    }

    std::string text(const std::string& sql) {
        sqlite3_stmt* s = nullptr;
        std::string v;
        if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
            ADD_FAILURE() << sqlite3_errmsg(db_) << " in " << sql;
            return v;
        }
        if (sqlite3_step(s) == SQLITE_ROW) {
            if (const auto* t = sqlite3_column_text(s, 0)) v = reinterpret_cast<const char*>(t);
        }
        sqlite3_finalize(s);
        return v;
    }

    void exec(const std::string& sql) {
        char* err = nullptr;
        if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
            ADD_FAILURE() << (err ? err : "?") << " in " << sql;
        }
        sqlite3_free(err);
    }

    sqlite3* get() { return db_; }

private:
    sqlite3* db_ = nullptr;
};

}  // namespace sy::storage::test

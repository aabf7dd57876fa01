// Opening: migrations, schema versions from the future, files that are not (or no longer)
// a sound database.
#include "storage/sqlite/schema.hpp"

#include "storage/sqlite/db.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "tests/unit/storage_sqlite/test_support.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <string>

namespace sy::storage {
namespace {

using test::FakeLoop;
using test::RawDb;
using test::TempDir;

void write_file(const std::string& path, const std::string& bytes) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string random_bytes(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(rng());
    return s;
}

TEST(SqliteSchema, AFreshDatabaseGetsTheLatestVersion) {
    TempDir dir;
    FakeLoop loop;
    {
        auto s = test::open_store(test::options(dir.db(), loop));
        ASSERT_TRUE(s);
    }
    RawDb raw(dir.db());
    EXPECT_EQ(raw.scalar("PRAGMA user_version"),
              static_cast<std::int64_t>(sqlite::migrations().size()));
    EXPECT_EQ(raw.text("PRAGMA journal_mode"), "wal");  // stored in the file
    EXPECT_EQ(raw.scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'queue_messages'"), 1);
}

TEST(SqliteSchema, ReopeningRunsNoMigrationTwice) {
    TempDir dir;
    FakeLoop loop;
    for (int i = 0; i < 3; ++i) {
        auto s = test::open_store(test::options(dir.db(), loop));
        ASSERT_TRUE(s);
        s->append(test::msg(static_cast<std::uint64_t>(i + 1)), {"q"}, nullptr);
    }
    auto s = test::open_store(test::options(dir.db(), loop));
    ASSERT_TRUE(s);
    EXPECT_EQ(s->load("q").size(), 3U);
}

TEST(SqliteSchema, ADatabaseFromTheFutureIsRefused) {
    TempDir dir;
    FakeLoop loop;
    {
        auto s = test::open_store(test::options(dir.db(), loop));
        ASSERT_TRUE(s);
    }
    {
        RawDb raw(dir.db());
        raw.exec("PRAGMA user_version = 99");
    }
    auto s = SqliteStore::open(test::options(dir.db(), loop));
    ASSERT_FALSE(s.has_value());
    EXPECT_NE(s.error().find("schema version 99 is newer"), std::string::npos) << s.error();
    EXPECT_EQ(s.error().find('\n'), std::string::npos);
    RawDb raw(dir.db());
    EXPECT_EQ(raw.scalar("PRAGMA user_version"), 99);  // left as it was
}

// The mechanism with a second migration, as the next schema change will add one.
TEST(SqliteSchema, MigratesStepByStepFromAnOlderVersion) {
    TempDir dir;
    auto db = sqlite::open_connection(dir.db());
    ASSERT_TRUE(db.has_value()) << db.error();
    auto v1 = sqlite::migrations().first(1);
    auto r = sqlite::migrate(db->get(), v1);
    ASSERT_TRUE(r.has_value()) << r.error();
    EXPECT_EQ(*r, 0);
    ASSERT_TRUE(sqlite::exec(db->get(), "INSERT INTO queues VALUES('old', 0, 0, x'0100')"));

    const sqlite::Migration steps[] = {
        v1[0],
        {2,
         "ALTER TABLE queues ADD COLUMN max_length INTEGER NOT NULL DEFAULT 0;"
         "UPDATE queues SET max_length = 10;"},
    };
    r = sqlite::migrate(db->get(), steps);
    ASSERT_TRUE(r.has_value()) << r.error();
    EXPECT_EQ(*r, 1);
    EXPECT_EQ(sqlite::query_int(db->get(), "PRAGMA user_version").value_or(-1), 2);
    EXPECT_EQ(sqlite::query_int(db->get(), "SELECT max_length FROM queues").value_or(-1), 10);

    r = sqlite::migrate(db->get(), steps);  // nothing left to do
    ASSERT_TRUE(r.has_value()) << r.error();
    EXPECT_EQ(*r, 2);
}

TEST(SqliteSchema, AFailedMigrationLeavesThePreviousVersionWhole) {
    TempDir dir;
    auto db = sqlite::open_connection(dir.db());
    ASSERT_TRUE(db.has_value()) << db.error();
    ASSERT_TRUE(sqlite::migrate(db->get(), sqlite::migrations().first(1)).has_value());
    const sqlite::Migration steps[] = {
        sqlite::migrations()[0],
        {2, "CREATE TABLE half(x); SELECT * FROM no_such_table;"},
    };
    auto r = sqlite::migrate(db->get(), steps);
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().find("migration 2 failed"), std::string::npos) << r.error();
    EXPECT_EQ(sqlite::query_int(db->get(), "PRAGMA user_version").value_or(-1), 1);
    EXPECT_EQ(sqlite::query_int(db->get(), "SELECT count(*) FROM sqlite_schema WHERE name='half'")
                  .value_or(-1),
              0);
}

TEST(SqliteSchema, AFileOfRandomBytesIsAnErrorNotACrash) {
    TempDir dir;
    FakeLoop loop;
    write_file(dir.db(), random_bytes(64 * 1024, 1));
    auto s = SqliteStore::open(test::options(dir.db(), loop));
    ASSERT_FALSE(s.has_value());
    EXPECT_NE(s.error().find(dir.db()), std::string::npos) << s.error();
    EXPECT_NE(s.error().find("not a database"), std::string::npos) << s.error();
    EXPECT_EQ(s.error().find('\n'), std::string::npos);
}

TEST(SqliteSchema, AMissingDirectoryIsAnError) {
    TempDir dir;
    FakeLoop loop;
    auto path = (dir.path() / "nope" / "x.db").string();
    auto s = SqliteStore::open(test::options(path, loop));
    ASSERT_FALSE(s.has_value());
    EXPECT_NE(s.error().find(path), std::string::npos) << s.error();
    EXPECT_NE(s.error().find("No such file or directory"), std::string::npos) << s.error();
}

TEST(SqliteSchema, ASecondStoreOnTheSameFileIsRefusedUntilTheFirstCloses) {
    TempDir dir;
    FakeLoop loop;
    auto first = test::open_store(test::options(dir.db(), loop));
    ASSERT_TRUE(first);
    auto second = SqliteStore::open(test::options(dir.db(), loop));
    ASSERT_FALSE(second.has_value());
    EXPECT_NE(second.error().find("another process has this database open"), std::string::npos)
        << second.error();
    first.reset();
    EXPECT_TRUE(test::open_store(test::options(dir.db(), loop)));
}

TEST(SqliteSchema, OpenRequiresAPoster) {
    TempDir dir;
    SqliteStore::Options o;
    o.path = dir.db();
    auto s = SqliteStore::open(o);
    ASSERT_FALSE(s.has_value());
    EXPECT_NE(s.error().find("post"), std::string::npos);
}

// Damage inside a real database: opening may fail or succeed (SQLite reads pages lazily), but
// nothing crashes and whatever is still readable is returned.
TEST(SqliteSchema, ADamagedDatabaseNeverCrashesTheReader) {
    TempDir dir;
    FakeLoop loop;
    {
        auto s = test::open_store(test::options(dir.db(), loop));
        ASSERT_TRUE(s);
        for (std::uint64_t id = 1; id <= 2000; ++id) {
            s->append(test::msg(id, std::string(300, 'x')), {"q"}, nullptr);
        }
        s->set_retained("k", test::msg(5000));
        s->save_queue({"q", false, false, {}});
    }
    std::string bytes;
    {
        std::ifstream f(dir.db(), std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(f), {});
    }
    ASSERT_GT(bytes.size(), 64U * 1024);
    for (std::uint64_t seed = 0; seed < 8; ++seed) {
        auto damaged = bytes;
        // Keep the 100-byte header so SQLite gets past it, then scribble over pages.
        std::mt19937_64 rng(seed);
        for (int i = 0; i < 64; ++i) {
            std::size_t at = 100 + rng() % (damaged.size() - 100 - 512);
            auto junk = random_bytes(512, rng());
            damaged.replace(at, junk.size(), junk);
        }
        write_file(dir.db(), damaged);
        auto s = SqliteStore::open(test::options(dir.db(), loop));
        if (!s) {
            EXPECT_EQ(s.error().find('\n'), std::string::npos);
            continue;
        }
        EXPECT_LE((*s)->load("q").size(), 2000U);
        (void)(*s)->load_retained();
        (void)(*s)->load_topology();
    }
}

TEST(SqliteSchema, AnUnreadableMessageRowIsSkippedNotFatal) {
    TempDir dir;
    FakeLoop loop;
    {
        auto s = test::open_store(test::options(dir.db(), loop));
        ASSERT_TRUE(s);
        for (std::uint64_t id = 1; id <= 3; ++id) s->append(test::msg(id), {"q"}, nullptr);
    }
    {
        RawDb raw(dir.db());
        raw.exec("UPDATE messages SET body = x'01ffff' WHERE id = 2");
    }
    auto s = test::open_store(test::options(dir.db(), loop));
    ASSERT_TRUE(s);
    auto loaded = s->load("q");
    ASSERT_EQ(loaded.size(), 2U);
    EXPECT_EQ(loaded[0].message->id.value, 1U);
    EXPECT_EQ(loaded[1].message->id.value, 3U);
}

}  // namespace
}  // namespace sy::storage

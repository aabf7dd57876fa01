// Measurements, not assertions: disabled by default, run with
//   sy_storage_sqlite_tests --gtest_also_run_disabled_tests --gtest_filter='*Perf*'
// (a Release build gives the figures quoted in storage/README.md).
#include "storage/sqlite/sqlite_store.hpp"
#include "tests/unit/storage_sqlite/test_support.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace sy::storage {
namespace {

using Clock = std::chrono::steady_clock;
using test::FakeLoop;
using test::TempDir;

double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

// A loop that keeps `window` publishes in flight (many publishers, each waiting for acks) and
// issues `per_iteration` appends per iteration before flushing.
double publish(SqliteStore& store, FakeLoop& loop, std::uint64_t first, std::uint64_t count,
               std::size_t window, std::size_t per_iteration, std::size_t payload) {
    std::size_t in_flight = 0;
    std::uint64_t acked = 0;
    std::uint64_t next = first;
    const std::uint64_t end = first + count;
    auto t0 = Clock::now();
    while (acked < count) {
        for (std::size_t i = 0; i < per_iteration && in_flight < window && next < end; ++i) {
            ++in_flight;
            store.append(test::msg(next++, std::string(payload, 'p')), {"telemetry"}, [&](bool ok) {
                --in_flight;
                acked += ok ? 1 : 0;
            });
        }
        store.flush();
        loop.wait_and_run(std::chrono::milliseconds(in_flight >= window || next >= end ? 2 : 0));
    }
    return static_cast<double>(count) / seconds_since(t0);
}

TEST(SqlitePerf, DISABLED_AppendThroughputWithGroupCommit) {
    for (auto sync : {SqliteStore::SyncMode::Full, SqliteStore::SyncMode::Normal}) {
        TempDir dir;
        FakeLoop loop;
        auto store = test::open_store(test::options(dir.db(), loop, sync));
        ASSERT_TRUE(store);
        const char* name = sync == SqliteStore::SyncMode::Full ? "full" : "normal";
        std::uint64_t next_id = 1;
        for (std::size_t window : {1UL, 100UL, 10000UL}) {
            std::uint64_t n = window == 1 ? 300 : 200000;
            double rate = publish(*store, loop, next_id, n, window, 100, 100);
            next_id += n;
            std::printf("[ perf ] sync=%s window=%zu: %.0f msgs/s (100-byte payloads)\n", name,
                        window, rate);
        }
    }
}

TEST(SqlitePerf, DISABLED_RecoverOneMillionMessages) {
    TempDir dir;
    FakeLoop loop;
    constexpr std::uint64_t kCount = 1'000'000;
    {
        auto store = test::open_store(test::options(dir.db(), loop, SqliteStore::SyncMode::Normal));
        ASSERT_TRUE(store);
        double rate = publish(*store, loop, 1, kCount, 50000, 1000, 100);
        std::printf("[ perf ] wrote %llu messages at %.0f msgs/s (sync=normal)\n",
                    static_cast<unsigned long long>(kCount), rate);
    }
    auto t0 = Clock::now();
    auto store = test::open_store(test::options(dir.db(), loop));
    ASSERT_TRUE(store);
    double open_s = seconds_since(t0);
    auto loaded = store->load("telemetry");
    double total_s = seconds_since(t0);
    ASSERT_EQ(loaded.size(), kCount);
    std::printf("[ perf ] recovery of %zu messages: open %.3f s, open + load %.3f s\n",
                loaded.size(), open_s, total_s);

    // Acking them all: the delete side of the same volume.
    auto t1 = Clock::now();
    for (const auto& m : loaded) store->remove("telemetry", m.message->id);
    store->drain();
    std::printf("[ perf ] removing %zu messages: %.3f s\n", loaded.size(), seconds_since(t1));
}

}  // namespace
}  // namespace sy::storage

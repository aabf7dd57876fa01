// The storage-level durability promise: a message whose ack the publisher got is on disk,
// whatever happens to the process afterwards. A child process publishes through the store
// and reports every acked id over a pipe; the parent SIGKILLs it mid-stream (the storage
// thread is almost always inside a transaction then), reopens the file and looks for every
// id the child reported.
#include "storage/sqlite/sqlite_store.hpp"
#include "tests/unit/storage_sqlite/test_support.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <set>
#include <signal.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace sy::storage {
namespace {

using test::FakeLoop;
using test::TempDir;

constexpr std::size_t kInFlight = 2000;    // a publisher window, like MQTT receive-maximum
constexpr std::size_t kPerIteration = 50;  // appends per simulated loop iteration

bool removed_after_ack(std::uint64_t id) {
    return id % 3 == 0;
}

// Runs in the child until killed: publish, flush, run completions, report acks.
[[noreturn]] void publish_forever(const std::string& path, SqliteStore::SyncMode sync, int fd) {
    FakeLoop loop;
    auto opened = SqliteStore::open(test::options(path, loop, sync));
    if (!opened) _exit(3);
    auto& store = **opened;
    std::size_t in_flight = 0;
    std::uint64_t next = 1;
    for (;;) {
        for (std::size_t i = 0; i < kPerIteration && in_flight < kInFlight; ++i, ++next) {
            ++in_flight;
            // Two queues, so a message row is shared and reference-counted.
            store.append(test::msg(next), {"q", "audit"}, [&, id = next](bool ok) {
                --in_flight;
                if (!ok) _exit(4);
                if (write(fd, &id, sizeof id) != sizeof id) _exit(5);
                if (removed_after_ack(id)) store.remove("q", core::MessageId{id});
                store.mark_delivered("audit", core::MessageId{id});
            });
        }
        store.flush();
        loop.wait_and_run(std::chrono::milliseconds(in_flight >= kInFlight ? 5 : 0));
    }
}

std::vector<std::uint64_t> read_ids(int fd, std::vector<char>& buf) {
    char chunk[8192];
    ssize_t n = read(fd, chunk, sizeof chunk);
    std::vector<std::uint64_t> ids;
    if (n <= 0) return ids;
    buf.insert(buf.end(), chunk, chunk + n);
    std::size_t whole = buf.size() / sizeof(std::uint64_t);
    ids.resize(whole);
    std::memcpy(ids.data(), buf.data(), whole * sizeof(std::uint64_t));
    buf.erase(buf.begin(),
              buf.begin() + static_cast<std::ptrdiff_t>(whole * sizeof(std::uint64_t)));
    return ids;
}

void kill_mid_stream_and_check(SqliteStore::SyncMode sync, std::size_t kill_after) {
    TempDir dir;
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        publish_forever(dir.db(), sync, fds[1]);
    }
    close(fds[1]);

    std::set<std::uint64_t> acked;
    std::vector<char> buf;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (acked.size() < kill_after && std::chrono::steady_clock::now() < deadline) {
        pollfd p{fds[0], POLLIN, 0};
        if (poll(&p, 1, 100) <= 0) continue;
        auto ids = read_ids(fds[0], buf);
        if (ids.empty()) break;  // the child died on its own
        acked.insert(ids.begin(), ids.end());
    }
    kill(pid, SIGKILL);
    // Acks the child reported before it died count too: read to end of file.
    for (auto ids = read_ids(fds[0], buf); !ids.empty(); ids = read_ids(fds[0], buf)) {
        acked.insert(ids.begin(), ids.end());
    }
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the child exited by itself, status " << status;
    ASSERT_GE(acked.size(), kill_after) << "too few acks before the deadline";

    FakeLoop loop;
    auto store = test::open_store(test::options(dir.db(), loop));
    ASSERT_TRUE(store);
    std::set<std::uint64_t> in_q;
    for (const auto& m : store->load("q")) {
        EXPECT_EQ(m.message->payload, "payload-" + std::to_string(m.message->id.value));
        in_q.insert(m.message->id.value);
    }
    std::set<std::uint64_t> in_audit;
    for (const auto& m : store->load("audit")) in_audit.insert(m.message->id.value);
    std::size_t missing = 0;
    for (auto id : acked) {
        if (!in_audit.contains(id)) ++missing;
        if (!removed_after_ack(id) && !in_q.contains(id)) ++missing;
    }
    EXPECT_EQ(missing, 0U) << "of " << acked.size() << " acked messages";
    EXPECT_GE(store->max_message_id().value, *acked.rbegin());
    std::printf("[ info ] killed after %zu acks; %zu messages recovered in q, %zu in audit\n",
                acked.size(), in_q.size(), in_audit.size());
}

TEST(SqliteDurability, EveryAckedMessageSurvivesSigkillWithFullSync) {
    kill_mid_stream_and_check(SqliteStore::SyncMode::Full, 5000);
}

TEST(SqliteDurability, EveryAckedMessageSurvivesSigkillWithNormalSync) {
    // NORMAL gives up durability against power loss, not against a process crash.
    kill_mid_stream_and_check(SqliteStore::SyncMode::Normal, 20000);
}

}  // namespace
}  // namespace sy::storage

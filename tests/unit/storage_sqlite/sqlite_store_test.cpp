#include "storage/sqlite/sqlite_store.hpp"

#include "tests/unit/storage_sqlite/test_support.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sy::storage {
namespace {

using test::expect_same;
using test::FakeLoop;
using test::msg;
using test::RawDb;
using test::TempDir;

core::MessageId mid(std::uint64_t v) {
    return core::MessageId{v};
}

std::vector<std::uint64_t> ids_of(const std::vector<StoredMessage>& v) {
    std::vector<std::uint64_t> out;
    for (const auto& m : v) out.push_back(m.message->id.value);
    return out;
}

class SqliteStoreTest : public ::testing::Test {
protected:
    std::unique_ptr<SqliteStore> open() { return test::open_store(test::options(dir.db(), loop)); }

    std::unique_ptr<SqliteStore> reopen(std::unique_ptr<SqliteStore>& s) {
        s.reset();
        loop.run();
        return open();
    }

    TempDir dir;
    FakeLoop loop;  // declared before any store: it must outlive them
};

TEST_F(SqliteStoreTest, RoundTripsEveryMessageFieldThroughAReopen) {
    auto s = open();
    ASSERT_TRUE(s);
    auto m = test::full_message(41);
    bool ok = false;
    s->append(m, {"q"}, [&](bool r) { ok = r; });
    s->drain();
    loop.run();
    EXPECT_TRUE(ok);

    s = reopen(s);
    ASSERT_TRUE(s);
    auto loaded = s->load("q");
    ASSERT_EQ(loaded.size(), 1U);
    expect_same(*m, *loaded[0].message);
    EXPECT_FALSE(loaded[0].redelivered);
    EXPECT_TRUE(s->load("other").empty());
}

TEST_F(SqliteStoreTest, CompletionsFireOnlyAfterCommitAndInOrder) {
    auto s = open();
    ASSERT_TRUE(s);
    RawDb raw(dir.db());
    std::vector<std::uint64_t> acked;
    std::uint64_t next = 1;
    for (int round = 0; round < 10; ++round) {
        for (int i = 0; i < 25; ++i, ++next) {
            s->append(msg(next), {"q"}, [&, id = next](bool ok) {
                EXPECT_TRUE(ok);
                // Whatever acked is on disk for any other connection to see.
                EXPECT_EQ(raw.scalar("SELECT count(*) FROM queue_messages WHERE msg_id = " +
                                     std::to_string(id)),
                          1);
                acked.push_back(id);
            });
        }
        if (round == 0) {
            // Not flushed yet: the storage thread has not seen it, nothing can be acked.
            EXPECT_EQ(loop.wait_and_run(std::chrono::milliseconds(50)), 0U);
            EXPECT_EQ(raw.scalar("SELECT count(*) FROM queue_messages"), 0);
        }
        s->flush();
        loop.run();  // whatever already committed
    }
    s->drain();
    loop.run();
    ASSERT_EQ(acked.size(), 250U);
    for (std::size_t i = 0; i < acked.size(); ++i) EXPECT_EQ(acked[i], i + 1);
}

TEST_F(SqliteStoreTest, PostsOneFunctionPerBatch) {
    auto s = open();
    ASSERT_TRUE(s);
    int fired = 0;
    for (std::uint64_t id = 1; id <= 100; ++id) {
        s->append(msg(id), {"q"}, [&](bool) { ++fired; });
    }
    s->drain();
    EXPECT_EQ(loop.run(), 1U);
    EXPECT_EQ(fired, 100);
}

TEST_F(SqliteStoreTest, AFailedBatchNacksItsPublishersAndTheStoreCarriesOn) {
    // A real SQLITE_FULL: the database may not grow past 256 KiB.
    auto o = test::options(dir.db(), loop);
    o.max_size_bytes = 256 * 1024;
    auto s = test::open_store(o);
    ASSERT_TRUE(s);
    std::vector<std::pair<std::uint64_t, bool>> results;
    auto record = [&](std::uint64_t id) {
        return [&, id](bool ok) { results.emplace_back(id, ok); };
    };

    s->append(msg(1), {"q"}, record(1));
    s->drain();
    s->append(msg(2, std::string(1024 * 1024, 'x')), {"q"}, record(2));
    s->append(msg(3), {"q"}, record(3));  // same batch as 2: fails with it
    s->drain();
    s->append(msg(4), {"q"}, record(4));
    s->remove("q", mid(1));
    s->drain();
    loop.run();

    std::vector<std::pair<std::uint64_t, bool>> expected = {
        {1, true}, {2, false}, {3, false}, {4, true}};
    EXPECT_EQ(results, expected);
    EXPECT_EQ(ids_of(s->load("q")), std::vector<std::uint64_t>{4});
}

TEST_F(SqliteStoreTest, AppendThenRemoveInOneBatchWritesNothing) {
    auto s = open();
    ASSERT_TRUE(s);
    bool ok = false;
    s->append(msg(1), {"q"}, [&](bool r) { ok = r; });
    s->mark_delivered("q", mid(1));
    s->remove("q", mid(1));
    // Fan-out: only the queue that acked loses its row.
    s->append(msg(2), {"a", "b"}, nullptr);
    s->remove("a", mid(2));
    s->drain();
    loop.run();
    EXPECT_TRUE(ok);  // the completion still fires, after the batch

    RawDb raw(dir.db());
    EXPECT_EQ(raw.scalar("SELECT count(*) FROM queue_messages WHERE msg_id = 1"), 0);
    EXPECT_EQ(raw.scalar("SELECT count(*) FROM messages WHERE id = 1"), 0);
    EXPECT_EQ(raw.scalar("SELECT count(*) FROM queue_messages WHERE msg_id = 2"), 1);
    EXPECT_EQ(raw.scalar("SELECT refs FROM messages WHERE id = 2"), 1);
    EXPECT_TRUE(s->load("q").empty());
    EXPECT_TRUE(s->load("a").empty());
    EXPECT_EQ(ids_of(s->load("b")), std::vector<std::uint64_t>{2});
}

TEST_F(SqliteStoreTest, StoresAPayloadOnceAndDeletesItAfterTheLastQueue) {
    auto s = open();
    ASSERT_TRUE(s);
    const std::vector<std::string> queues = {"q1", "q2", "q3", "q4", "q5"};
    s->append(msg(7, std::string(10000, 'p')), queues, nullptr);
    s->drain();
    RawDb raw(dir.db());
    EXPECT_EQ(raw.scalar("SELECT count(*) FROM messages"), 1);
    EXPECT_EQ(raw.scalar("SELECT refs FROM messages WHERE id = 7"), 5);
    EXPECT_EQ(raw.scalar("SELECT count(*) FROM queue_messages"), 5);

    // Recovery shares one decoded message between the queues, as at publish.
    s = reopen(s);
    ASSERT_TRUE(s);
    auto a = s->load("q1");
    auto b = s->load("q5");
    ASSERT_EQ(a.size(), 1U);
    ASSERT_EQ(b.size(), 1U);
    EXPECT_EQ(a[0].message.get(), b[0].message.get());

    for (std::size_t i = 0; i + 1 < queues.size(); ++i) s->remove(queues[i], mid(7));
    s->drain();
    EXPECT_EQ(raw.scalar("SELECT refs FROM messages WHERE id = 7"), 1);
    s->remove("q5", mid(7));
    s->drain();
    EXPECT_EQ(raw.scalar("SELECT count(*) FROM messages"), 0);
    EXPECT_EQ(raw.scalar("SELECT count(*) FROM queue_messages"), 0);
}

TEST_F(SqliteStoreTest, RemovingAMessageNotStoredInThatQueueKeepsTheCountRight) {
    auto s = open();
    ASSERT_TRUE(s);
    s->append(msg(1), {"a", "b"}, nullptr);
    s->drain();
    s->remove("c", mid(1));  // never there
    s->remove("a", mid(1));
    s->remove("a", mid(1));  // twice
    s->drain();
    RawDb raw(dir.db());
    EXPECT_EQ(raw.scalar("SELECT refs FROM messages WHERE id = 1"), 1);
    EXPECT_EQ(ids_of(s->load("b")), std::vector<std::uint64_t>{1});
}

TEST_F(SqliteStoreTest, MarkDeliveredComesBackAsRedelivered) {
    auto s = open();
    ASSERT_TRUE(s);
    s->append(msg(1), {"q"}, nullptr);
    s->append(msg(2), {"q"}, nullptr);
    s->drain();
    s->mark_delivered("q", mid(2));
    s->mark_delivered("q", mid(2));  // repeated marks collapse
    s->append(msg(3), {"q"}, nullptr);
    s->mark_delivered("q", mid(3));  // folded into the insert
    s = reopen(s);
    ASSERT_TRUE(s);
    auto loaded = s->load("q");
    ASSERT_EQ(ids_of(loaded), (std::vector<std::uint64_t>{1, 2, 3}));
    EXPECT_FALSE(loaded[0].redelivered);
    EXPECT_TRUE(loaded[1].redelivered);
    EXPECT_TRUE(loaded[2].redelivered);
}

TEST_F(SqliteStoreTest, RetainedSetReplaceClearAndReload) {
    auto s = open();
    ASSERT_TRUE(s);
    s->set_retained("a.temp", msg(1));
    s->set_retained("b.temp", msg(2));
    s->drain();
    s->set_retained("a.temp", msg(3));  // replaces 1, whose row goes
    s->set_retained("b.temp", nullptr);
    s->set_retained("c.temp", msg(4));
    s->set_retained("c.temp", msg(4));  // the same message again: still one reference
    s = reopen(s);
    ASSERT_TRUE(s);
    auto r = s->load_retained();
    ASSERT_EQ(r.size(), 2U);
    EXPECT_EQ(r[0]->id.value, 3U);
    EXPECT_EQ(r[1]->id.value, 4U);
    expect_same(*msg(3), *r[0]);
    RawDb raw(dir.db());
    EXPECT_EQ(raw.scalar("SELECT count(*) FROM messages"), 2);
    EXPECT_EQ(raw.scalar("SELECT refs FROM messages WHERE id = 4"), 1);
}

TEST_F(SqliteStoreTest, ARetainedMessageSharesItsRowWithQueues) {
    auto s = open();
    ASSERT_TRUE(s);
    auto m = msg(9);
    s->append(m, {"q"}, nullptr);
    s->set_retained("k", m);
    s->drain();
    RawDb raw(dir.db());
    EXPECT_EQ(raw.scalar("SELECT refs FROM messages WHERE id = 9"), 2);
    s->remove("q", mid(9));
    s->drain();
    EXPECT_EQ(raw.scalar("SELECT count(*) FROM messages"), 1);  // still retained
    s->set_retained("k", nullptr);
    s->drain();
    EXPECT_EQ(raw.scalar("SELECT count(*) FROM messages"), 0);

    // Consumed before it reached disk but retained: the body is written once, for the key.
    s->append(msg(10), {"q"}, nullptr);
    s->set_retained("k", msg(10));
    s->remove("q", mid(10));
    s->drain();
    EXPECT_EQ(raw.scalar("SELECT refs FROM messages WHERE id = 10"), 1);
    EXPECT_EQ(raw.scalar("SELECT count(*) FROM queue_messages"), 0);
}

TEST_F(SqliteStoreTest, TopologySaveDeleteAndReload) {
    auto s = open();
    ASSERT_TRUE(s);
    core::Headers args = {{"x-max-length", std::int64_t{100}}, {"x-note", std::string("n")}};
    s->save_exchange({"ex.headers", "headers", false, false, {{"alternate", std::string("a")}}});
    s->save_exchange({"ex.gone", "fanout", true, false, {}});
    s->save_exchange({"ex.headers", "headers", true, true, {}});  // replaces
    s->save_queue({"q1", true, false, args});
    s->save_queue({"q2", false, true, {}});
    s->save_binding({"ex.headers", "q1", false, "k.#", {{"x-match", std::string("any")}}});
    s->save_binding({"ex.headers", "q1", false, "k.#", {{"x-match", std::string("any")}}});
    s->save_binding({"ex.headers", "q2", false, "k.*", {}});
    s->save_binding({"ex.gone", "q1", false, "", {}});
    s->save_binding({"ex.headers", "ex.gone", true, "e2e", {}});
    s->save_binding({"ex.headers", "q1", false, "drop.me", {}});
    s->delete_binding({"ex.headers", "q1", false, "drop.me", {}});
    s->delete_exchange("ex.gone");  // and every binding from or to it
    s->save_mqtt_session({"dev-1", {{"sensors/#", 1}, {"cmd/dev-1", 2}}, {3, 4}, 0xFFFFFFFF, {}});
    s->save_mqtt_session({"dev-2", {}, {}, 60, {}});
    s->save_mqtt_session({"dev-1", {{"sensors/#", 1}}, {4}, 3600, {{7, 0}, {9, 1234}}});
    s->delete_mqtt_session("dev-2");
    s = reopen(s);
    ASSERT_TRUE(s);
    auto t = s->load_topology();

    ASSERT_EQ(t.exchanges.size(), 1U);
    EXPECT_EQ(t.exchanges[0].name, "ex.headers");
    EXPECT_TRUE(t.exchanges[0].auto_delete);
    EXPECT_TRUE(t.exchanges[0].internal);
    EXPECT_TRUE(t.exchanges[0].args.empty());
    ASSERT_EQ(t.queues.size(), 2U);
    EXPECT_EQ(t.queues[0].name, "q1");
    EXPECT_TRUE(t.queues[0].exclusive);
    EXPECT_EQ(t.queues[0].args, args);
    EXPECT_TRUE(t.queues[1].auto_delete);
    ASSERT_EQ(t.bindings.size(), 2U);
    EXPECT_EQ(t.bindings[0].destination, "q1");
    EXPECT_EQ(t.bindings[0].key, "k.#");
    EXPECT_EQ(t.bindings[0].args, (core::Headers{{"x-match", std::string("any")}}));
    EXPECT_EQ(t.bindings[1].destination, "q2");
    ASSERT_EQ(t.mqtt_sessions.size(), 1U);
    EXPECT_EQ(t.mqtt_sessions[0].client_id, "dev-1");
    EXPECT_EQ(t.mqtt_sessions[0].subscriptions.size(), 1U);
    EXPECT_EQ(t.mqtt_sessions[0].inbound_qos2, std::vector<std::uint16_t>{4});
    EXPECT_EQ(t.mqtt_sessions[0].expiry_s, 3600U);
    EXPECT_EQ(t.mqtt_sessions[0].outbound_qos2,
              (std::vector<std::pair<std::uint16_t, std::uint64_t>>{{7, 0}, {9, 1234}}));
}

TEST_F(SqliteStoreTest, DropQueueDeletesItsMessagesDefinitionAndBindings) {
    auto s = open();
    ASSERT_TRUE(s);
    s->save_queue({"q", false, false, {}});
    s->save_binding({"amq.topic", "q", false, "a.#", {}});
    s->save_binding({"amq.topic", "keep", false, "a.#", {}});
    s->append(msg(1), {"q"}, nullptr);
    s->append(msg(2), {"q", "keep"}, nullptr);
    s->drain();
    s->drop_queue("q");
    s->append(msg(3), {"q"}, nullptr);  // a new queue of the same name, after the drop
    s = reopen(s);
    ASSERT_TRUE(s);
    EXPECT_EQ(ids_of(s->load("q")), std::vector<std::uint64_t>{3});
    EXPECT_EQ(ids_of(s->load("keep")), std::vector<std::uint64_t>{2});
    auto t = s->load_topology();
    EXPECT_TRUE(t.queues.empty());
    ASSERT_EQ(t.bindings.size(), 1U);
    EXPECT_EQ(t.bindings[0].destination, "keep");
    RawDb raw(dir.db());
    EXPECT_EQ(raw.scalar("SELECT count(*) FROM messages WHERE id = 1"), 0);
    EXPECT_EQ(raw.scalar("SELECT refs FROM messages WHERE id = 2"), 1);
}

TEST_F(SqliteStoreTest, OperationsInOneBatchApplyInIssueOrder) {
    auto s = open();
    ASSERT_TRUE(s);
    s->append(msg(1), {"q"}, nullptr);
    s->drop_queue("q");
    s->append(msg(2), {"r"}, nullptr);
    s->remove("r", mid(2));
    s->append(msg(3), {"r"}, nullptr);
    s->drain();
    EXPECT_TRUE(s->load("q").empty());
    EXPECT_EQ(ids_of(s->load("r")), std::vector<std::uint64_t>{3});
}

TEST_F(SqliteStoreTest, MessageIdsStayUniqueAcrossRestarts) {
    auto s = open();
    ASSERT_TRUE(s);
    EXPECT_EQ(s->max_message_id().value, 0U);
    s->append(msg(5000), {"q"}, nullptr);
    EXPECT_EQ(s->max_message_id().value, 5000U);  // at once, on the loop
    s->drain();
    s->remove("q", mid(5000));  // nothing stored any more
    s->append(msg(6000), {"q"}, nullptr);
    s->remove("q", mid(6000));  // never stored at all
    s = reopen(s);
    ASSERT_TRUE(s);
    EXPECT_GE(s->max_message_id().value, 6000U);
}

TEST_F(SqliteStoreTest, DestructorCommitsWhatWasNotFlushed) {
    bool ok = false;
    {
        auto s = open();
        ASSERT_TRUE(s);
        s->append(msg(1), {"q"}, [&](bool r) { ok = r; });
        s->set_retained("k", msg(2));
    }
    loop.run();
    EXPECT_TRUE(ok);
    // A clean close checkpoints everything into the database file and removes the WAL.
    EXPECT_FALSE(std::filesystem::exists(dir.db() + "-wal"));
    auto s = open();
    ASSERT_TRUE(s);
    EXPECT_EQ(ids_of(s->load("q")), std::vector<std::uint64_t>{1});
    EXPECT_EQ(s->load_retained().size(), 1U);
}

TEST_F(SqliteStoreTest, ManyFlushesGroupIntoFewerTransactions) {
    auto o = test::options(dir.db(), loop);
    o.max_batch = 100000;
    auto s = test::open_store(o);
    ASSERT_TRUE(s);
    std::size_t posted = 0;
    int fired = 0;
    for (std::uint64_t id = 1; id <= 2000; ++id) {
        s->append(msg(id), {"q"}, [&](bool ok) { fired += ok ? 1 : 0; });
        s->flush();  // one "loop iteration" per message
        posted += loop.run();
    }
    s->drain();
    posted += loop.run();
    EXPECT_EQ(fired, 2000);
    // Every commit posts once; while one commits the next flushes pile up. An fsync costs far
    // more than a flush, so there are fewer commits than flushes (not asserted tightly: it
    // depends on the disk).
    EXPECT_LE(posted, 2000U);
    std::printf("[ info ] 2000 single-message flushes committed in %zu transactions\n", posted);
}

}  // namespace
}  // namespace sy::storage

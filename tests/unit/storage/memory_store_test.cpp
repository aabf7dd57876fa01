#include "storage/memory/memory_store.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace sy::storage {
namespace {

core::MessagePtr msg(std::uint64_t id) {
    auto m = std::make_shared<core::Message>();
    m->id = core::MessageId{id};
    m->routing_key = "k" + std::to_string(id);
    return m;
}

TEST(MemoryStore, AppendLoadRemoveInOrder) {
    MemoryStore s;
    bool done = false;
    s.append(msg(2), {"q"}, [&](bool ok) { done = ok; });
    EXPECT_TRUE(done);
    s.append(msg(1), {"q", "r"}, nullptr);
    auto loaded = s.load("q");
    ASSERT_EQ(loaded.size(), 2u);
    EXPECT_EQ(loaded[0].message->id.value, 1u);
    s.mark_delivered("q", core::MessageId{2});
    s.remove("q", core::MessageId{1});
    loaded = s.load("q");
    ASSERT_EQ(loaded.size(), 1u);
    EXPECT_TRUE(loaded[0].redelivered);
    EXPECT_EQ(s.stored_count("r"), 1u);
    EXPECT_EQ(s.max_message_id().value, 2u);
    s.drop_queue("r");
    EXPECT_TRUE(s.load("r").empty());
}

TEST(MemoryStore, PagingReads) {
    MemoryStore s;
    for (std::uint64_t id = 1; id <= 6; ++id) {
        auto m = std::make_shared<core::Message>();
        m->id = core::MessageId{id};
        m->payload = std::string(id, 'x');
        s.append(m, {"q"}, nullptr);
    }
    auto head = s.load_head("q", 2);
    ASSERT_EQ(head.size(), 2u);
    EXPECT_EQ(head[1].message->id.value, 2u);
    auto rest = s.count_after("q", core::MessageId{2});
    EXPECT_EQ(rest.messages, 4u);
    EXPECT_EQ(rest.bytes, 3u + 4 + 5 + 6);
    EXPECT_EQ(rest.last_id.value, 6u);
    std::optional<StoredRange> got;
    s.read_range("q", core::MessageId{3}, 2, [&](StoredRange r) { got = std::move(r); });
    ASSERT_TRUE(got);  // at once
    ASSERT_EQ(got->messages.size(), 2u);
    EXPECT_EQ(got->messages[0].message->id.value, 4u);
    EXPECT_EQ(got->rows, 2u);
    EXPECT_EQ(got->last_id.value, 5u);
    s.remove_after("q", core::MessageId{4});
    EXPECT_EQ(s.stored_count("q"), 4u);
    EXPECT_EQ(s.count_after("q", core::MessageId{0}).last_id.value, 4u);
}

TEST(MemoryStore, Retained) {
    MemoryStore s;
    s.set_retained("a", msg(5));
    EXPECT_EQ(s.load_retained().size(), 1u);
    s.set_retained("a", nullptr);
    EXPECT_TRUE(s.load_retained().empty());
}

}  // namespace
}  // namespace sy::storage

#include "storage/memory/memory_store.hpp"

#include <gtest/gtest.h>

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

TEST(MemoryStore, Retained) {
    MemoryStore s;
    s.set_retained("a", msg(5));
    EXPECT_EQ(s.load_retained().size(), 1u);
    s.set_retained("a", nullptr);
    EXPECT_TRUE(s.load_retained().empty());
}

}  // namespace
}  // namespace sy::storage

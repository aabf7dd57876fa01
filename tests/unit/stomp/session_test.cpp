// STOMP sessions without a network: a fake transport, a store whose commits the test
// releases by hand, and the server's tick driven with made-up times.

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/broker/broker.hpp"
#include "core/model/clock.hpp"
#include "protocols/stomp/codec/codec.hpp"
#include "protocols/stomp/server.hpp"
#include "storage/memory/memory_store.hpp"
#include "tests/unit/common/fake_transport.hpp"

namespace sy::stomp::test {
namespace {

using namespace std::string_literals;

// Commits wait until release() (or fail()), as a real store's writer thread would make them.
class SlowStore final : public storage::MemoryStore {
public:
    void append(const core::MessagePtr& message, const std::vector<std::string>& queues,
                Completion done) override {
        MemoryStore::append(message, queues, nullptr);
        pending_.push_back(std::move(done));
    }
    void release(bool ok = true) {
        auto pending = std::move(pending_);
        pending_.clear();
        for (auto& done : pending) {
            if (done) done(ok);
        }
    }
    std::size_t pending() const { return pending_.size(); }

private:
    std::vector<Completion> pending_;
};

using sy::test::FakeTransport;

class Client {
public:
    explicit Client(Server& server) : session_(server.accept(transport_)) {}
    ~Client() {
        if (session_) session_->on_closed();
    }

    void send(const std::string& text) {
        session_->on_data({reinterpret_cast<const std::byte*>(text.data()), text.size()});
    }
    // Frames received since the last call; heart-beats counted apart.
    std::vector<Frame> received() {
        std::vector<Frame> frames;
        std::size_t off = 0;
        while (off < transport_.out.size()) {
            Frame f;
            auto r = decoder_.decode(std::span<const std::byte>(transport_.out).subspan(off), f);
            if (r.status == DecodeStatus::Heartbeat) {
                heartbeats += r.consumed;
            } else if (r.status == DecodeStatus::Complete) {
                frames.push_back(std::move(f));
            } else {
                ADD_FAILURE() << "bad output";
                break;
            }
            off += r.consumed;
        }
        transport_.out.clear();
        return frames;
    }
    Frame connect(const std::string& extra = "") {
        send("CONNECT\naccept-version:1.2\n" + extra + "\n\0"s);
        auto frames = received();
        EXPECT_EQ(frames.size(), 1u);
        EXPECT_EQ(frames.at(0).command, Command::Connected);
        return frames.at(0);
    }
    transport::Session& session() { return *session_; }
    FakeTransport& transport() { return transport_; }

    std::size_t heartbeats = 0;

private:
    FakeTransport transport_;
    std::unique_ptr<transport::Session> session_;
    Decoder decoder_;
};

std::vector<std::string> receipts(const std::vector<Frame>& frames) {
    std::vector<std::string> out;
    for (const auto& f : frames) {
        if (f.command == Command::Receipt) out.push_back(*f.header("receipt-id"));
    }
    return out;
}

class StompSession : public ::testing::Test {
protected:
    SlowStore store;
    core::Broker broker{store};
    Server server{broker};
};

TEST_F(StompSession, PersistentSendReceiptWaitsForTheCommitAndKeepsOrder) {
    Client c(server);
    c.connect();
    c.send("SEND\ndestination:/queue/q\npersistent:true\nreceipt:p\n\nm1\0"s);
    c.send("SEND\ndestination:/topic/t\nreceipt:t\n\nm2\0"s);  // transient: ready at once
    EXPECT_TRUE(receipts(c.received()).empty());  // held behind the persistent one
    ASSERT_EQ(store.pending(), 1u);
    store.release();
    EXPECT_EQ(receipts(c.received()), (std::vector<std::string>{"p", "t"}));
}

TEST_F(StompSession, FailedCommitIsAnError) {
    Client c(server);
    c.connect();
    c.send("SEND\ndestination:/queue/q\npersistent:true\nreceipt:p\n\nm\0"s);
    store.release(false);
    auto frames = c.received();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].command, Command::Error);
    EXPECT_EQ(*frames[0].header("receipt-id"), "p");
    EXPECT_TRUE(c.transport().closed);
}

TEST_F(StompSession, CommitReceiptWaitsForEveryPersistentSend) {
    Client c(server);
    c.connect();
    c.send("BEGIN\ntransaction:x\n\n\0"s);
    c.send("SEND\ndestination:/queue/a\npersistent:true\ntransaction:x\n\n1\0"s);
    c.send("SEND\ndestination:/queue/b\npersistent:true\ntransaction:x\n\n2\0"s);
    EXPECT_EQ(store.pending(), 0u);  // nothing published before COMMIT
    c.send("COMMIT\ntransaction:x\nreceipt:c\n\n\0"s);
    EXPECT_EQ(store.pending(), 2u);
    EXPECT_TRUE(receipts(c.received()).empty());
    store.release();
    EXPECT_EQ(receipts(c.received()), std::vector<std::string>{"c"});
}

TEST_F(StompSession, HeartBeatsBothWays) {
    Client c(server);
    auto connected = c.connect("heart-beat:1000,500\n");
    // We send every 1000 ms at least (the client asked for 500, below our floor) and expect
    // the client's 1000.
    EXPECT_EQ(*connected.header("heart-beat"), "1000,1000");
    const auto now = core::now_ms();
    server.tick(now + 600);
    c.received();
    EXPECT_EQ(c.heartbeats, 1u);
    c.send("\n");  // the client's heart-beat
    server.tick(core::now_ms() + 1500);
    EXPECT_FALSE(c.transport().closed);
    server.tick(core::now_ms() + 2100);  // silent past twice its period
    EXPECT_TRUE(c.transport().closed);
}

TEST_F(StompSession, NoConnectInTimeCloses) {
    Client c(server);
    server.tick(core::now_ms() + 5000);
    EXPECT_FALSE(c.transport().closed);
    server.tick(core::now_ms() + 11000);
    EXPECT_TRUE(c.transport().closed);
}

TEST_F(StompSession, CongestedTransportPausesDeliveries) {
    Client c(server);
    c.connect();
    c.send("SUBSCRIBE\nid:1\ndestination:/queue/bp\n\n\0"s);
    c.transport().pending = transport::kOutputHighWater + 1;
    c.send("SEND\ndestination:/queue/bp\n\nwait\0"s);
    EXPECT_TRUE(c.received().empty());
    c.transport().pending = 0;
    c.session().on_drained();
    auto frames = c.received();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].body, "wait");
}

TEST_F(StompSession, ClientAckIsCumulativePerSubscription) {
    Client c(server);
    c.connect();
    c.send("SUBSCRIBE\nid:1\ndestination:/queue/cum\nack:client\n\n\0"s);
    for (int i = 0; i < 3; ++i) c.send("SEND\ndestination:/queue/cum\n\nm\0"s);
    auto frames = c.received();
    ASSERT_EQ(frames.size(), 3u);
    auto* q = broker.find_queue("cum");
    ASSERT_NE(q, nullptr);
    EXPECT_EQ(q->unacked_count(), 3u);
    c.send("ACK\nid:" + *frames[1].header("ack") + "\n\n\0"s);
    EXPECT_EQ(q->unacked_count(), 1u);  // the first two
    c.send("ACK\nid:" + *frames[2].header("ack") + "\n\n\0"s);
    EXPECT_EQ(q->unacked_count(), 0u);
}

TEST_F(StompSession, TransientSubscriptionQueueGoesWithTheConnection) {
    {
        Client c(server);
        c.connect();
        c.send("SUBSCRIBE\nid:1\ndestination:/topic/a.b\n\n\0"s);
        EXPECT_EQ(broker.queue_count(), 1u);
    }
    EXPECT_EQ(broker.queue_count(), 0u);
}

TEST_F(StompSession, DurableSubscriptionQueueStays) {
    {
        Client c(server);
        c.connect("client-id:dev\n");
        c.send("SUBSCRIBE\nid:7\ndestination:/topic/a.#\ndurable:true\nauto-delete:false\n\n\0"s);
    }
    auto* q = broker.find_queue("stomp-subscription-dev-7");
    ASSERT_NE(q, nullptr);
    EXPECT_TRUE(q->options().durable);
    broker.publish([] {
        core::Message m;
        m.exchange = "amq.topic";
        m.routing_key = "a.x";
        m.payload = "kept";
        return m;
    }(), nullptr);
    EXPECT_EQ(q->ready_count(), 1u);
}

}  // namespace
}  // namespace sy::stomp::test

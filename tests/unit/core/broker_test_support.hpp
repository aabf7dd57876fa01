#pragma once
// Shared by the dead-letter and queue-expiry tests: a broker on a memory store and a clock the
// test moves by hand, consumers, and header look-ups.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/broker/broker.hpp"
#include "storage/memory/memory_store.hpp"

namespace sy::core::test {

struct FakeClock {
    std::int64_t now = 5'000'000;
};

// A broker whose clock is clock.now.
struct BrokerFixture {
    FakeClock clock;
    storage::MemoryStore store;
    Broker broker{store, [this] { return clock.now; }};

    Queue* queue(const std::string& name, QueueOptions o = {}) {
        return broker.declare_queue(name, std::move(o));
    }
    // Publishes through the default exchange, straight to queue.
    void send(const std::string& queue, std::string payload, bool persistent = false,
              std::optional<std::uint64_t> expiration_ms = std::nullopt) {
        Message m;
        m.routing_key = queue;
        m.payload = std::move(payload);
        m.props.persistent = persistent;
        m.props.expiration_ms = expiration_ms;
        m.origin.protocol = Protocol::Amqp;
        broker.publish(std::move(m), nullptr);
    }
    // Everything ready in queue, taken with basic.get no-ack.
    std::vector<MessagePtr> drain(const std::string& queue) {
        std::vector<MessagePtr> out;
        auto* q = broker.find_queue(queue);
        while (q) {
            auto got = q->get(true);
            if (!got) break;
            out.push_back(got->second.msg);
        }
        return out;
    }
};

// Keeps deliveries unacked, or acks them from inside deliver() when auto_ack is set.
class Sink : public Consumer {
public:
    bool deliver(Queue& q, DeliveryTag tag, const QueueEntry& e) override {
        got.push_back(e.msg);
        tags.push_back(tag);
        if (auto_ack) q.ack(tag);
        return true;
    }
    std::vector<MessagePtr> got;
    std::vector<DeliveryTag> tags;
    bool auto_ack = false;
};

inline const HeaderValue* header(const Message& m, std::string_view key) {
    for (const auto& [name, value] : m.headers) {
        if (name == key) return &value;
    }
    return nullptr;
}

// The string header key, or "<missing>".
inline std::string text(const Message& m, std::string_view key) {
    const auto* v = header(m, key);
    const auto* s = v ? std::get_if<std::string>(v) : nullptr;
    return s ? *s : "<missing>";
}

// The integer header key, or -1.
inline std::int64_t number(const Message& m, std::string_view key) {
    const auto* v = header(m, key);
    const auto* n = v ? std::get_if<std::int64_t>(v) : nullptr;
    return n ? *n : -1;
}

}  // namespace sy::core::test

#pragma once
// Shared by the TTL, dead-letter and last-use tests: a hand-driven clock, a message builder,
// a consumer that records what it gets, and an observer that records why entries left.

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/queue/queue.hpp"

namespace sy::core::test {

// The time a queue reads: tests move it by hand.
struct FakeClock {
    std::int64_t now = 1'000'000;
    Clock fn() {
        return [this] { return now; };
    }
};

inline MessagePtr msg_at(std::string payload, std::int64_t published_at_ms,
                         std::optional<std::uint64_t> expiration_ms = std::nullopt) {
    auto m = std::make_shared<Message>();
    m->payload = std::move(payload);
    m->published_at_ms = published_at_ms;
    m->props.expiration_ms = expiration_ms;
    return m;
}

class Recorder : public Consumer {
public:
    bool ready() const override { return ready_; }
    bool deliver(Queue&, DeliveryTag tag, const QueueEntry& e) override {
        tags.push_back(tag);
        payloads.push_back(e.msg->payload);
        return true;
    }
    std::vector<DeliveryTag> tags;
    std::vector<std::string> payloads;
    bool ready_ = true;
};

// Why each entry left the queue, in order.
class ExitLog : public QueueObserver {
public:
    struct Exit {
        std::string payload;
        std::optional<DeadLetterReason> reason;  // nullopt: on_dropped
        bool operator==(const Exit&) const = default;
    };
    void on_settled(Queue&, const QueueEntry&) override { ++settled; }
    void on_dropped(Queue&, const QueueEntry& e) override {
        exits.push_back({e.msg->payload, std::nullopt});
    }
    void on_dead_letter(Queue&, const QueueEntry& e, DeadLetterReason r) override {
        exits.push_back({e.msg->payload, r});
    }
    std::vector<Exit> exits;
    int settled = 0;
};

inline void PrintTo(const ExitLog::Exit& e, std::ostream* os) {
    *os << e.payload << ':' << (e.reason ? to_string(*e.reason) : "dropped");
}

inline ExitLog::Exit expired(std::string payload) {
    return {std::move(payload), DeadLetterReason::Expired};
}
inline ExitLog::Exit rejected(std::string payload) {
    return {std::move(payload), DeadLetterReason::Rejected};
}
inline ExitLog::Exit maxlen(std::string payload) {
    return {std::move(payload), DeadLetterReason::Maxlen};
}
inline ExitLog::Exit dropped(std::string payload) { return {std::move(payload), std::nullopt}; }

}  // namespace sy::core::test

#pragma once
// What a device's connection reports to the fleet thread. Paho calls back on its own threads;
// DeviceLink turns each callback into a LinkEvent and posts it to an EventQueue, so that all
// device state is touched by one thread only.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace sy::sim {

struct InboundMessage {
    std::string topic;
    std::string payload;
    std::string response_topic;    // MQTT 5 only; empty otherwise
    std::string correlation_data;  // MQTT 5 only; binary, may be empty
};

enum class LinkEventKind {
    Connected,       // CONNACK accepted
    ConnectFailed,   // refused, timed out or the socket failed; detail says why
    ConnectionLost,  // an established connection dropped
    Subscribed,
    SubscribeFailed,
    Disconnected,  // a disconnect we asked for has completed
    Message,
};

struct LinkEvent {
    LinkEventKind kind = LinkEventKind::Message;
    std::uint32_t device = 0;
    std::chrono::steady_clock::time_point at;  // when Paho called back
    std::string detail;
    InboundMessage message;
};

// Many Paho threads post, the fleet thread takes everything at once.
class EventQueue {
public:
    void post(LinkEvent event);

    // Moves every queued event into `out` (cleared first); waits until `deadline` when none
    // is queued. Returns false on timeout with nothing taken.
    bool take(std::chrono::steady_clock::time_point deadline, std::vector<LinkEvent>& out);

private:
    std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<LinkEvent> events_;
};

}  // namespace sy::sim

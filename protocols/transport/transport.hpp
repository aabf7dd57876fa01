#pragma once
// What a protocol session sees of the network: a byte pipe with an output queue. A session
// cannot tell TCP from WebSocket, and nothing outside protocols/transport touches a socket.

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>

namespace sy::transport {

class Transport {
public:
    virtual ~Transport() = default;
    // Queues bytes for the peer. Output is coalesced and written when the socket has room.
    virtual void send(std::span<const std::byte> bytes) = 0;
    // Writes what is queued, then closes. The session gets on_closed() later, from the loop.
    virtual void close() = 0;
    // Closes without flushing (a protocol violation where nothing more may be sent).
    virtual void abort() = 0;
    // Stops (or resumes) reading from the peer: its data waits in the kernel and, once the
    // socket buffer is full, in the peer (AMQP's connection.blocked).
    virtual void pause_input(bool paused) = 0;
    // Bytes queued and not yet taken by the kernel: the session's back-pressure signal.
    virtual std::size_t pending_bytes() const = 0;
    virtual const std::string& peer() const = 0;
};

class Session {
public:
    virtual ~Session() = default;
    virtual void on_data(std::span<const std::byte> bytes) = 0;
    // The output queue went below the low-water mark after being above the high one.
    virtual void on_drained() {}
    // The connection is gone; the transport must not be used any more.
    virtual void on_closed() = 0;
};

using SessionFactory = std::function<std::unique_ptr<Session>(Transport&)>;

// Output queue thresholds for back-pressure: above high a session should stop pulling
// deliveries; on_drained() fires once the queue is back under low.
inline constexpr std::size_t kOutputHighWater = 4u << 20;
inline constexpr std::size_t kOutputLowWater = 1u << 20;

struct HttpResponse {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
};
using HttpHandler = std::function<HttpResponse(const std::string& path)>;

}  // namespace sy::transport

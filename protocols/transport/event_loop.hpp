#pragma once
// The one event loop: libwebsockets on libuv (DESIGN.md). It owns every listener and socket,
// runs timers, and takes work posted from other threads. All sessions and core run on the
// thread that calls run().

#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "protocols/transport/transport.hpp"

namespace sy::transport {

// How a WebSocket endpoint frames what its sessions send and what it takes in.
struct WebSocketOptions {
    // Off (MQTT): every message goes out in binary frames [MQTT-6.0.0-1]. On (STOMP): a
    // message goes as text when its bytes are valid UTF-8, else binary, since browsers fail
    // the connection on a text frame with bad UTF-8 and STOMP clients read both.
    bool text_when_utf8 = false;
    // Off (MQTT): a text message closes the connection with 1003 [MQTT-6.0.0-1].
    bool accept_text = true;
};

struct LoopOptions {
    std::string bind = "127.0.0.1";
    std::uint32_t max_connections = 100000;
};

class EventLoop {
public:
    explicit EventLoop(LoopOptions options);
    ~EventLoop();
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    // Listeners are declared before start().
    void add_tcp_listener(std::string name, std::uint16_t port, SessionFactory factory);
    void add_http_listener(std::uint16_t port, HttpHandler handler);
    // A WebSocket endpoint on the HTTP listener: an upgrade of `path` whose negotiated
    // subprotocol is one of `subprotocols` (or that offers none) gets a session from factory;
    // any other upgrade is refused. Received messages reach Session::on_data as a byte stream.
    // A bad path or subprotocol name makes start() fail.
    void add_websocket_endpoint(std::string path, std::vector<std::string> subprotocols,
                                SessionFactory factory, WebSocketOptions options = {});

    // Binds every listener. The error names the listener and the reason, in one line.
    std::expected<void, std::string> start();
    // Runs until stop() or SIGINT/SIGTERM. Returns once every connection is closed.
    void run();
    // Thread-safe.
    void stop();
    // Thread-safe: runs fn on the loop thread.
    void post(std::function<void()> fn);
    // Runs fn every period on the loop thread until the loop stops.
    void every(std::chrono::milliseconds period, std::function<void()> fn);
    // Runs fn once per loop iteration, after the iteration's I/O callbacks (the storage
    // hand-off: everything one iteration produced goes to the writer as one batch).
    void on_iteration(std::function<void()> fn);

    std::size_t connection_count() const;

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace sy::transport

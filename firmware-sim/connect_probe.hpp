#pragma once
// The sockets of the connection test: non-blocking TCP connects and a CONNECT each, watched with
// epoll on the calling thread, so that the time to CONNACK is the broker's and the network's,
// not a client library's poll interval. Open connections answer nothing but keep alive with
// PINGREQ; close_all() sends DISCONNECT.

#include "core/model/result.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <vector>

namespace sy::sim {

class ConnectProbe {
public:
    using Clock = std::chrono::steady_clock;

    struct Outcome {
        std::uint32_t index = 0;
        bool accepted = false;
        Clock::time_point at;
        std::string detail;  // why it failed
    };

    // Resolves host and port once (numeric or by name).
    static Result<std::unique_ptr<ConnectProbe>> create(const std::string& host, std::uint16_t port,
                                                        int mqtt_version,
                                                        std::uint16_t keepalive_s);
    ~ConnectProbe();
    ConnectProbe(const ConnectProbe&) = delete;
    ConnectProbe& operator=(const ConnectProbe&) = delete;

    // Opens connection `index` (indexes count up from 0). Its outcome comes from wait(); a
    // socket that cannot even be created fails at once.
    void start(std::uint32_t index, std::string client_id);

    // Handles socket events until `deadline`, reporting each connection's outcome once.
    void wait(Clock::time_point deadline, const std::function<void(const Outcome&)>& report);

    // Sends PINGREQ on open connections that have been quiet for half their keep-alive.
    void keep_alive(Clock::time_point now);

    // DISCONNECT on every open connection, then closes all sockets.
    void close_all();

    // Open connections the broker closed after accepting them.
    std::uint32_t dropped() const noexcept { return dropped_; }

private:
    struct Conn;
    ConnectProbe(int epoll_fd, sockaddr_storage address, socklen_t address_len, int mqtt_version,
                 std::uint16_t keepalive_s);
    void on_ready(Conn& c, const std::function<void(const Outcome&)>& report);
    void fail(Conn& c, std::string detail, const std::function<void(const Outcome&)>& report);
    void close(Conn& c);

    int epoll_fd_;
    sockaddr_storage address_;
    socklen_t address_len_;
    int mqtt_version_;
    std::uint16_t keepalive_s_;
    std::vector<Conn> conns_;
    std::vector<Outcome> early_failures_;  // from start(), reported by the next wait()
    std::uint32_t dropped_ = 0;
};

}  // namespace sy::sim

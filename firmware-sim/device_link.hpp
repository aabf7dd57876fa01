#pragma once
// One device's MQTT connection, on Eclipse Paho MQTT C++ (an async_client per device). The only
// file pair of the fleet that includes Paho; Paho's exceptions stop here and its callbacks
// become LinkEvents on the fleet's EventQueue. Every call returns at once; outcomes arrive as
// events.

#include "core/model/result.hpp"
#include "firmware-sim/link_event.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace sy::sim {

struct LinkTls {
    std::string ca_file;    // empty: the system's trust store
    std::string cert_file;  // client certificate; empty: none
    std::string key_file;
    bool verify_server = true;
};

struct LinkWill {
    std::string topic;
    std::string payload;
    int qos = 1;
    bool retained = true;
};

struct LinkConfig {
    std::string host;
    std::uint16_t port = 1883;
    int mqtt_version = 3;  // 3: MQTT 3.1.1, 5: MQTT 5.0
    std::string client_id;
    std::string username;  // empty: none
    std::string password;  // empty: none
    std::chrono::seconds keepalive{30};
    std::chrono::seconds connect_timeout{10};
    bool clean_session = true;  // MQTT 5: clean start, and no session expiry
    std::optional<LinkTls> tls;
    std::optional<LinkWill> will;
    int max_queued_publishes = 1000;  // Paho refuses publishes beyond this many unsent
};

// Publish outcomes, counted on Paho's threads: a reading or another message (status, reply)
// acknowledged (QoS 1/2) or written (QoS 0), or failed.
struct LinkCounters {
    std::atomic<std::uint64_t> readings_sent{0};
    std::atomic<std::uint64_t> readings_failed{0};
    std::atomic<std::uint64_t> others_sent{0};
    std::atomic<std::uint64_t> others_failed{0};
};

struct Outbound {
    std::string topic;
    std::string payload;
    int qos = 0;
    bool retained = false;
    bool is_reading = false;       // which LinkCounters it counts in
    std::string correlation_data;  // MQTT 5: sent as the correlation data property when set
};

class DeviceLink {
public:
    // Creates the client; connects only when connect() is called. Events carry `device`.
    static Result<std::unique_ptr<DeviceLink>> create(const LinkConfig& config,
                                                      std::uint32_t device, EventQueue& events,
                                                      LinkCounters& counters);
    ~DeviceLink();
    DeviceLink(const DeviceLink&) = delete;
    DeviceLink& operator=(const DeviceLink&) = delete;

    // Outcome: Connected or ConnectFailed. Also used to reconnect after a loss or disconnect.
    Result<void> connect();
    // Outcome: Subscribed or SubscribeFailed. On MQTT 5 with no-local, so a device does not
    // hear its own replies.
    Result<void> subscribe(const std::string& filter, int qos);
    Result<void> publish(const Outbound& message);
    // Sends DISCONNECT after up to `timeout` for QoS 1/2 publishes in flight. Outcome:
    // Disconnected. A clean disconnect: the broker drops the will.
    Result<void> disconnect(std::chrono::milliseconds timeout);

private:
    struct Impl;
    explicit DeviceLink(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace sy::sim

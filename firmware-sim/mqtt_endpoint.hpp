#pragma once
// One MQTT client connection for the simulator. The only file pair that touches Paho; the rest of
// firmware-sim sees bytes, callbacks and Result. Paho exceptions stop here.

#include "core/model/result.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

namespace sy::sim {

// Told when a queued publish completes: acknowledged by the broker for QoS 1/2, written to the
// socket for QoS 0. Runs on a Paho thread, so it must be quick and thread-safe.
class PublishListener {
public:
    virtual void on_publish_done(bool ok) noexcept = 0;

protected:
    ~PublishListener() = default;
};

// Runs on a Paho thread for every message received; calls for one endpoint never overlap.
using MessageHandler = std::function<void(std::span<const std::byte> payload)>;

// Whether the broker keeps the client's session (subscriptions, queued QoS 1/2 messages) after
// the connection closes.
enum class SessionMode {
    // Starts afresh and ends with the connection: MQTT 3.1.1 clean session 1; MQTT 5 clean start
    // and no session expiry. Connecting this way also discards a session the broker kept.
    Clean,
    // Resumes the session the broker kept for this client id, or starts one, and keeps it after
    // the connection: MQTT 3.1.1 clean session 0; MQTT 5 clean start 0 and kSessionExpiry.
    Persistent,
};

// MQTT 5 session expiry for SessionMode::Persistent: longer than any bench run, yet finite, so
// the sessions of a run that was killed before it could end them do not stay forever.
inline constexpr std::chrono::seconds kSessionExpiry{24 * 3600};

struct EndpointConfig {
    std::string host;
    std::uint16_t port = 1883;
    std::string client_id;
    int mqtt_version = 3;  // 3: MQTT 3.1.1, 5: MQTT 5.0
    std::chrono::seconds connect_timeout{10};
    SessionMode session = SessionMode::Clean;
};

class MqttEndpoint {
public:
    // Starts connecting with the configured session mode and no client-side persistence (a
    // persistent session lives on the broker only); await_connected()
    // gives the outcome. To open many connections, start them all and then await them all: Paho
    // notices a new socket only when its poll times out, so one at a time costs about 1 s each.
    // `on_message` is installed before the connection opens so that nothing is missed; pass
    // nullptr for a publisher.
    static Result<std::unique_ptr<MqttEndpoint>> start(const EndpointConfig& config,
                                                       MessageHandler on_message);
    Result<void> await_connected();

    ~MqttEndpoint();
    MqttEndpoint(const MqttEndpoint&) = delete;
    MqttEndpoint& operator=(const MqttEndpoint&) = delete;

    // Blocks until the broker grants (success) or refuses (SubscribeFailed) the subscription.
    Result<void> subscribe(const std::string& filter, int qos, std::chrono::seconds timeout);

    // Queues one publish and returns at once; `listener` hears when it completes. The payload is
    // copied, so the caller may reuse its buffer.
    Result<void> publish(const std::string& topic, std::span<const std::byte> payload, int qos,
                         PublishListener& listener);

    // How many QoS 1/2 publishes the broker lets us have unacknowledged: its MQTT 5 Receive
    // Maximum, or 65535 when it sent none (always so on MQTT 3.1.1).
    std::uint32_t receive_maximum() const noexcept;

    bool connection_lost() const noexcept;

    // The broker's CONNACK said it still held a session for this client id. Valid after
    // await_connected() succeeded; always false for SessionMode::Clean [MQTT-3.2.2-1].
    bool session_present() const noexcept;

    // Best effort: sends DISCONNECT and waits up to `timeout` for it to go out.
    void disconnect(std::chrono::seconds timeout) noexcept;

private:
    struct Impl;
    explicit MqttEndpoint(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace sy::sim

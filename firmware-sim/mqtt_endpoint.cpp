#include "firmware-sim/mqtt_endpoint.hpp"

#include "firmware-sim/errc.hpp"

#include <MQTTAsync.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>

// Paho's C asynchronous API rather than its C++ wrapper, which adds a heap-allocated message and
// a delivery token (mutex, condition variable, list entry) to every publish. See README.md,
// "Design notes".

namespace sy::sim {
namespace {

// Paho counts every publish queued but not yet written against maxBufferedMessages, connected
// or not (default 100). The caller's window is the real bound, so lift this one above any window.
constexpr int kMaxQueuedPublishes = 1 << 17;

// One blocking request (connect, subscribe, disconnect). Each request gets its own, kept until
// the endpoint dies, so a completion that arrives after we stopped waiting touches nothing live.
struct Completion {
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
    bool ok = false;
    int code = 0;
    std::string detail;
    std::uint32_t receive_maximum = 65535;
    bool session_present = false;

    void finish(bool success, int rc, const char* message) {
        std::lock_guard lock(mutex);
        done = true;
        ok = success;
        code = rc;
        detail = message != nullptr ? message : "";
        cv.notify_all();
    }

    bool wait(std::chrono::seconds timeout) {
        std::unique_lock lock(mutex);
        return cv.wait_for(lock, timeout, [this] { return done; });
    }
};

std::string server_uri(const EndpointConfig& config) {
    const bool ipv6 = config.host.find(':') != std::string::npos;
    return "tcp://" + (ipv6 ? "[" + config.host + "]" : config.host) + ":" +
           std::to_string(config.port);
}

bool is_v5(const EndpointConfig& config) {
    return config.mqtt_version == 5;
}

// --- C callbacks. Paho calls them on its own threads; none may throw. ---

void completion_ok(void* context, MQTTAsync_successData*) {
    static_cast<Completion*>(context)->finish(true, 0, nullptr);
}

void completion_failed(void* context, MQTTAsync_failureData* response) {
    static_cast<Completion*>(context)->finish(false, response->code, response->message);
}

void connected(void* context, MQTTAsync_successData* response) {
    auto* completion = static_cast<Completion*>(context);
    completion->session_present = response->alt.connect.sessionPresent != 0;
    completion->finish(true, 0, nullptr);
}

// On MQTT 3.1.1 the SUBACK return code is the granted QoS, or 0x80 for a refusal [MQTT-3.9.3].
void subscribed(void* context, MQTTAsync_successData* response) {
    const bool granted = response->alt.qos < 0x80;
    static_cast<Completion*>(context)->finish(granted, response->alt.qos, "refused");
}

// MQTT 5: a single-filter SUBACK's reason code lands in reasonCode; 0x80 and above refuse the
// filter [MQTT-3.9.3]. DISCONNECT completes with success.
void completion_ok5(void* context, MQTTAsync_successData5* response) {
    static_cast<Completion*>(context)->finish(
        response->reasonCode < MQTTREASONCODE_UNSPECIFIED_ERROR, response->reasonCode, "refused");
}

void connected5(void* context, MQTTAsync_successData5* response) {
    auto* completion = static_cast<Completion*>(context);
    completion->session_present = response->alt.connect.sessionPresent != 0;
    if (MQTTProperties_hasProperty(&response->properties, MQTTPROPERTY_CODE_RECEIVE_MAXIMUM) != 0) {
        completion->receive_maximum = static_cast<std::uint32_t>(MQTTProperties_getNumericValue(
            &response->properties, MQTTPROPERTY_CODE_RECEIVE_MAXIMUM));
    }
    completion->finish(true, 0, nullptr);
}

void completion_failed5(void* context, MQTTAsync_failureData5* response) {
    static_cast<Completion*>(context)->finish(false, response->code, response->message);
}

void publish_ok(void* context, MQTTAsync_successData*) {
    static_cast<PublishListener*>(context)->on_publish_done(true);
}

void publish_failed(void* context, MQTTAsync_failureData*) {
    static_cast<PublishListener*>(context)->on_publish_done(false);
}

void publish_ok5(void* context, MQTTAsync_successData5* response) {
    // An MQTT 5 PUBACK may carry a failure reason code, e.g. 0x97 quota exceeded.
    static_cast<PublishListener*>(context)->on_publish_done(response->reasonCode <
                                                            MQTTREASONCODE_UNSPECIFIED_ERROR);
}

void publish_failed5(void* context, MQTTAsync_failureData5*) {
    static_cast<PublishListener*>(context)->on_publish_done(false);
}

}  // namespace

struct MqttEndpoint::Impl {
    EndpointConfig config;
    MQTTAsync handle = nullptr;
    MessageHandler on_message;
    std::atomic<bool> lost{false};
    std::uint32_t receive_maximum = 65535;
    bool session_present = false;
    std::deque<Completion> completions;
    Completion* connecting = nullptr;

    ~Impl() {
        if (handle != nullptr) {
            MQTTAsync_destroy(&handle);
        }
    }

    Completion& new_completion() { return completions.emplace_back(); }

    void complain(std::string_view what, int rc, const std::string& detail) const {
        std::fprintf(stderr, "switchyard-sim: %s: %.*s failed: %s (%d)%s%s\n",
                     config.client_id.c_str(), static_cast<int>(what.size()), what.data(),
                     MQTTAsync_strerror(rc), rc, detail.empty() ? "" : ": ", detail.c_str());
    }

    static int message_arrived(void* context, char* topic, int, MQTTAsync_message* message) {
        auto* self = static_cast<Impl*>(context);
        if (self->on_message) {
            self->on_message(std::span(static_cast<const std::byte*>(message->payload),
                                       static_cast<std::size_t>(message->payloadlen)));
        }
        MQTTAsync_freeMessage(&message);
        MQTTAsync_free(topic);
        return 1;  // handled; Paho must not redeliver it
    }

    static void connection_lost(void* context, char*) { static_cast<Impl*>(context)->lost = true; }
};

MqttEndpoint::MqttEndpoint(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

MqttEndpoint::~MqttEndpoint() = default;

namespace {

// CONNECT properties; Paho copies them in MQTTAsync_connect, so they live for one call.
struct ConnectProperties {
    MQTTProperties list = MQTTProperties_initializer;
    ConnectProperties() = default;
    ~ConnectProperties() { MQTTProperties_free(&list); }
    ConnectProperties(const ConnectProperties&) = delete;
    ConnectProperties& operator=(const ConnectProperties&) = delete;
};

// `properties` receives what an MQTT 5 CONNECT carries; the options point at it when non-empty.
// Empty only if Paho could not add a property (out of memory).
std::optional<MQTTAsync_connectOptions> connect_options_for(const EndpointConfig& config,
                                                            ConnectProperties& properties) {
    const bool persistent = config.session == SessionMode::Persistent;
    MQTTAsync_connectOptions opts = MQTTAsync_connectOptions_initializer;
    if (is_v5(config)) {
        opts = MQTTAsync_connectOptions_initializer5;
        // Without clean start the broker resumes the session it kept, if any (MQTT 5
        // [MQTT-3.1.2-5]); an expiry of 0 (none sent) would end the session with the connection.
        opts.cleanstart = persistent ? 0 : 1;
        if (persistent) {
            MQTTProperty expiry{};
            expiry.identifier = MQTTPROPERTY_CODE_SESSION_EXPIRY_INTERVAL;
            expiry.value.integer4 = static_cast<unsigned int>(kSessionExpiry.count());
            if (MQTTProperties_add(&properties.list, &expiry) != 0) {
                return std::nullopt;
            }
            opts.connectProperties = &properties.list;
        }
    } else {
        // Clean session 0: the broker keeps subscriptions and QoS 1/2 messages [MQTT-3.1.2-4].
        opts.cleansession = persistent ? 0 : 1;
        opts.MQTTVersion = MQTTVERSION_3_1_1;
    }
    opts.keepAliveInterval = 60;
    opts.connectTimeout = static_cast<int>(config.connect_timeout.count());
    opts.maxInflight = 65535;
    opts.automaticReconnect = 0;
    return opts;
}

}  // namespace

Result<std::unique_ptr<MqttEndpoint>> MqttEndpoint::start(const EndpointConfig& config,
                                                          MessageHandler on_message) {
    auto impl = std::make_unique<Impl>();
    impl->config = config;
    impl->on_message = std::move(on_message);

    MQTTAsync_createOptions create = MQTTAsync_createOptions_initializer;
    create.MQTTVersion = is_v5(config) ? MQTTVERSION_5 : MQTTVERSION_3_1_1;
    create.maxBufferedMessages = kMaxQueuedPublishes;
    // No persistence: in-flight state lives in memory only, as a load generator wants.
    int rc = MQTTAsync_createWithOptions(&impl->handle, server_uri(config).c_str(),
                                         config.client_id.c_str(), MQTTCLIENT_PERSISTENCE_NONE,
                                         nullptr, &create);
    if (rc == MQTTASYNC_SUCCESS) {
        // Paho insists on a message callback even for a client that never subscribes.
        rc = MQTTAsync_setCallbacks(impl->handle, impl.get(), &Impl::connection_lost,
                                    &Impl::message_arrived, nullptr);
    }
    if (rc != MQTTASYNC_SUCCESS) {
        impl->complain("create", rc, "");
        return std::unexpected(make_error_code(errc::ConnectFailed));
    }

    Completion& done = impl->new_completion();
    ConnectProperties properties;
    auto built = connect_options_for(config, properties);
    if (!built) {
        impl->complain("connect options", MQTTASYNC_FAILURE, "session expiry");
        return std::unexpected(make_error_code(errc::ConnectFailed));
    }
    MQTTAsync_connectOptions& opts = *built;
    opts.context = &done;
    if (is_v5(config)) {
        opts.onSuccess5 = connected5;
        opts.onFailure5 = completion_failed5;
    } else {
        opts.onSuccess = connected;
        opts.onFailure = completion_failed;
    }
    rc = MQTTAsync_connect(impl->handle, &opts);
    if (rc != MQTTASYNC_SUCCESS) {
        impl->complain("connect to " + server_uri(config), rc, "");
        return std::unexpected(make_error_code(errc::ConnectFailed));
    }
    impl->connecting = &done;
    return std::unique_ptr<MqttEndpoint>(new MqttEndpoint(std::move(impl)));
}

Result<void> MqttEndpoint::await_connected() {
    Completion* done = std::exchange(impl_->connecting, nullptr);
    if (done == nullptr) {
        return {};
    }
    const EndpointConfig& config = impl_->config;
    if (!done->wait(config.connect_timeout + std::chrono::seconds(1))) {
        std::fprintf(stderr, "switchyard-sim: %s: connect to %s timed out\n",
                     config.client_id.c_str(), server_uri(config).c_str());
        return std::unexpected(make_error_code(errc::Timeout));
    }
    std::lock_guard lock(done->mutex);
    if (!done->ok) {
        impl_->complain("connect to " + server_uri(config), done->code, done->detail);
        return std::unexpected(make_error_code(errc::ConnectFailed));
    }
    impl_->receive_maximum = done->receive_maximum;
    impl_->session_present = done->session_present;
    return {};
}

Result<void> MqttEndpoint::subscribe(const std::string& filter, int qos,
                                     std::chrono::seconds timeout) {
    Completion& done = impl_->new_completion();
    MQTTAsync_responseOptions opts = MQTTAsync_responseOptions_initializer;
    opts.context = &done;
    if (is_v5(impl_->config)) {
        opts.onSuccess5 = completion_ok5;
        opts.onFailure5 = completion_failed5;
    } else {
        opts.onSuccess = subscribed;
        opts.onFailure = completion_failed;
    }
    const int rc = MQTTAsync_subscribe(impl_->handle, filter.c_str(), qos, &opts);
    if (rc != MQTTASYNC_SUCCESS) {
        impl_->complain("subscribe " + filter, rc, "");
        return std::unexpected(make_error_code(errc::SubscribeFailed));
    }
    if (!done.wait(timeout)) {
        std::fprintf(stderr, "switchyard-sim: %s: no SUBACK for %s within %lld s\n",
                     impl_->config.client_id.c_str(), filter.c_str(),
                     static_cast<long long>(timeout.count()));
        return std::unexpected(make_error_code(errc::Timeout));
    }
    std::lock_guard lock(done.mutex);
    if (!done.ok) {
        impl_->complain("subscribe " + filter, done.code, done.detail);
        return std::unexpected(make_error_code(errc::SubscribeFailed));
    }
    return {};
}

Result<void> MqttEndpoint::publish(const std::string& topic, std::span<const std::byte> payload,
                                   int qos, PublishListener& listener) {
    MQTTAsync_responseOptions opts = MQTTAsync_responseOptions_initializer;
    opts.context = &listener;
    if (is_v5(impl_->config)) {
        opts.onSuccess5 = publish_ok5;
        opts.onFailure5 = publish_failed5;
    } else {
        opts.onSuccess = publish_ok;
        opts.onFailure = publish_failed;
    }
    // MQTTAsync_send copies topic and payload before returning.
    const int rc = MQTTAsync_send(impl_->handle, topic.c_str(), static_cast<int>(payload.size()),
                                  payload.data(), qos, 0, &opts);
    if (rc != MQTTASYNC_SUCCESS) {
        impl_->complain("publish", rc, "");
        return std::unexpected(make_error_code(errc::PublishFailed));
    }
    return {};
}

std::uint32_t MqttEndpoint::receive_maximum() const noexcept {
    return impl_->receive_maximum;
}

bool MqttEndpoint::connection_lost() const noexcept {
    return impl_->lost.load();
}

bool MqttEndpoint::session_present() const noexcept {
    return impl_->session_present;
}

void MqttEndpoint::disconnect(std::chrono::seconds timeout) noexcept {
    if (impl_->handle == nullptr || MQTTAsync_isConnected(impl_->handle) == 0) {
        return;
    }
    try {
        Completion& done = impl_->new_completion();
        MQTTAsync_disconnectOptions opts = MQTTAsync_disconnectOptions_initializer;
        if (is_v5(impl_->config)) {
            const MQTTAsync_disconnectOptions v5 = MQTTAsync_disconnectOptions_initializer5;
            opts = v5;
            opts.onSuccess5 = completion_ok5;
            opts.onFailure5 = completion_failed5;
        } else {
            opts.onSuccess = completion_ok;
            opts.onFailure = completion_failed;
        }
        opts.context = &done;
        opts.timeout = static_cast<int>(
            std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count());
        if (MQTTAsync_disconnect(impl_->handle, &opts) == MQTTASYNC_SUCCESS) {
            done.wait(timeout + std::chrono::seconds(1));
        }
    } catch (const std::exception&) {
        // Out of memory while tearing down: the socket closes with the process anyway.
    }
}

}  // namespace sy::sim

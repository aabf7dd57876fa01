#include "firmware-sim/device_link.hpp"

#include "firmware-sim/errc.hpp"

#include <mqtt/async_client.h>

#include <utility>

// Paho MQTT C++ rather than the C API the bench uses: a device publishes a reading every few
// seconds, so the wrapper's per-publish token costs nothing that matters, and its typed
// options (will, TLS, MQTT 5 properties) keep this adapter short. See README.md.

namespace sy::sim {
namespace {

std::string server_uri(const LinkConfig& c) {
    const bool ipv6 = c.host.find(':') != std::string::npos;
    const std::string host = ipv6 ? "[" + c.host + "]" : c.host;
    return std::string(c.tls ? "ssl://" : "tcp://") + host + ":" + std::to_string(c.port);
}

std::string describe(const mqtt::token& token) {
    std::string text = "code " + std::to_string(token.get_return_code());
    if (token.get_reason_code() != mqtt::ReasonCode::SUCCESS) {
        text += ", reason " + std::to_string(static_cast<int>(token.get_reason_code()));
    }
    return text;
}

}  // namespace

struct DeviceLink::Impl : mqtt::callback {
    // One listener per kind of request; Paho calls them on its threads.
    struct Listener : mqtt::iaction_listener {
        Listener(Impl& owner, LinkEventKind ok, LinkEventKind failed)
            : owner_(owner), ok_(ok), failed_(failed) {}
        void on_success(const mqtt::token&) override { owner_.post(ok_, {}); }
        void on_failure(const mqtt::token& token) override {
            owner_.post(failed_, describe(token));
        }
        Impl& owner_;
        LinkEventKind ok_;
        LinkEventKind failed_;
    };

    struct PublishCounter : mqtt::iaction_listener {
        PublishCounter(std::atomic<std::uint64_t>& sent, std::atomic<std::uint64_t>& failed)
            : sent_(sent), failed_(failed) {}
        void on_success(const mqtt::token&) override {
            sent_.fetch_add(1, std::memory_order_relaxed);
        }
        void on_failure(const mqtt::token&) override {
            failed_.fetch_add(1, std::memory_order_relaxed);
        }
        std::atomic<std::uint64_t>& sent_;
        std::atomic<std::uint64_t>& failed_;
    };

    Impl(const LinkConfig& c, std::uint32_t device_index, EventQueue& queue, LinkCounters& counters)
        : config(c),
          device(device_index),
          events(queue),
          on_connect(*this, LinkEventKind::Connected, LinkEventKind::ConnectFailed),
          on_subscribe(*this, LinkEventKind::Subscribed, LinkEventKind::SubscribeFailed),
          on_disconnect(*this, LinkEventKind::Disconnected, LinkEventKind::Disconnected),
          on_reading(counters.readings_sent, counters.readings_failed),
          on_other(counters.others_sent, counters.others_failed),
          client(server_uri(c), c.client_id, create_options(c)) {
        client.set_callback(*this);
    }

    static mqtt::create_options create_options(const LinkConfig& c) {
        mqtt::create_options opts(c.mqtt_version == 5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1,
                                  c.max_queued_publishes);
        opts.set_send_while_disconnected(false);
        return opts;
    }

    mqtt::connect_options connect_options() const;

    void post(LinkEventKind kind, std::string detail) {
        LinkEvent e;
        e.kind = kind;
        e.device = device;
        e.at = std::chrono::steady_clock::now();
        e.detail = std::move(detail);
        events.post(std::move(e));
    }

    // mqtt::callback, on Paho's receive thread.
    void connection_lost(const std::string& cause) override {
        post(LinkEventKind::ConnectionLost, cause);
    }
    void message_arrived(mqtt::const_message_ptr msg) override;

    LinkConfig config;
    std::uint32_t device;
    EventQueue& events;
    Listener on_connect;
    Listener on_subscribe;
    Listener on_disconnect;
    PublishCounter on_reading;
    PublishCounter on_other;
    // Last, so that it is destroyed first: no callback can reach a listener already gone.
    mqtt::async_client client;
};

mqtt::connect_options DeviceLink::Impl::connect_options() const {
    mqtt::connect_options opts;
    opts.set_mqtt_version(config.mqtt_version == 5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1);
    if (config.mqtt_version == 5) {
        // MQTT 5 has no clean-session flag: clean start, plus a session expiry when the
        // session should outlive the connection [MQTT-3.1.2-4, MQTT-3.1.2-23].
        opts.set_clean_session(false);
        opts.set_clean_start(config.clean_session);
        if (!config.clean_session) {
            opts.set_properties({mqtt::property(mqtt::property::SESSION_EXPIRY_INTERVAL,
                                                static_cast<int32_t>(3600))});
        }
    } else {
        opts.set_clean_session(config.clean_session);
    }
    opts.set_keep_alive_interval(config.keepalive);
    opts.set_connect_timeout(config.connect_timeout);
    opts.set_automatic_reconnect(false);  // the device reconnects itself, with its own backoff
    if (!config.username.empty()) opts.set_user_name(config.username);
    if (!config.password.empty()) opts.set_password(config.password);
    if (config.will) {
        const LinkWill& w = *config.will;
        opts.set_will(
            mqtt::will_options(w.topic, w.payload.data(), w.payload.size(), w.qos, w.retained));
    }
    if (config.tls) {
        mqtt::ssl_options ssl;
        if (!config.tls->ca_file.empty()) ssl.set_trust_store(config.tls->ca_file);
        if (!config.tls->cert_file.empty()) ssl.set_key_store(config.tls->cert_file);
        if (!config.tls->key_file.empty()) ssl.set_private_key(config.tls->key_file);
        ssl.set_enable_server_cert_auth(config.tls->verify_server);
        ssl.set_verify(config.tls->verify_server);
        opts.set_ssl(std::move(ssl));
    }
    return opts;
}

void DeviceLink::Impl::message_arrived(mqtt::const_message_ptr msg) {
    LinkEvent e;
    e.kind = LinkEventKind::Message;
    e.device = device;
    e.at = std::chrono::steady_clock::now();
    e.message.topic = msg->get_topic();
    e.message.payload = msg->get_payload_str();
    const mqtt::properties& props = msg->get_properties();
    if (props.contains(mqtt::property::RESPONSE_TOPIC)) {
        e.message.response_topic = mqtt::get<std::string>(props, mqtt::property::RESPONSE_TOPIC);
    }
    if (props.contains(mqtt::property::CORRELATION_DATA)) {
        e.message.correlation_data =
            mqtt::get<std::string>(props, mqtt::property::CORRELATION_DATA);
    }
    events.post(std::move(e));
}

DeviceLink::DeviceLink(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

// Paho refuses to change callbacks while a connect is under way and says so by throwing; the
// client's own destructor then stops them.
DeviceLink::~DeviceLink() {
    if (!impl_) return;
    try {
        impl_->client.disable_callbacks();
    } catch (const std::exception&) {
    }
}

Result<std::unique_ptr<DeviceLink>> DeviceLink::create(const LinkConfig& config,
                                                       std::uint32_t device, EventQueue& events,
                                                       LinkCounters& counters) {
    try {
        auto impl = std::make_unique<Impl>(config, device, events, counters);
        return std::unique_ptr<DeviceLink>(new DeviceLink(std::move(impl)));
    } catch (const std::exception&) {
        return std::unexpected(make_error_code(errc::ConnectFailed));
    }
}

Result<void> DeviceLink::connect() {
    try {
        impl_->client.connect(impl_->connect_options(), nullptr, impl_->on_connect);
        return {};
    } catch (const std::exception&) {
        return std::unexpected(make_error_code(errc::ConnectFailed));
    }
}

Result<void> DeviceLink::subscribe(const std::string& filter, int qos) {
    try {
        mqtt::subscribe_options opts;
        if (impl_->config.mqtt_version == 5) opts.set_no_local(true);
        impl_->client.subscribe(filter, qos, nullptr, impl_->on_subscribe, opts);
        return {};
    } catch (const std::exception&) {
        return std::unexpected(make_error_code(errc::SubscribeFailed));
    }
}

Result<void> DeviceLink::publish(const Outbound& m) {
    try {
        auto msg =
            mqtt::make_message(m.topic, m.payload.data(), m.payload.size(), m.qos, m.retained);
        if (impl_->config.mqtt_version == 5 && !m.correlation_data.empty()) {
            msg->set_properties(
                {mqtt::property(mqtt::property::CORRELATION_DATA, m.correlation_data)});
        }
        auto& listener = m.is_reading ? impl_->on_reading : impl_->on_other;
        impl_->client.publish(std::move(msg), nullptr, listener);
        return {};
    } catch (const std::exception&) {
        return std::unexpected(make_error_code(errc::PublishFailed));
    }
}

Result<void> DeviceLink::disconnect(std::chrono::milliseconds timeout) {
    try {
        impl_->client.disconnect(static_cast<int>(timeout.count()), nullptr, impl_->on_disconnect);
        return {};
    } catch (const std::exception&) {
        return std::unexpected(make_error_code(errc::DisconnectFailed));
    }
}

}  // namespace sy::sim

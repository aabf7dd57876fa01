// Composition root: reads the command line, builds the broker and the protocol servers,
// opens the listeners, prints "ready" and runs the loop until SIGTERM/SIGINT.

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "app/command_line.hpp"
#include "app/http_routes.hpp"
#include "core/broker/broker.hpp"
#include "core/model/clock.hpp"
#include "protocols/amqp/server.hpp"
#include "protocols/mqtt/server.hpp"
#include "protocols/stomp/server.hpp"
#include "protocols/transport/event_loop.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace {

int fail(const std::string& why) {
    std::fprintf(stderr, "switchyard: error: %s\n", why.c_str());
    return 1;
}

// Each connection is a descriptor: take the hard limit so the listener never hits EMFILE
// before max_connections.
void raise_fd_limit() {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

void setup_logging(const std::string& level) {
    auto logger = spdlog::stderr_color_mt("switchyard");
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::from_str(level));
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
}

// storage.memory_high_watermark_mb, or RabbitMQ's default of 40 % of physical memory.
std::uint64_t memory_watermark_bytes(const sy::core::StorageConfig& storage) {
    if (storage.memory_high_watermark_mb != 0) return storage.memory_high_watermark_mb << 20;
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long page_size = sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || page_size <= 0) return 0;
    return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page_size) / 10 * 4;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace sy;
    auto cl = app::parse_command_line(argc, argv);
    if (!cl) return fail(cl.error());
    if (cl->exit_now) return cl->exit_code;
    const core::Config& cfg = cl->config;
    setup_logging(cfg.log.level);
    raise_fd_limit();
    // A file-size limit (ulimit -f) must fail the write (the store nacks), not kill us.
    std::signal(SIGXFSZ, SIG_IGN);

    std::error_code ec;
    std::filesystem::create_directories(cfg.storage.data_dir, ec);
    if (ec) return fail("cannot create data directory " + cfg.storage.data_dir + ": " + ec.message());

    // The loop is built first and destroyed last: the store posts its completions to it.
    transport::EventLoop loop({cfg.listeners.bind, cfg.listeners.max_connections});
    storage::SqliteStore::Options store_options;
    store_options.path = (std::filesystem::path(cfg.storage.data_dir) / "switchyard.db").string();
    store_options.sync = cfg.storage.sync == "normal" ? storage::SqliteStore::SyncMode::Normal
                                                      : storage::SqliteStore::SyncMode::Full;
    store_options.max_size_bytes = std::uint64_t{cfg.storage.max_size_mb} << 20;
    store_options.post = [&loop](std::function<void()> fn) { loop.post(std::move(fn)); };
    auto opened = storage::SqliteStore::open(std::move(store_options));
    if (!opened) return fail(opened.error());
    storage::SqliteStore& store = **opened;
    core::Broker broker(store);
    broker.set_queue_memory_limit(cfg.storage.queue_memory_limit);  // before any queue
    if (auto n = broker.recover_topology(); n > 0) spdlog::info("recovered {} durable queues", n);
    mqtt::Server mqtt_server(broker, cfg.mqtt);
    if (auto n = mqtt_server.recover(); n > 0) spdlog::info("recovered {} MQTT sessions", n);
    amqp::ServerOptions amqp_options;
    amqp_options.memory_high_watermark = memory_watermark_bytes(cfg.storage);
    amqp::Server amqp_server(broker, amqp_options);
    stomp::Server stomp_server(broker);
    const std::int64_t started = core::now_ms();
    app::HttpContext http_ctx{broker, mqtt_server, started};

    if (cfg.listeners.mqtt_port != 0) {
        loop.add_tcp_listener("mqtt", cfg.listeners.mqtt_port,
                              [&](transport::Transport& t) { return mqtt_server.accept(t); });
    }
    if (cfg.listeners.amqp_port != 0) {
        loop.add_tcp_listener("amqp", cfg.listeners.amqp_port,
                              [&](transport::Transport& t) { return amqp_server.accept(t); });
    }
    if (cfg.listeners.stomp_port != 0) {
        loop.add_tcp_listener("stomp", cfg.listeners.stomp_port,
                              [&](transport::Transport& t) { return stomp_server.accept(t); });
    }
    if (cfg.listeners.http_port != 0) {
        loop.add_http_listener(cfg.listeners.http_port, [&](const std::string& path) {
            return app::handle_http(http_ctx, path);
        });
        // MQTT over WebSocket: the same sessions as on TCP, binary frames only [MQTT-6.0.0-1].
        loop.add_websocket_endpoint(
            "/mqtt", {"mqtt", "mqttv3.1"},
            [&](transport::Transport& t) { return mqtt_server.accept(t); },
            {.text_when_utf8 = false, .accept_text = false});
        // STOMP over WebSocket, as RabbitMQ Web-STOMP serves it: text frames when the bytes
        // are UTF-8 (what browsers and stomp.js expect), binary for binary bodies.
        loop.add_websocket_endpoint(
            "/ws", {"v12.stomp", "v11.stomp", "v10.stomp"},
            [&](transport::Transport& t) { return stomp_server.accept(t); },
            {.text_when_utf8 = true, .accept_text = true});
    }
    if (auto started_ok = loop.start(); !started_ok) return fail(started_ok.error());
    // Everything one loop iteration asks of the store goes to its writer as one batch.
    // AMQP output and confirms first: what they settle may still ask the store for something.
    loop.on_iteration([&] {
        amqp_server.flush();
        store.flush();
    });

    // Keepalive is checked twice a second, so a silent client goes within 0.5 s of its
    // 1.5 x keepalive deadline.
    loop.every(std::chrono::milliseconds(500), [&] {
        mqtt_server.tick(core::now_ms());
        amqp_server.tick(core::now_ms());
        stomp_server.tick(core::now_ms());  // STOMP heart-beats both ways
        broker.tick(core::wall_ms());  // message TTLs and unused-queue expiry
    });
    if (cfg.mqtt.sys_interval != 0) {
        mqtt_server.publish_sys(core::now_ms());
        loop.every(std::chrono::seconds(cfg.mqtt.sys_interval),
                   [&] { mqtt_server.publish_sys(core::now_ms()); });
    }

    std::printf("switchyard ready: bind %s mqtt %u amqp %u stomp %u http %u data %s\n",
                cfg.listeners.bind.c_str(), cfg.listeners.mqtt_port, cfg.listeners.amqp_port,
                cfg.listeners.stomp_port, cfg.listeners.http_port, cfg.storage.data_dir.c_str());
    std::fflush(stdout);
    loop.run();
    spdlog::info("stopped");
    return 0;
}

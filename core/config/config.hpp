#pragma once
// Typed configuration. Each module owns its struct; the loader fills them from one TOML file
// and rejects unknown keys, so a typo is an error at start-up rather than a silent default.
// Immutable after start and passed explicitly.

#include <cstdint>
#include <expected>
#include <string>

namespace sy::core {

struct ListenerConfig {
    std::string bind = "127.0.0.1";
    std::uint16_t mqtt_port = 1883;   // 0 turns a listener off
    std::uint16_t amqp_port = 5672;
    std::uint16_t stomp_port = 61613;
    std::uint16_t http_port = 8080;
    std::uint32_t max_connections = 100000;
};

struct StorageConfig {
    std::string data_dir = "./data";
    // "full": a publisher's ack waits for the fsync of the commit (survives power loss).
    // "normal": it waits for the commit to the write-ahead log (survives a crash of the
    // process, may lose the last commits on power loss).
    std::string sync = "full";
    // Cap on the database file in MiB (0: none). Past it, persistent publishes are refused
    // (negative ack, or the connection closed where the protocol has no negative ack) instead
    // of the disk filling up.
    std::uint32_t max_size_mb = 0;
    // Ready messages a durable queue keeps in memory; past that its persistent messages stay
    // on disk only and are read back as the queue drains (0: everything in memory).
    std::uint64_t queue_memory_limit = 10000;
    // Memory alarm, as RabbitMQ's vm_memory_high_watermark: past this many MiB of message
    // payload held in memory, AMQP publishers get connection.blocked until it falls back
    // (0: 40 % of the machine's memory, RabbitMQ's default share).
    std::uint64_t memory_high_watermark_mb = 0;
};

struct MqttConfig {
    std::uint32_t max_packet_size = 268435455;  // largest packet accepted from a client
    std::uint16_t max_inflight = 20;            // outbound QoS 1/2 messages awaiting ack
    std::uint32_t max_queued_messages = 100000; // per session; 0 = unlimited
    std::uint32_t sys_interval = 10;            // seconds between $SYS updates; 0 = off
    bool allow_zero_length_clientid = true;
    std::uint16_t max_topic_alias = 10;         // MQTT 5 topic aliases a client may set
};

struct LogConfig {
    std::string level = "info";  // trace, debug, info, warn, error
};

struct Config {
    ListenerConfig listeners;
    StorageConfig storage;
    MqttConfig mqtt;
    LogConfig log;
};

// Reads and validates a TOML file. The error is one line, fit to print and exit on.
std::expected<Config, std::string> load_config_file(const std::string& path);
std::expected<Config, std::string> parse_config(std::string_view toml_text,
                                                const std::string& source_name);
// Checks cross-field rules (ports distinct, limits sane). Also run after flag overrides.
std::expected<void, std::string> validate(const Config& config);

}  // namespace sy::core

#include "core/config/config.hpp"

#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <toml++/toml.h>

namespace sy::core {
namespace {

using Fail = std::unexpected<std::string>;

// Reads one table, remembering which keys were consumed so the rest can be reported.
class TableReader {
public:
    TableReader(const toml::table* table, std::string section)
        : table_(table), section_(std::move(section)) {}

    template <class Int>
    std::expected<void, std::string> integer(const char* key, Int& out) {
        if (!table_) return {};
        seen_.insert(key);
        const toml::node* n = table_->get(key);
        if (!n) return {};
        auto v = n->value<std::int64_t>();
        if (!n->is_integer() || !v || *v < 0 ||
            static_cast<std::uint64_t>(*v) > std::numeric_limits<Int>::max()) {
            return Fail(where(key) + " must be an integer from 0 to " +
                        std::to_string(std::numeric_limits<Int>::max()));
        }
        out = static_cast<Int>(*v);
        return {};
    }

    std::expected<void, std::string> string(const char* key, std::string& out) {
        if (!table_) return {};
        seen_.insert(key);
        const toml::node* n = table_->get(key);
        if (!n) return {};
        if (!n->is_string()) return Fail(where(key) + " must be a string");
        out = *n->value<std::string>();
        return {};
    }

    std::expected<void, std::string> boolean(const char* key, bool& out) {
        if (!table_) return {};
        seen_.insert(key);
        const toml::node* n = table_->get(key);
        if (!n) return {};
        if (!n->is_boolean()) return Fail(where(key) + " must be true or false");
        out = *n->value<bool>();
        return {};
    }

    std::expected<void, std::string> no_unknown_keys() const {
        if (!table_) return {};
        for (const auto& [k, v] : *table_) {
            if (!seen_.contains(std::string(k.str()))) {
                return Fail("unknown setting " + where(std::string(k.str()).c_str()));
            }
        }
        return {};
    }

private:
    std::string where(const char* key) const { return "'" + section_ + "." + key + "'"; }

    const toml::table* table_;
    std::string section_;
    std::set<std::string> seen_;
};

#define SY_TRY(expr)                                     \
    do {                                                 \
        if (auto r_ = (expr); !r_) return Fail(r_.error()); \
    } while (0)

std::expected<void, std::string> read_listeners(const toml::table* t, ListenerConfig& c) {
    TableReader r(t, "listeners");
    SY_TRY(r.string("bind", c.bind));
    SY_TRY(r.integer("mqtt_port", c.mqtt_port));
    SY_TRY(r.integer("amqp_port", c.amqp_port));
    SY_TRY(r.integer("stomp_port", c.stomp_port));
    SY_TRY(r.integer("http_port", c.http_port));
    SY_TRY(r.integer("max_connections", c.max_connections));
    return r.no_unknown_keys();
}

std::expected<void, std::string> read_mqtt(const toml::table* t, MqttConfig& c) {
    TableReader r(t, "mqtt");
    SY_TRY(r.integer("max_packet_size", c.max_packet_size));
    SY_TRY(r.integer("max_inflight", c.max_inflight));
    SY_TRY(r.integer("max_queued_messages", c.max_queued_messages));
    SY_TRY(r.integer("sys_interval", c.sys_interval));
    SY_TRY(r.boolean("allow_zero_length_clientid", c.allow_zero_length_clientid));
    SY_TRY(r.integer("max_topic_alias", c.max_topic_alias));
    return r.no_unknown_keys();
}

}  // namespace

std::expected<Config, std::string> parse_config(std::string_view text,
                                                const std::string& source_name) {
    toml::table root;
    try {
        root = toml::parse(text, source_name);
    } catch (const toml::parse_error& e) {
        const auto& where = e.source().begin;
        return Fail(source_name + ":" + std::to_string(where.line) + ": " +
                    std::string(e.description()));
    }
    Config c;
    static const std::set<std::string> sections = {"listeners", "storage", "mqtt", "log"};
    for (const auto& [k, v] : root) {
        std::string key(k.str());
        if (!sections.contains(key)) return Fail("unknown section '" + key + "'");
        if (!v.is_table()) return Fail("'" + key + "' must be a table");
    }
    SY_TRY(read_listeners(root["listeners"].as_table(), c.listeners));
    SY_TRY(read_mqtt(root["mqtt"].as_table(), c.mqtt));
    {
        TableReader r(root["storage"].as_table(), "storage");
        SY_TRY(r.string("data_dir", c.storage.data_dir));
        SY_TRY(r.string("sync", c.storage.sync));
        SY_TRY(r.integer("max_size_mb", c.storage.max_size_mb));
        SY_TRY(r.integer("queue_memory_limit", c.storage.queue_memory_limit));
        SY_TRY(r.integer("memory_high_watermark_mb", c.storage.memory_high_watermark_mb));
        SY_TRY(r.no_unknown_keys());
    }
    {
        TableReader r(root["log"].as_table(), "log");
        SY_TRY(r.string("level", c.log.level));
        SY_TRY(r.no_unknown_keys());
    }
    SY_TRY(validate(c));
    return c;
}

std::expected<Config, std::string> load_config_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Fail("cannot read config file " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_config(ss.str(), path);
}

std::expected<void, std::string> validate(const Config& c) {
    static const std::set<std::string> levels = {"trace", "debug", "info", "warn", "error"};
    if (!levels.contains(c.log.level)) {
        return Fail("'log.level' must be one of trace, debug, info, warn, error");
    }
    if (c.mqtt.max_packet_size < 64) return Fail("'mqtt.max_packet_size' must be at least 64");
    if (c.mqtt.max_packet_size > 268435460) {
        return Fail("'mqtt.max_packet_size' must be at most 268435460");
    }
    if (c.mqtt.max_inflight == 0) return Fail("'mqtt.max_inflight' must be at least 1");
    if (c.storage.data_dir.empty()) return Fail("'storage.data_dir' must not be empty");
    if (c.storage.sync != "full" && c.storage.sync != "normal") {
        return Fail("'storage.sync' must be \"full\" or \"normal\"");
    }
    const std::uint16_t ports[] = {c.listeners.mqtt_port, c.listeners.amqp_port,
                                   c.listeners.stomp_port, c.listeners.http_port};
    for (std::size_t i = 0; i < 4; ++i) {
        for (std::size_t j = i + 1; j < 4; ++j) {
            if (ports[i] != 0 && ports[i] == ports[j]) {
                return Fail("two listeners use port " + std::to_string(ports[i]));
            }
        }
    }
    return {};
}

}  // namespace sy::core

#include "app/command_line.hpp"

#include <CLI/CLI.hpp>
#include <optional>

namespace sy::app {

std::expected<CommandLine, std::string> parse_command_line(int argc, char** argv) {
    CLI::App cli{"Switchyard: MQTT, AMQP and STOMP gateway broker"};
    cli.set_version_flag("--version", "switchyard 0.1.0");
    std::optional<std::string> config_file, data_dir, bind, log_level;
    std::optional<std::uint16_t> mqtt_port, amqp_port, stomp_port, http_port;
    cli.add_option("--config", config_file, "TOML configuration file (etc/switchyard.toml)");
    cli.add_option("--data-dir", data_dir, "directory for the database (default ./data)");
    cli.add_option("--bind", bind, "address every listener binds to (default 127.0.0.1)");
    cli.add_option("--mqtt-port", mqtt_port, "MQTT port (default 1883, 0 = off)");
    cli.add_option("--amqp-port", amqp_port, "AMQP port (default 5672, 0 = off)");
    cli.add_option("--stomp-port", stomp_port, "STOMP port (default 61613, 0 = off)");
    cli.add_option("--http-port", http_port, "HTTP port: dashboard, API, metrics (default 8080, 0 = off)");
    cli.add_option("--log-level", log_level, "trace, debug, info, warn or error");

    CommandLine out;
    try {
        cli.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        out.exit_now = true;
        out.exit_code = cli.exit(e);
        return out;
    } catch (const CLI::CallForVersion& e) {
        out.exit_now = true;
        out.exit_code = cli.exit(e);
        return out;
    } catch (const CLI::ParseError& e) {
        return std::unexpected(std::string(e.what()));
    }

    if (config_file) {
        auto loaded = core::load_config_file(*config_file);
        if (!loaded) return std::unexpected(loaded.error());
        out.config = std::move(*loaded);
    }
    auto& c = out.config;
    if (data_dir) c.storage.data_dir = *data_dir;
    if (bind) c.listeners.bind = *bind;
    if (mqtt_port) c.listeners.mqtt_port = *mqtt_port;
    if (amqp_port) c.listeners.amqp_port = *amqp_port;
    if (stomp_port) c.listeners.stomp_port = *stomp_port;
    if (http_port) c.listeners.http_port = *http_port;
    if (log_level) c.log.level = *log_level;
    if (auto v = core::validate(c); !v) return std::unexpected(v.error());
    return out;
}

}  // namespace sy::app

#include "app/http_routes.hpp"

#include <nlohmann/json.hpp>
#include <sstream>

#include "core/model/clock.hpp"

namespace sy::app {
namespace {

// Until the dashboard issue brings web/, the root page shows live broker counters from the
// API so a user can see the gateway is alive.
constexpr const char* kIndexHtml = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Switchyard</title>
<style>body{font-family:sans-serif;margin:2em}td{padding:.2em 1em}</style></head>
<body><h1>Switchyard gateway</h1><table id="t"></table>
<p><a href="/metrics">/metrics</a> &middot; <a href="/api/overview">/api/overview</a></p>
<script>
async function refresh(){const r=await fetch('/api/overview');const o=await r.json();
document.getElementById('t').innerHTML=Object.entries(o).map(([k,v])=>
'<tr><td>'+k+'</td><td>'+v+'</td></tr>').join('');}
refresh();setInterval(refresh,2000);
</script></body></html>
)";

nlohmann::json overview(const HttpContext& ctx) {
    const auto& st = ctx.broker.stats();
    return {
        {"uptime_s", (core::now_ms() - ctx.started_ms) / 1000},
        {"mqtt_clients_connected", ctx.mqtt.connected_count()},
        {"mqtt_sessions", ctx.mqtt.session_count()},
        {"mqtt_subscriptions", ctx.mqtt.subscription_count()},
        {"queues", ctx.broker.queue_count()},
        {"retained_messages", ctx.broker.retained_count()},
        {"messages_received", st.messages_received},
        {"messages_sent", st.messages_sent},
        {"messages_dropped", st.messages_dropped},
        {"messages_unroutable", st.messages_unroutable},
    };
}

std::string metrics(const HttpContext& ctx) {
    const auto& st = ctx.broker.stats();
    std::ostringstream o;
    auto counter = [&](const char* name, const char* help, std::uint64_t v) {
        o << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " counter\n"
          << name << ' ' << v << '\n';
    };
    auto gauge = [&](const char* name, const char* help, std::uint64_t v) {
        o << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " gauge\n"
          << name << ' ' << v << '\n';
    };
    counter("switchyard_messages_received_total", "Messages published by clients.",
            st.messages_received);
    counter("switchyard_messages_sent_total", "Messages delivered to clients.", st.messages_sent);
    counter("switchyard_messages_dropped_total", "Messages dropped by queue limits.",
            st.messages_dropped);
    counter("switchyard_messages_unroutable_total", "Messages that matched no queue.",
            st.messages_unroutable);
    counter("switchyard_bytes_received_total", "Payload bytes received.", st.bytes_received);
    counter("switchyard_bytes_sent_total", "Payload bytes sent.", st.bytes_sent);
    gauge("switchyard_mqtt_clients_connected", "Connected MQTT clients.",
          ctx.mqtt.connected_count());
    gauge("switchyard_mqtt_sessions", "MQTT sessions, connected or persistent.",
          ctx.mqtt.session_count());
    gauge("switchyard_queues", "Queues.", ctx.broker.queue_count());
    gauge("switchyard_retained_messages", "Retained messages.", ctx.broker.retained_count());
    return o.str();
}

}  // namespace

transport::HttpResponse handle_http(const HttpContext& ctx, const std::string& path) {
    if (path == "/" || path == "/index.html") {
        return {200, "text/html; charset=utf-8", kIndexHtml};
    }
    if (path == "/api/overview") {
        return {200, "application/json", overview(ctx).dump()};
    }
    if (path == "/metrics") {
        return {200, "text/plain; version=0.0.4", metrics(ctx)};
    }
    return {404, "text/plain; charset=utf-8", "not found\n"};
}

}  // namespace sy::app

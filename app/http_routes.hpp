#pragma once
// HTTP routes of the gateway: the dashboard page, the JSON API and Prometheus metrics. They
// run on the loop thread, so they read broker state directly.

#include "core/broker/broker.hpp"
#include "protocols/mqtt/server.hpp"
#include "protocols/transport/transport.hpp"

namespace sy::app {

struct HttpContext {
    core::Broker& broker;
    mqtt::Server& mqtt;
    std::int64_t started_ms;
};

transport::HttpResponse handle_http(const HttpContext& ctx, const std::string& path);

}  // namespace sy::app

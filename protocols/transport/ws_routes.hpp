#pragma once
// Which WebSocket endpoint an upgrade request belongs to. lws binds an upgrade to one of the
// vhost's protocols by the subprotocol name alone, whatever the path, so the path is matched
// here, from the request URI, once lws has chosen. Pure: no lws, unit-tested.

#include <cstddef>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sy::transport {

class WsRoutes {
public:
    // Adds an endpoint and returns its index. The path must start with '/'; each subprotocol
    // must be an RFC 6455 token (RFC 7230 tchar). A path already taken is an error.
    std::expected<std::size_t, std::string> add(std::string path,
                                                std::vector<std::string> subprotocols);

    // The endpoint for an upgrade of `uri` (a query string is ignored) on which lws chose
    // `subprotocol`. An empty subprotocol means the client offered none, which every endpoint
    // accepts, as RabbitMQ Web-STOMP and Mosquitto do.
    std::optional<std::size_t> match(std::string_view uri, std::string_view subprotocol) const;

    // Every subprotocol of every endpoint, each name once, in the order they were added: lws
    // needs one protocol per name on the vhost.
    const std::vector<std::string>& subprotocol_names() const { return names_; }

    std::size_t size() const { return routes_.size(); }
    bool empty() const { return routes_.empty(); }

private:
    struct Route {
        std::string path;
        std::vector<std::string> subprotocols;
    };
    std::vector<Route> routes_;
    std::vector<std::string> names_;
};

// RFC 7230 token: what a Sec-WebSocket-Protocol value may be (RFC 6455 section 4.1).
bool is_subprotocol_token(std::string_view s);

}  // namespace sy::transport

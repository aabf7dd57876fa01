#include "protocols/transport/ws_routes.hpp"

#include <algorithm>

namespace sy::transport {

bool is_subprotocol_token(std::string_view s) {
    if (s.empty()) return false;
    constexpr std::string_view kSpecials = "!#$%&'*+-.^_`|~";
    return std::ranges::all_of(s, [&](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               kSpecials.find(c) != std::string_view::npos;
    });
}

std::expected<std::size_t, std::string> WsRoutes::add(std::string path,
                                                      std::vector<std::string> subprotocols) {
    if (path.empty() || path.front() != '/' || path.find('?') != std::string::npos) {
        return std::unexpected("websocket endpoint '" + path + "': the path must start with '/'" +
                               " and have no query");
    }
    for (const auto& r : routes_) {
        if (r.path == path) return std::unexpected("websocket endpoint " + path + " added twice");
    }
    if (subprotocols.empty()) {
        return std::unexpected("websocket endpoint " + path + ": no subprotocol");
    }
    for (const auto& p : subprotocols) {
        if (!is_subprotocol_token(p)) {
            return std::unexpected("websocket endpoint " + path + ": bad subprotocol '" + p + "'");
        }
        if (std::ranges::find(names_, p) == names_.end()) names_.push_back(p);
    }
    routes_.push_back(Route{std::move(path), std::move(subprotocols)});
    return routes_.size() - 1;
}

std::optional<std::size_t> WsRoutes::match(std::string_view uri,
                                           std::string_view subprotocol) const {
    const std::string_view path = uri.substr(0, uri.find('?'));
    for (std::size_t i = 0; i < routes_.size(); ++i) {
        const Route& r = routes_[i];
        if (r.path != path) continue;
        if (subprotocol.empty() ||
            std::ranges::find(r.subprotocols, subprotocol) != r.subprotocols.end()) {
            return i;
        }
        return std::nullopt;
    }
    return std::nullopt;
}

}  // namespace sy::transport

#include "protocols/stomp/server.hpp"

#include <vector>

#include "core/model/clock.hpp"
#include "protocols/stomp/connection.hpp"

namespace sy::stomp {

Server::Server(core::Broker& broker, ServerOptions options)
    : broker_(broker), options_(options), started_ms_(core::wall_ms()) {}

Server::~Server() = default;

std::unique_ptr<transport::Session> Server::accept(transport::Transport& t) {
    return std::make_unique<Connection>(*this, t);
}

std::string Server::new_session_id() {
    return "session-" + std::to_string(started_ms_) + "-" + std::to_string(next_session_++);
}

void Server::tick(std::int64_t now_ms) {
    // A tick may close connections; closing never removes one from the set synchronously on
    // a real transport, but work from a copy so that it need not.
    const std::vector<Connection*> all(connections_.begin(), connections_.end());
    for (auto* c : all) {
        if (connections_.contains(c)) c->tick(now_ms);
    }
}

}  // namespace sy::stomp

#pragma once
// A transport without a network for session tests: records what the session sends and
// whether it closed.

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "protocols/transport/transport.hpp"

namespace sy::test {

class FakeTransport final : public transport::Transport {
public:
    void send(std::span<const std::byte> b) override { out.insert(out.end(), b.begin(), b.end()); }
    void close() override { closed = true; }
    void abort() override { closed = true; }
    void pause_input(bool p) override { paused = p; }
    std::size_t pending_bytes() const override { return pending; }
    const std::string& peer() const override { return peer_; }

    std::vector<std::byte> out;
    bool closed = false;
    bool paused = false;
    std::size_t pending = 0;  // what the session sees as queued and not yet written
    std::string peer_ = "test:1";
};

}  // namespace sy::test

#pragma once
// Newline-terminated text messages over a stream socket: how the publisher process and the
// subscriber process talk (see subscriber_process.hpp).

#include "core/model/result.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace sy::sim {

class LineChannel {
public:
    explicit LineChannel(int fd) : fd_(fd) {}  // does not take ownership of `fd`

    // Sends `line` plus '\n'. False if the peer is gone. Never raises SIGPIPE.
    bool write_line(std::string_view line);

    // The next line without its '\n'. Errors: Timeout when `timeout` passes first (no timeout if
    // empty), PeerGone on end of stream or a socket error.
    Result<std::string> read_line(std::optional<std::chrono::milliseconds> timeout);

private:
    int fd_;
    std::string buffer_;
};

}  // namespace sy::sim

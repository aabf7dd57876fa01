#pragma once
// STOMP frames as plain data: a command, headers in wire order and a body. One struct serves
// every command (STOMP frames differ only in which headers they carry), so the codec stays a
// small state machine and the session reads headers by name.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sy::stomp {

// The negotiated protocol version decides header escaping (section "Value Encoding" of 1.1
// and 1.2): none in 1.0; \n \c \\ in 1.1; 1.2 adds \r.
enum class Version : std::uint8_t { V1_0, V1_1, V1_2 };

std::string_view to_string(Version v);  // "1.0", "1.1", "1.2"

enum class Command : std::uint8_t {
    // client frames
    Connect,
    Stomp,  // the 1.1+ spelling of CONNECT
    Send,
    Subscribe,
    Unsubscribe,
    Ack,
    Nack,
    Begin,
    Commit,
    Abort,
    Disconnect,
    // server frames
    Connected,
    Message,
    Receipt,
    Error,
};

std::string_view to_string(Command c);
std::optional<Command> parse_command(std::string_view name);

// CONNECT, STOMP and CONNECTED headers are never escaped, whatever the version: they are read
// before a version is agreed.
constexpr bool is_connect_frame(Command c) {
    return c == Command::Connect || c == Command::Stomp || c == Command::Connected;
}

using Header = std::pair<std::string, std::string>;

struct Frame {
    Command command = Command::Send;
    // In wire order. A decoded frame holds each name once: a repeated header keeps its first
    // value, as the spec says ("only the first header entry SHOULD be used").
    std::vector<Header> headers;
    std::string body;  // bytes; may hold NULs when a content-length header says how many

    // The value of the first header with that name, or nullptr.
    const std::string* header(std::string_view name) const {
        for (const auto& [n, v] : headers) {
            if (n == name) return &v;
        }
        return nullptr;
    }

    bool operator==(const Frame&) const = default;
};

}  // namespace sy::stomp

// CONNECT and STOMP: version negotiation, heart-beats, CONNECTED.

#include <spdlog/spdlog.h>

#include "protocols/stomp/connection.hpp"
#include "protocols/stomp/mapping.hpp"
#include "protocols/stomp/server.hpp"

namespace sy::stomp {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

// The highest version both sides speak; no accept-version header means 1.0
// [STOMP 1.2 "Protocol Negotiation"].
std::optional<Version> negotiate(const std::string* accept) {
    if (!accept) return Version::V1_0;
    std::optional<Version> best;
    std::string_view rest = *accept;
    while (true) {
        const auto comma = rest.find(',');
        const auto v = trim(rest.substr(0, comma));
        std::optional<Version> got;
        if (v == "1.0") got = Version::V1_0;
        if (v == "1.1") got = Version::V1_1;
        if (v == "1.2") got = Version::V1_2;
        if (got && (!best || *got > *best)) best = got;
        if (comma == std::string_view::npos) break;
        rest = rest.substr(comma + 1);
    }
    return best;
}

// "cx,cy": how often the client can send, and wants to receive, in ms.
bool parse_heartbeat(const std::string* text, std::uint64_t& cx, std::uint64_t& cy) {
    cx = cy = 0;
    if (!text) return true;
    const auto comma = text->find(',');
    if (comma == std::string::npos) return false;
    const std::string_view s = *text;
    return parse_uint(trim(s.substr(0, comma)), cx) && parse_uint(trim(s.substr(comma + 1)), cy);
}

}  // namespace

void Connection::handle_connect(const Frame& f) {
    const auto version = negotiate(f.header("accept-version"));
    if (!version) {
        // The ERROR lists what we speak [STOMP 1.2 "Protocol Negotiation"].
        spdlog::info("[stomp {} {}] no common version", session_id_, peer());
        const std::string detail = "Supported protocol versions are 1.0,1.1,1.2";
        const std::string length = std::to_string(detail.size());
        const HeaderRef h[] = {{"version", "1.0,1.1,1.2"},
                               {"message", "Supported protocol versions are 1.0,1.1,1.2"},
                               {"content-type", "text/plain"},
                               {"content-length", length}};
        send_frame(Command::Error, h, detail);
        close_now();
        return;
    }
    std::uint64_t cx = 0;
    std::uint64_t cy = 0;
    if (!parse_heartbeat(f.header("heart-beat"), cx, cy)) {
        send_error("Invalid heart-beat header", "heart-beat must be two integers, as in 10000,10000",
                   &f);
        return;
    }
    // We send as often as the client wants to hear from us, and expect from it what it
    // offers, never below our floor. Our CONNECTED header states exactly these periods, so
    // the max() rule of the spec gives both sides the same numbers.
    const auto floor = static_cast<std::uint64_t>(server_.options().min_heartbeat_ms);
    const std::uint64_t sx = cy == 0 ? 0 : std::max(cy, floor);
    const std::uint64_t sy = cx == 0 ? 0 : std::max(cx, floor);
    hb_out_ms_ = static_cast<std::int64_t>(sx);
    hb_in_ms_ = static_cast<std::int64_t>(sy);

    version_ = *version;
    decoder_.set_version(version_);
    if (const std::string* login = f.header("login")) login_ = *login;
    // Any login and passcode are accepted, as on the MQTT side.
    const std::string* cid = f.header("client-id");
    client_id_ = cid && !cid->empty() ? *cid : session_id_;
    state_ = State::Connected;

    const std::string heart_beat = std::to_string(sx) + "," + std::to_string(sy);
    const HeaderRef h[] = {{"version", to_string(version_)},
                           {"session", session_id_},
                           {"server", kServerName},
                           {"heart-beat", heart_beat}};
    send_frame(Command::Connected, h, {});
    spdlog::debug("[stomp {} {}] connected, version {}, heart-beat {}", session_id_, peer(),
                  to_string(version_), heart_beat);
}

}  // namespace sy::stomp

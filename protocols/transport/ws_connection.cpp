// WebSocket connections on the HTTP listener (STOMP at /ws, MQTT at /mqtt). lws binds an
// upgrade to a protocol by its subprotocol name; the path is checked here, against the
// endpoint table, before the upgrade is accepted. Each connection owns its session and one
// output buffer, written as WebSocket messages on WRITEABLE, like raw_connection.cpp.

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <spdlog/spdlog.h>

#include "protocols/transport/loop_impl.hpp"
#include "protocols/transport/utf8_text.hpp"

namespace sy::transport {
namespace {

// The most one fragment carries, and the lws protocols' tx_packet_size: lws sends up to that
// much (plus header room) straight to the socket and copies any more into a buffer of its own.
constexpr std::size_t kMaxFragment = 256u << 10;
// lws allocates this much rx space per connection and hands us at most this much per
// RECEIVE callback; payload is passed on from lws's read buffer without a copy.
constexpr std::size_t kRxChunk = 16u << 10;
constexpr int kCloseFlushSeconds = 5;

class WsConnection;

// lws's per-connection storage for the ws protocols (zeroed by lws).
struct WsPss {
    WsConnection* conn;
    const WsEndpoint* endpoint;  // chosen when the upgrade was accepted
};

class WsConnection final : public Transport {
public:
    WsConnection(lws* wsi, const WsEndpoint& endpoint)
        : wsi_(wsi), options_(endpoint.options), peer_(peer_of(wsi)), out_(LWS_PRE) {
        int fd = lws_get_socket_fd(wsi);
        int one = 1;
        // Small acks must not wait for Nagle; output is coalesced here.
        if (fd >= 0) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        session_ = endpoint.factory(*this);
    }

    void send(std::span<const std::byte> bytes) override {
        if (closed_ || aborted_ || bytes.empty()) return;
        bool was_empty = pending_bytes() == 0;
        out_.insert(out_.end(), bytes.begin(), bytes.end());
        if (was_empty) lws_callback_on_writable(wsi_);
        if (pending_bytes() > kOutputHighWater) above_high_ = true;
    }

    void close() override {
        if (closing_ || closed_) return;
        closing_ = true;
        lws_callback_on_writable(wsi_);
        // A peer that stops reading must not hold a closing connection open for the length of
        // a TCP timeout.
        lws_set_timeout(wsi_, PENDING_TIMEOUT_USER_OK, kCloseFlushSeconds);
    }

    void abort() override {
        if (aborted_ || closed_) return;
        closing_ = true;
        aborted_ = true;
        drop_output();
        // The next WRITEABLE closes (see RawConnection::abort for why not at once); the
        // timeout is a backstop for a socket that never becomes writable.
        lws_callback_on_writable(wsi_);
        lws_set_timeout(wsi_, PENDING_TIMEOUT_USER_OK, 1);
    }

    void pause_input(bool paused) override {
        if (!closing_ && !closed_) lws_rx_flow_control(wsi_, paused ? 0 : 1);
    }

    std::size_t pending_bytes() const override { return out_.size() - out_off_; }
    const std::string& peer() const override { return peer_; }

    // Returns -1 to close the connection.
    int on_rx(const void* in, std::size_t len) {
        if (closing_ || !session_) return 0;
        // lws keeps the opcode of a fragmented message's first frame for its continuations.
        if (!options_.accept_text && !lws_frame_is_binary(wsi_)) {
            spdlog::debug("[ws {}] text frame on a binary-only endpoint", peer_);
            return close_with(LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE);
        }
        // Fragments and partial frames go on as they come: sessions parse a byte stream.
        if (len > 0) session_->on_data({static_cast<const std::byte*>(in), len});
        if (aborted_) return close_with(LWS_CLOSE_STATUS_PROTOCOL_ERR);
        return 0;
    }

    // Returns -1 to close the connection.
    int on_writeable() {
        // lws 4.1 drops the socket without a Close frame when WRITEABLE returns -1: right for
        // abort(), which owes the peer nothing.
        if (aborted_) return -1;
        if (close_sent_) return 0;
        if (lws_partial_buffered(wsi_)) {
            lws_callback_on_writable(wsi_);
            return 0;
        }
        if (pending_bytes() > 0 && !write_fragment()) return -1;
        if (pending_bytes() > 0 || lws_partial_buffered(wsi_)) {
            lws_callback_on_writable(wsi_);
        } else if (closing_) {
            return send_close(LWS_CLOSE_STATUS_NORMAL);
        }
        if (above_high_ && pending_bytes() < kOutputLowWater && session_ && !closing_) {
            above_high_ = false;
            session_->on_drained();
        }
        return 0;
    }

    // The peer's Close frame. Returns nonzero to drop the connection at once rather than
    // have lws echo a Close.
    int on_peer_close() {
        const bool answered = close_sent_;
        closing_ = true;
        drop_output();
        return answered ? 1 : 0;
    }

    void on_close() {
        closed_ = true;
        if (session_) {
            auto s = std::move(session_);
            s->on_closed();
        }
    }

private:
    // A message is everything queued when it starts, so it ends where a send() ended: a
    // session that sends whole frames never has one split across messages. It goes out in
    // fragments of at most kMaxFragment, one per WRITEABLE; sends meanwhile wait for the next.
    bool write_fragment() {
        const bool start = message_left_ == 0;
        if (start) {
            message_left_ = pending_bytes();
            message_text_ =
                options_.text_when_utf8 && is_utf8_text({out_.data() + out_off_, message_left_});
        }
        const std::size_t n = std::min(message_left_, kMaxFragment);
        const bool end = n == message_left_;
        const int kind = message_text_ ? LWS_WRITE_TEXT : LWS_WRITE_BINARY;
        // lws writes the frame header into the LWS_PRE bytes before the payload: the buffer's
        // headroom or bytes already sent.
        auto* p = reinterpret_cast<unsigned char*>(out_.data() + out_off_);
        auto flags = static_cast<lws_write_protocol>(lws_write_ws_flags(kind, start, end));
        if (lws_write(wsi_, p, n, flags) < static_cast<int>(n)) return false;
        out_off_ += n;
        message_left_ -= n;
        if (out_off_ == out_.size()) {
            out_.resize(LWS_PRE);
            out_off_ = LWS_PRE;
        } else if (out_off_ - LWS_PRE > out_.size() / 2) {
            out_.erase(out_.begin() + LWS_PRE,
                       out_.begin() + static_cast<std::ptrdiff_t>(out_off_));
            out_off_ = LWS_PRE;
        }
        return true;
    }

    void drop_output() {
        out_.resize(LWS_PRE);
        out_off_ = LWS_PRE;
        message_left_ = 0;
    }

    // close(): once everything queued is out, our Close frame, then the connection stays
    // until the peer's Close answers it (RFC 6455 7.1.2) or the flush timeout ends it. lws
    // sends a Close only on paths it closes itself, never after WRITEABLE returns -1, and its
    // API has no write type for one, so the frame is built here (RFC 6455 5.5.1: FIN + opcode
    // 0x8, unmasked, a two-byte status) and written raw, between whole frames.
    int send_close(lws_close_status status) {
        unsigned char frame[LWS_PRE + 4];
        unsigned char* p = frame + LWS_PRE;
        p[0] = 0x88;
        p[1] = 2;
        p[2] = static_cast<unsigned char>((status >> 8) & 0xFF);
        p[3] = static_cast<unsigned char>(status & 0xFF);
        if (lws_write(wsi_, p, 4, LWS_WRITE_RAW) < 4) return -1;
        close_sent_ = true;
        lws_set_timeout(wsi_, PENDING_TIMEOUT_USER_OK, kCloseFlushSeconds);
        return 0;
    }

    // From a RECEIVE callback, lws closes politely itself: it sends a Close with this status
    // and waits for the peer's.
    int close_with(lws_close_status status) {
        closing_ = true;
        lws_close_reason(wsi_, status, nullptr, 0);
        return -1;
    }

    lws* wsi_;
    WebSocketOptions options_;
    std::string peer_;
    std::unique_ptr<Session> session_;
    std::vector<std::byte> out_;  // LWS_PRE bytes of headroom, then what is queued
    std::size_t out_off_ = LWS_PRE;
    std::size_t message_left_ = 0;  // bytes of the message being written still to go
    bool message_text_ = false;
    bool closing_ = false;
    bool aborted_ = false;
    bool close_sent_ = false;
    bool closed_ = false;
    bool above_high_ = false;
};

// Header values lws copies out are bounded; a longer URI cannot match any endpoint anyway.
std::string header(lws* wsi, lws_token_indexes token) {
    char buf[256];
    int n = lws_hdr_copy(wsi, buf, sizeof buf, token);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

// Refuses an upgrade with an HTTP status, so that a browser's console says why. The role is
// already ws here, whose writer passes header writes through unframed; lws closes next.
int refuse(lws* wsi, const char* status) {
    char buf[LWS_PRE + 128];
    char* start = buf + LWS_PRE;
    int n = lws_snprintf(start, 128,
                         "HTTP/1.1 %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", status);
    lws_write(wsi, reinterpret_cast<unsigned char*>(start), static_cast<std::size_t>(n),
              LWS_WRITE_HTTP_HEADERS);
    return 1;
}

// Decides an upgrade: stores the endpoint in pss and returns 0, or refuses it and returns 1.
int accept_upgrade(lws* wsi, HttpListener& listener, WsPss& pss) {
    EventLoop::Impl& loop = *listener.loop;
    if (loop.stopping || loop.connections >= loop.options.max_connections) {
        return refuse(wsi, "503 Service Unavailable");
    }
    const char* bound = lws_get_protocol(wsi)->name;
    const bool offered = lws_hdr_total_length(wsi, WSI_TOKEN_PROTOCOL) > 0;
    // lws binds an upgrade that offers no subprotocol to the "default" protocol; one that
    // names that protocol itself is not a real client of ours.
    const bool no_subprotocol = std::string_view(bound) == kWsNoSubprotocol;
    const std::string uri = header(wsi, WSI_TOKEN_GET_URI);
    auto index = loop.ws_routes.match(uri, no_subprotocol ? std::string_view() : bound);
    if (!index || (no_subprotocol && offered)) {
        spdlog::debug("[ws {}] upgrade of '{}' with subprotocol '{}' refused", peer_of(wsi), uri,
                      no_subprotocol ? "" : bound);
        const bool known_path = loop.ws_routes.match(uri, {}).has_value();
        return refuse(wsi, known_path ? "400 Bad Request" : "404 Not Found");
    }
    pss.endpoint = &loop.ws_endpoints[*index];
    return 0;
}

}  // namespace

int ws_callback(lws* wsi, lws_callback_reasons reason, void* user, void* in, std::size_t len) {
    auto* pss = static_cast<WsPss*>(user);
    switch (reason) {
        case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION: {
            auto* listener = static_cast<HttpListener*>(lws_get_protocol(wsi)->user);
            return accept_upgrade(wsi, *listener, *pss);
        }
        case LWS_CALLBACK_ESTABLISHED: {
            if (!pss->endpoint) return -1;
            auto* listener = static_cast<HttpListener*>(lws_get_protocol(wsi)->user);
            ++listener->loop->connections;
            pss->conn = new WsConnection(wsi, *pss->endpoint);
            return 0;
        }
        case LWS_CALLBACK_RECEIVE:
            return pss && pss->conn ? pss->conn->on_rx(in, len) : 0;
        case LWS_CALLBACK_SERVER_WRITEABLE:
            return pss && pss->conn ? pss->conn->on_writeable() : 0;
        case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
            return pss && pss->conn ? pss->conn->on_peer_close() : 0;
        case LWS_CALLBACK_CLOSED:
            if (pss && pss->conn) {
                auto* listener = static_cast<HttpListener*>(lws_get_protocol(wsi)->user);
                --listener->loop->connections;
                pss->conn->on_close();
                delete pss->conn;
                pss->conn = nullptr;
            }
            return 0;
        default:
            return 0;
    }
}

void add_ws_protocols(HttpListener& listener, const WsRoutes& routes,
                      std::vector<lws_protocols>& protos) {
    auto add = [&](const char* name, unsigned int id) {
        lws_protocols p{};
        p.name = name;
        p.callback = ws_callback;
        p.per_session_data_size = sizeof(WsPss);
        p.rx_buffer_size = kRxChunk;
        p.id = id;
        p.user = &listener;
        p.tx_packet_size = kMaxFragment;
        protos.push_back(p);
    };
    add(kWsNoSubprotocol, 0);
    unsigned int id = 1;
    for (const auto& name : routes.subprotocol_names()) add(name.c_str(), id++);
}

}  // namespace sy::transport

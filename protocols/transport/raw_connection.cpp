// Raw TCP connections (MQTT, AMQP, STOMP over TCP): the lws raw-socket role. Each connection
// owns its session and an output queue that is written in one large chunk per WRITEABLE
// callback, since lws does not coalesce.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <spdlog/spdlog.h>

#include "protocols/transport/loop_impl.hpp"

namespace sy::transport {

std::string peer_of(lws* wsi) {
    char buf[64] = {};
    lws_get_peer_simple(wsi, buf, sizeof buf);
    sockaddr_storage ss{};
    socklen_t slen = sizeof ss;
    int fd = lws_get_socket_fd(wsi);
    if (fd >= 0 && getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &slen) == 0) {
        int port = 0;
        if (ss.ss_family == AF_INET) port = ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
        if (ss.ss_family == AF_INET6) port = ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
        return std::string(buf) + ":" + std::to_string(port);
    }
    return buf;
}

namespace {

constexpr std::size_t kMaxWriteChunk = 1u << 20;
constexpr int kCloseFlushSeconds = 5;

class RawConnection final : public Transport {
public:
    RawConnection(lws* wsi, TcpListener& listener) : wsi_(wsi), peer_(peer_of(wsi)) {
        int fd = lws_get_socket_fd(wsi);
        int one = 1;
        // Small MQTT acks must not wait for Nagle; we coalesce ourselves.
        if (fd >= 0) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        session_ = listener.factory(*this);
    }

    void send(std::span<const std::byte> bytes) override {
        if (closed_ || bytes.empty()) return;
        bool was_empty = pending_bytes() == 0;
        out_.insert(out_.end(), bytes.begin(), bytes.end());
        if (was_empty) lws_callback_on_writable(wsi_);
        if (pending_bytes() > kOutputHighWater) above_high_ = true;
    }

    void close() override {
        if (closing_) return;
        closing_ = true;
        lws_callback_on_writable(wsi_);
        // A peer that stops reading must not hold a closing connection open for the length of
        // a TCP timeout.
        lws_set_timeout(wsi_, PENDING_TIMEOUT_USER_OK, kCloseFlushSeconds);
    }

    void abort() override {
        closing_ = true;
        out_.clear();
        out_off_ = 0;
        // The next WRITEABLE sees nothing to write and closes. lws 4.1 does not act on
        // LWS_TO_KILL_ASYNC from outside a callback here, so the timeout is only a backstop
        // for a socket that never becomes writable.
        lws_callback_on_writable(wsi_);
        lws_set_timeout(wsi_, PENDING_TIMEOUT_USER_OK, 1);
    }

    void pause_input(bool paused) override {
        if (!closing_) lws_rx_flow_control(wsi_, paused ? 0 : 1);
    }

    std::size_t pending_bytes() const override { return out_.size() - out_off_; }
    const std::string& peer() const override { return peer_; }

    void on_rx(const void* in, std::size_t len) {
        if (closing_ || !session_) return;
        session_->on_data({static_cast<const std::byte*>(in), len});
    }

    // Returns -1 to close the connection.
    int on_writeable() {
        if (lws_partial_buffered(wsi_)) {
            lws_callback_on_writable(wsi_);
            return 0;
        }
        std::size_t n = std::min(pending_bytes(), kMaxWriteChunk);
        if (n > 0) {
            auto* p = reinterpret_cast<unsigned char*>(out_.data() + out_off_);
            if (lws_write(wsi_, p, n, LWS_WRITE_RAW) < static_cast<int>(n)) return -1;
            out_off_ += n;
            if (out_off_ == out_.size()) {
                out_.clear();
                out_off_ = 0;
            } else if (out_off_ > out_.size() / 2) {
                out_.erase(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(out_off_));
                out_off_ = 0;
            }
        }
        if (pending_bytes() > 0 || lws_partial_buffered(wsi_)) {
            lws_callback_on_writable(wsi_);
        } else if (closing_) {
            return -1;
        }
        if (above_high_ && pending_bytes() < kOutputLowWater && session_ && !closing_) {
            above_high_ = false;
            session_->on_drained();
        }
        return 0;
    }

    void on_close() {
        closed_ = true;
        if (session_) {
            auto s = std::move(session_);
            s->on_closed();
        }
    }

private:
    lws* wsi_;
    std::string peer_;
    std::unique_ptr<Session> session_;
    std::vector<std::byte> out_;
    std::size_t out_off_ = 0;
    bool closing_ = false;
    bool closed_ = false;
    bool above_high_ = false;
};

}  // namespace

int raw_callback(lws* wsi, lws_callback_reasons reason, void* user, void* in, std::size_t len) {
    auto** slot = static_cast<RawConnection**>(user);
    switch (reason) {
        case LWS_CALLBACK_RAW_ADOPT: {
            auto* listener = static_cast<TcpListener*>(lws_get_protocol(wsi)->user);
            if (listener->loop->stopping) return -1;
            ++listener->loop->connections;
            *slot = new RawConnection(wsi, *listener);
            return 0;
        }
        case LWS_CALLBACK_RAW_RX:
            if (*slot) (*slot)->on_rx(in, len);
            return 0;
        case LWS_CALLBACK_RAW_WRITEABLE:
            return *slot ? (*slot)->on_writeable() : 0;
        case LWS_CALLBACK_RAW_CLOSE:
            if (*slot) {
                auto* listener = static_cast<TcpListener*>(lws_get_protocol(wsi)->user);
                --listener->loop->connections;
                (*slot)->on_close();
                delete *slot;
                *slot = nullptr;
            }
            return 0;
        case LWS_CALLBACK_FILTER_NETWORK_CONNECTION: {
            auto* listener = static_cast<TcpListener*>(lws_get_protocol(wsi)->user);
            // Refusing here keeps lws from spinning on EMFILE once we are full.
            if (listener && listener->loop->connections >= listener->loop->options.max_connections) {
                return 1;
            }
            return 0;
        }
        default:
            return 0;
    }
}

}  // namespace sy::transport

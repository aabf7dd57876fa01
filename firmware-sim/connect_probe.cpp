#include "firmware-sim/connect_probe.hpp"

#include "firmware-sim/errc.hpp"
#include "firmware-sim/mqtt_connect_packet.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <netdb.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <unistd.h>

namespace sy::sim {
namespace {

constexpr int kMaxEvents = 256;

std::string errno_text(int err) {
    return std::strerror(err);
}

}  // namespace

struct ConnectProbe::Conn {
    enum class State { Connecting, AwaitConnack, Open, Closed } state = State::Closed;
    int fd = -1;
    std::string client_id;
    std::string inbox;  // bytes of the CONNACK so far
    Clock::time_point last_sent;
};

ConnectProbe::ConnectProbe(int epoll_fd, sockaddr_storage address, socklen_t address_len,
                           int mqtt_version, std::uint16_t keepalive_s)
    : epoll_fd_(epoll_fd),
      address_(address),
      address_len_(address_len),
      mqtt_version_(mqtt_version),
      keepalive_s_(keepalive_s) {}

ConnectProbe::~ConnectProbe() {
    for (Conn& c : conns_) close(c);
    ::close(epoll_fd_);
}

Result<std::unique_ptr<ConnectProbe>> ConnectProbe::create(const std::string& host,
                                                           std::uint16_t port, int mqtt_version,
                                                           std::uint16_t keepalive_s) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 ||
        found == nullptr) {
        return std::unexpected(make_error_code(errc::ConnectFailed));
    }
    sockaddr_storage address{};
    std::memcpy(&address, found->ai_addr, found->ai_addrlen);
    const auto length = static_cast<socklen_t>(found->ai_addrlen);
    ::freeaddrinfo(found);
    const int epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd < 0) return std::unexpected(make_error_code(errc::ConnectFailed));
    return std::unique_ptr<ConnectProbe>(
        new ConnectProbe(epoll_fd, address, length, mqtt_version, keepalive_s));
}

void ConnectProbe::start(std::uint32_t index, std::string client_id) {
    if (conns_.size() <= index) conns_.resize(index + 1);
    Conn& c = conns_[index];
    c.client_id = std::move(client_id);
    const Clock::time_point now = Clock::now();
    c.fd = ::socket(address_.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) {
        early_failures_.push_back({index, false, now, "socket: " + errno_text(errno)});
        return;
    }
    const int one = 1;
    ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c.state = Conn::State::Connecting;
    const int rc = ::connect(c.fd, reinterpret_cast<const sockaddr*>(&address_), address_len_);
    if (rc != 0 && errno != EINPROGRESS) {
        early_failures_.push_back({index, false, now, "connect: " + errno_text(errno)});
        close(c);
        return;
    }
    epoll_event ev{};
    ev.events = EPOLLOUT;
    ev.data.u32 = index;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, c.fd, &ev);
}

void ConnectProbe::close(Conn& c) {
    if (c.fd >= 0) ::close(c.fd);  // closing also removes it from the epoll set
    c.fd = -1;
    c.state = Conn::State::Closed;
}

void ConnectProbe::fail(Conn& c, std::string detail,
                        const std::function<void(const Outcome&)>& report) {
    const auto index = static_cast<std::uint32_t>(&c - conns_.data());
    close(c);
    report({index, false, Clock::now(), std::move(detail)});
}

void ConnectProbe::on_ready(Conn& c, const std::function<void(const Outcome&)>& report) {
    if (c.state == Conn::State::Connecting) {
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) return fail(c, "connect: " + errno_text(err), report);
        const std::string connect = encode_connect(c.client_id, keepalive_s_, mqtt_version_);
        if (::send(c.fd, connect.data(), connect.size(), MSG_NOSIGNAL) !=
            static_cast<ssize_t>(connect.size())) {
            return fail(c, "sending CONNECT failed", report);
        }
        c.last_sent = Clock::now();
        c.state = Conn::State::AwaitConnack;
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLRDHUP;
        ev.data.u32 = static_cast<std::uint32_t>(&c - conns_.data());
        ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &ev);
        return;
    }
    char buf[512];
    const ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
    if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        if (c.state == Conn::State::Open) {
            ++dropped_;
            close(c);
            return;
        }
        return fail(c, "the broker closed the connection before CONNACK", report);
    }
    if (c.state != Conn::State::AwaitConnack) return;  // PINGRESP and the like
    c.inbox.append(buf, static_cast<std::size_t>(n));
    const ConnackResult r = parse_connack(c.inbox);
    if (r.status == ConnackResult::Status::NeedMore) return;
    if (r.status != ConnackResult::Status::Accepted) {
        return fail(c,
                    r.status == ConnackResult::Status::Refused
                        ? "refused with code " + std::to_string(r.code)
                        : "malformed CONNACK",
                    report);
    }
    c.state = Conn::State::Open;
    c.inbox.clear();
    c.inbox.shrink_to_fit();
    report({static_cast<std::uint32_t>(&c - conns_.data()), true, Clock::now(), {}});
}

void ConnectProbe::wait(Clock::time_point deadline,
                        const std::function<void(const Outcome&)>& report) {
    for (const Outcome& o : early_failures_) report(o);
    early_failures_.clear();
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    epoll_event events[kMaxEvents];
    const int n = ::epoll_wait(epoll_fd_, events, kMaxEvents,
                               static_cast<int>(std::max<std::int64_t>(0, left.count())));
    for (int i = 0; i < n; ++i) {
        Conn& c = conns_[events[i].data.u32];
        if (c.fd >= 0) on_ready(c, report);
    }
}

void ConnectProbe::keep_alive(Clock::time_point now) {
    if (keepalive_s_ == 0) return;
    const auto half = std::chrono::milliseconds(keepalive_s_ * 500);
    for (Conn& c : conns_) {
        if (c.state != Conn::State::Open || now - c.last_sent < half) continue;
        ::send(c.fd, kPingreq.data(), kPingreq.size(), MSG_NOSIGNAL);
        c.last_sent = now;
    }
}

void ConnectProbe::close_all() {
    for (Conn& c : conns_) {
        if (c.state == Conn::State::Open) {
            ::send(c.fd, kDisconnect.data(), kDisconnect.size(), MSG_NOSIGNAL);
        }
        close(c);
    }
}

}  // namespace sy::sim

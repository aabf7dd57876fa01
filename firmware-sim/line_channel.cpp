#include "firmware-sim/line_channel.hpp"

#include "firmware-sim/errc.hpp"

#include <cerrno>
#include <poll.h>
#include <sys/socket.h>

namespace sy::sim {

bool LineChannel::write_line(std::string_view line) {
    std::string data(line);
    data.push_back('\n');
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}

Result<std::string> LineChannel::read_line(std::optional<std::chrono::milliseconds> timeout) {
    const auto deadline =
        std::chrono::steady_clock::now() + timeout.value_or(std::chrono::hours(0));
    for (;;) {
        if (const auto end = buffer_.find('\n'); end != std::string::npos) {
            std::string line = buffer_.substr(0, end);
            buffer_.erase(0, end + 1);
            return line;
        }
        int wait_ms = -1;
        if (timeout) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) {
                return std::unexpected(make_error_code(errc::Timeout));
            }
            wait_ms = static_cast<int>(left.count());
        }
        pollfd pfd{.fd = fd_, .events = POLLIN, .revents = 0};
        const int ready = ::poll(&pfd, 1, wait_ms);
        if (ready < 0 && errno == EINTR) {
            continue;
        }
        if (ready < 0) {
            return std::unexpected(make_error_code(errc::PeerGone));
        }
        if (ready == 0) {
            continue;  // the deadline check above reports the timeout
        }
        char chunk[4096];
        const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return std::unexpected(make_error_code(errc::PeerGone));
        }
        buffer_.append(chunk, static_cast<std::size_t>(n));
    }
}

}  // namespace sy::sim

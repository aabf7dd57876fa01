#include "firmware-sim/subscriber_process.hpp"

#include "firmware-sim/errc.hpp"
#include "firmware-sim/subscriber_group.hpp"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace sy::sim {
namespace {

constexpr std::string_view kErrorPrefix = "error ";

std::string error_line(const std::error_code& error) {
    return std::string(kErrorPrefix) + std::to_string(error.value());
}

// Up to "ready": connect and subscribe; offline subscribers then leave their sessions behind.
Result<void> prepare(SubscriberGroup& group, const BenchOptions& options) {
    if (auto ok = group.connect(); !ok) {
        return ok;
    }
    if (options.offline_subs) {
        group.go_offline();
    }
    return {};
}

// After "go": offline subscribers resume their sessions, then everyone waits for the messages.
Result<SubscriberReport> receive(SubscriberGroup& group, const BenchOptions& options,
                                 std::uint64_t wanted) {
    if (options.offline_subs) {
        if (auto ok = group.come_back(); !ok) {
            return std::unexpected(ok.error());
        }
    }
    const bool all_arrived = group.wait_for(wanted, options.timeout);
    return group.finish(!all_arrived);
}

// The child's whole life. Paho threads start here, after the fork. Persistent sessions are ended
// however the run ends; after a report, before it is sent, so that the broker holds none of them
// once the parent has the result.
void run_child(LineChannel& channel, const BenchOptions& options, std::uint32_t run_tag,
               const std::string& id_prefix, const std::string& filter) {
    SubscriberGroup group(options, run_tag, id_prefix, filter);
    if (auto ok = prepare(group, options); !ok) {
        channel.write_line(error_line(ok.error()));
        group.end_sessions();
        return;
    }
    if (!channel.write_line("ready")) {
        group.end_sessions();
        return;
    }
    // Blocks until the publishers are done; "abort" or a vanished parent ends the run.
    const auto line = channel.read_line(std::nullopt);
    const auto wanted = line ? parse_go(*line) : std::nullopt;
    if (!wanted) {
        group.end_sessions();
        return;
    }
    auto report = receive(group, options, *wanted);
    group.end_sessions();
    channel.write_line(report ? to_json(*report).dump() : error_line(report.error()));
}

}  // namespace

std::optional<std::uint64_t> parse_go(std::string_view line) {
    constexpr std::string_view kGo = "go ";
    if (!line.starts_with(kGo)) {
        return std::nullopt;
    }
    std::uint64_t wanted = 0;
    const char* first = line.data() + kGo.size();
    const char* last = line.data() + line.size();
    const auto [end, ec] = std::from_chars(first, last, wanted);
    if (ec != std::errc{} || end != last) {
        return std::nullopt;
    }
    return wanted;
}

std::optional<std::error_code> parse_error(std::string_view line) {
    if (!line.starts_with(kErrorPrefix)) {
        return std::nullopt;
    }
    int code = static_cast<int>(errc::ConnectFailed);
    std::from_chars(line.data() + kErrorPrefix.size(), line.data() + line.size(), code);
    return make_error_code(static_cast<errc>(code));
}

SubscriberProcess::SubscriberProcess(pid_t pid, int fd, const BenchOptions& options)
    : pid_(pid), fd_(fd), channel_(fd), options_(options) {}

Result<std::unique_ptr<SubscriberProcess>> SubscriberProcess::spawn(const BenchOptions& options,
                                                                    std::uint32_t run_tag,
                                                                    const std::string& id_prefix,
                                                                    const std::string& filter) {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
        std::perror("switchyard-sim: socketpair");
        return std::unexpected(make_error_code(errc::PeerGone));
    }
    // Whatever sits in stdio buffers would otherwise be written twice, once by each process.
    std::fflush(stdout);
    std::fflush(stderr);
    const pid_t pid = ::fork();
    if (pid < 0) {
        std::perror("switchyard-sim: fork");
        ::close(fds[0]);
        ::close(fds[1]);
        return std::unexpected(make_error_code(errc::PeerGone));
    }
    if (pid == 0) {
        ::close(fds[0]);
        {
            LineChannel channel(fds[1]);
            run_child(channel, options, run_tag, id_prefix, filter);
        }
        std::fflush(stderr);
        // _exit: the parent's atexit handlers and static destructors are not ours to run.
        ::_exit(0);
    }
    ::close(fds[1]);
    return std::unique_ptr<SubscriberProcess>(new SubscriberProcess(pid, fds[0], options));
}

SubscriberProcess::~SubscriberProcess() {
    if (pid_ > 0) {
        channel_.write_line("abort");
        reap();
    }
    ::close(fd_);
}

Result<void> SubscriberProcess::await_ready() {
    // Connect, then subscribe, each bounded by the connect timeout; plus slack for the fork and,
    // with offline subscribers, their disconnect.
    const auto limit = 2 * options_.connect_timeout + std::chrono::seconds(8);
    auto line = channel_.read_line(std::chrono::duration_cast<std::chrono::milliseconds>(limit));
    if (!line) {
        return std::unexpected(line.error());
    }
    if (*line == "ready") {
        return {};
    }
    return std::unexpected(parse_error(*line).value_or(make_error_code(errc::ConnectFailed)));
}

Result<SubscriberReport> SubscriberProcess::collect(std::uint64_t wanted) {
    if (!channel_.write_line("go " + std::to_string(wanted))) {
        return std::unexpected(make_error_code(errc::PeerGone));
    }
    auto line = channel_.read_line(std::nullopt);
    reap();
    if (!line) {
        return std::unexpected(line.error());
    }
    if (auto error = parse_error(*line)) {
        return std::unexpected(*error);
    }
    try {
        return report_from_json(nlohmann::json::parse(*line));
    } catch (const nlohmann::json::exception& e) {
        std::fprintf(stderr, "switchyard-sim: bad report from the subscriber process: %s\n",
                     e.what());
        return std::unexpected(make_error_code(errc::PeerGone));
    }
}

// Gives the child 5 s to exit on its own (it disconnects its clients first), then kills it.
void SubscriberProcess::reap() noexcept {
    if (pid_ <= 0) {
        return;
    }
    for (int i = 0; i < 500; ++i) {
        int status = 0;
        const pid_t done = ::waitpid(pid_, &status, WNOHANG);
        if (done == pid_ || (done < 0 && errno != EINTR)) {
            pid_ = -1;
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
}

}  // namespace sy::sim

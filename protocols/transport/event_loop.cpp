#include "protocols/transport/event_loop.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <spdlog/spdlog.h>

#include "protocols/transport/loop_impl.hpp"

namespace sy::transport {

std::size_t http_pss_size();

namespace {

// lws reports a failed bind only through its log; ask the OS ourselves for a precise reason.
std::string bind_error(const std::string& addr, std::uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return std::strerror(errno);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    std::string reason = "cannot listen";
    if (inet_pton(AF_INET, addr.c_str(), &sa.sin_addr) != 1) {
        reason = "bad bind address";
    } else if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
        reason = errno == EADDRINUSE ? "address already in use" : std::strerror(errno);
    }
    ::close(fd);
    return reason;
}

void lws_log_to_spdlog(int level, const char* line) {
    std::string s(line);
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    // A refused WebSocket upgrade is a client's doing, logged by ws_connection.cpp at debug
    // level; lws's warning for it would let any client fill the log.
    if (s.ends_with("User code denied connection")) {
        spdlog::debug("[lws] {}", s);
        return;
    }
    if (level & LLL_ERR) {
        spdlog::error("[lws] {}", s);
    } else {
        spdlog::warn("[lws] {}", s);
    }
}

}  // namespace

void EventLoop::Impl::drain_posted() {
    std::vector<std::function<void()>> batch;
    {
        std::lock_guard lock(posted_mutex);
        batch.swap(posted);
    }
    for (auto& fn : batch) fn();
    if (stop_requested.load() && !stopping) begin_shutdown();
}

void EventLoop::Impl::begin_shutdown() {
    stopping = true;
    for (auto& t : timers) uv_timer_stop(&t.handle);
    uv_signal_stop(&sigint);
    uv_signal_stop(&sigterm);
    // Destroying the context closes every connection (sessions get on_closed) and listener.
    // With a foreign loop lws finishes closing its handles while uv_run continues.
    // lws sets context to nullptr itself (pcontext) once destruction has fully finished.
    if (context) lws_context_destroy(context);
    for (auto& t : timers) uv_close(reinterpret_cast<uv_handle_t*>(&t.handle), nullptr);
    // The per-iteration hooks run once more so nothing issued before shutdown stays behind.
    for (auto& fn : per_iteration) fn();
    uv_check_stop(&check);
    uv_close(reinterpret_cast<uv_handle_t*>(&check), nullptr);
    {
        std::lock_guard lock(posted_mutex);
        closed = true;
    }
    uv_close(reinterpret_cast<uv_handle_t*>(&wake), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&sigint), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&sigterm), nullptr);
}

EventLoop::EventLoop(LoopOptions options) : impl_(std::make_unique<Impl>()) {
    impl_->options = std::move(options);
    uv_loop_init(&impl_->uv);
    impl_->uv.data = impl_.get();
    uv_async_init(&impl_->uv, &impl_->wake, [](uv_async_t* h) {
        static_cast<Impl*>(h->loop->data)->drain_posted();
    });
    uv_signal_init(&impl_->uv, &impl_->sigint);
    uv_signal_init(&impl_->uv, &impl_->sigterm);
    uv_check_init(&impl_->uv, &impl_->check);
}

EventLoop::~EventLoop() {
    if (!impl_->stopping) {
        impl_->begin_shutdown();
        uv_run(&impl_->uv, UV_RUN_DEFAULT);
        impl_->finish_context();
    }
    uv_loop_close(&impl_->uv);
}

void EventLoop::add_tcp_listener(std::string name, std::uint16_t port, SessionFactory factory) {
    auto& l = impl_->tcp.emplace_back();
    l.name = std::move(name);
    l.port = port;
    l.factory = std::move(factory);
    l.loop = impl_.get();
    l.protocol_name = "sy-raw-" + l.name;
}

void EventLoop::add_http_listener(std::uint16_t port, HttpHandler handler) {
    impl_->http.push_back(HttpListener{port, std::move(handler), impl_.get(), nullptr});
}

void EventLoop::add_websocket_endpoint(std::string path, std::vector<std::string> subprotocols,
                                       SessionFactory factory, WebSocketOptions options) {
    auto added = impl_->ws_routes.add(std::move(path), std::move(subprotocols));
    if (!added) {
        if (impl_->ws_error.empty()) impl_->ws_error = added.error();
        return;
    }
    impl_->ws_endpoints.push_back(WsEndpoint{std::move(factory), options});
}

std::expected<void, std::string> EventLoop::start() {
    auto& d = *impl_;
    if (!d.ws_error.empty()) return std::unexpected(d.ws_error);
    // lws logs a failed bind itself; start() reports it in one line of its own, so lws stays
    // quiet until every listener is up.
    lws_set_log_level(0, lws_log_to_spdlog);

    lws_context_creation_info info{};
    void* loops[] = {&d.uv};
    info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_UV_NO_SIGSEGV_SIGFPE_SPIN |
                   LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
    // Incoming WebSocket text frames must be UTF-8 (RFC 6455 8.1); lws 4.1 reads this option
    // from the context, not the vhost. It touches nothing but text frames.
    if (!d.ws_routes.empty()) info.options |= LWS_SERVER_OPTION_VALIDATE_UTF8;
    info.foreign_loops = loops;
    info.port = CONTEXT_PORT_NO_LISTEN;
    // The raw read size: lws's 4 KiB default costs several times the CPU per message in bulk.
    info.pt_serv_buf_size = 256 * 1024;
    info.count_threads = 1;
    info.pcontext = &d.context;
    d.context = lws_create_context(&info);
    if (!d.context) return std::unexpected("cannot create the network event loop");

    for (auto& l : d.tcp) {
        auto& protos = d.protocol_arrays.emplace_back(2);
        protos[0] = lws_protocols{};
        protos[0].name = l.protocol_name.c_str();
        protos[0].callback = raw_callback;
        protos[0].per_session_data_size = sizeof(void*);
        protos[0].rx_buffer_size = 0;
        protos[0].user = &l;
        protos[0].tx_packet_size = 256 * 1024;
        protos[1] = lws_protocols{};

        lws_context_creation_info vi{};
        vi.port = l.port;
        vi.iface = d.options.bind.c_str();
        vi.vhost_name = l.name.c_str();
        vi.protocols = protos.data();
        vi.options = LWS_SERVER_OPTION_ADOPT_APPLY_LISTEN_ACCEPT_CONFIG;
        vi.listen_accept_role = "raw-skt";
        vi.listen_accept_protocol = l.protocol_name.c_str();
        l.vhost = lws_create_vhost(d.context, &vi);
        if (!l.vhost) {
            return std::unexpected(l.name + " listener on " + d.options.bind + ":" +
                                   std::to_string(l.port) + ": " +
                                   bind_error(d.options.bind, l.port));
        }
    }
    for (auto& h : d.http) {
        auto& protos = d.protocol_arrays.emplace_back(1);
        protos[0] = lws_protocols{};
        protos[0].name = "http";
        protos[0].callback = http_callback;
        protos[0].per_session_data_size = http_pss_size();
        protos[0].user = &h;
        if (!d.ws_routes.empty()) add_ws_protocols(h, d.ws_routes, protos);
        protos.push_back(lws_protocols{});

        lws_context_creation_info vi{};
        vi.port = h.port;
        vi.iface = d.options.bind.c_str();
        vi.vhost_name = "http";
        vi.protocols = protos.data();
        if (!d.ws_routes.empty()) {
            // Upgrades that offer no subprotocol land on this protocol rather than on "http".
            h.default_pvo_flag = {nullptr, nullptr, "default", ""};
            h.default_pvo = {nullptr, &h.default_pvo_flag, kWsNoSubprotocol, ""};
            vi.pvo = &h.default_pvo;
        }
        h.vhost = lws_create_vhost(d.context, &vi);
        if (!h.vhost) {
            return std::unexpected("http listener on " + d.options.bind + ":" +
                                   std::to_string(h.port) + ": " +
                                   bind_error(d.options.bind, h.port));
        }
    }

    lws_set_log_level(LLL_ERR | LLL_WARN, lws_log_to_spdlog);
    auto on_signal = [](uv_signal_t* s, int) {
        auto* impl = static_cast<Impl*>(s->loop->data);
        impl->stop_requested = true;
        if (!impl->stopping) impl->begin_shutdown();
    };
    uv_signal_start(&d.sigint, on_signal, SIGINT);
    uv_signal_start(&d.sigterm, on_signal, SIGTERM);
    std::signal(SIGPIPE, SIG_IGN);
    return {};
}

void EventLoop::run() {
    uv_run(&impl_->uv, UV_RUN_DEFAULT);
    impl_->finish_context();
}

void EventLoop::Impl::finish_context() {
    // On a foreign loop lws finishes destroying its context in a second call, once the loop
    // has closed its handles; it then clears context through pcontext.
    for (int pass = 0; context && pass < 4; ++pass) {
        lws_context_destroy(context);
        uv_run(&uv, UV_RUN_DEFAULT);
    }
}

void EventLoop::stop() {
    impl_->stop_requested = true;
    std::lock_guard lock(impl_->posted_mutex);
    if (!impl_->closed) uv_async_send(&impl_->wake);
}

void EventLoop::post(std::function<void()> fn) {
    // The send happens under the lock so it cannot race with the handle being closed.
    std::lock_guard lock(impl_->posted_mutex);
    if (impl_->closed) return;
    impl_->posted.push_back(std::move(fn));
    uv_async_send(&impl_->wake);
}

void EventLoop::every(std::chrono::milliseconds period, std::function<void()> fn) {
    auto& t = impl_->timers.emplace_back();
    t.fn = std::move(fn);
    uv_timer_init(&impl_->uv, &t.handle);
    t.handle.data = &t;
    auto ms = static_cast<std::uint64_t>(period.count());
    uv_timer_start(&t.handle, [](uv_timer_t* h) { static_cast<Timer*>(h->data)->fn(); }, ms, ms);
}

void EventLoop::on_iteration(std::function<void()> fn) {
    impl_->per_iteration.push_back(std::move(fn));
    if (impl_->per_iteration.size() == 1) {
        uv_check_start(&impl_->check, [](uv_check_t* h) {
            for (auto& f : static_cast<Impl*>(h->loop->data)->per_iteration) f();
        });
    }
}

std::size_t EventLoop::connection_count() const { return impl_->connections; }

}  // namespace sy::transport

#pragma once
// Internals of EventLoop shared by its .cpp files; only protocols/transport includes this.

#include <libwebsockets.h>
#include <uv.h>

#include <atomic>
#include <list>
#include <mutex>
#include <string>
#include <vector>

#include "protocols/transport/event_loop.hpp"
#include "protocols/transport/ws_routes.hpp"

namespace sy::transport {

struct TcpListener {
    std::string name;
    std::uint16_t port;
    SessionFactory factory;
    EventLoop::Impl* loop = nullptr;
    lws_vhost* vhost = nullptr;
    std::string protocol_name;  // lws protocol name, unique per listener
};

struct HttpListener {
    std::uint16_t port = 0;
    HttpHandler handler;
    EventLoop::Impl* loop = nullptr;
    lws_vhost* vhost = nullptr;
    // Names the ws protocol that takes upgrades offering no subprotocol (lws's "default" pvo).
    // lws keeps pointers to both while the vhost lives.
    lws_protocol_vhost_options default_pvo_flag{};
    lws_protocol_vhost_options default_pvo{};
};

struct WsEndpoint {
    SessionFactory factory;
    WebSocketOptions options;
};

// The lws protocol name bound to upgrades that offer no subprotocol; not a real subprotocol,
// so a client that offers it by name is refused.
inline constexpr const char* kWsNoSubprotocol = "switchyard-no-subprotocol";

struct Timer {
    uv_timer_t handle;
    std::function<void()> fn;
};

struct EventLoop::Impl {
    LoopOptions options;
    uv_loop_t uv{};
    lws_context* context = nullptr;
    std::list<TcpListener> tcp;  // std::list: lws keeps pointers to each element
    std::vector<HttpListener> http;
    WsRoutes ws_routes;
    std::vector<WsEndpoint> ws_endpoints;  // indexed like ws_routes
    std::string ws_error;                  // the first bad endpoint, reported by start()
    std::vector<lws_protocols> raw_protocols;  // one array per listener, kept alive
    std::list<std::vector<lws_protocols>> protocol_arrays;
    std::list<Timer> timers;
    uv_async_t wake{};
    uv_check_t check{};
    std::vector<std::function<void()>> per_iteration;
    uv_signal_t sigint{};
    uv_signal_t sigterm{};
    std::mutex posted_mutex;
    std::vector<std::function<void()>> posted;
    bool closed = false;  // under posted_mutex: the wake handle is gone, post() drops work
    std::atomic<bool> stop_requested{false};
    bool stopping = false;
    std::size_t connections = 0;

    void drain_posted();
    void begin_shutdown();
    void finish_context();
};

// Callbacks implemented in raw_connection.cpp, http_server.cpp and ws_connection.cpp.
int raw_callback(lws* wsi, lws_callback_reasons reason, void* user, void* in, std::size_t len);
int http_callback(lws* wsi, lws_callback_reasons reason, void* user, void* in, std::size_t len);
int ws_callback(lws* wsi, lws_callback_reasons reason, void* user, void* in, std::size_t len);
// Appends the HTTP vhost's ws protocols: the one for upgrades that offer no subprotocol, then
// one per subprotocol name of the routes.
void add_ws_protocols(HttpListener& listener, const WsRoutes& routes,
                      std::vector<lws_protocols>& protos);

// "address:port" of the connection's peer, for log lines.
std::string peer_of(lws* wsi);

}  // namespace sy::transport

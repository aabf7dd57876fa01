// The HTTP listener: small request/response routes (dashboard, API, metrics) answered from
// a handler the application gives the loop. Its WebSocket endpoints are in ws_connection.cpp.

#include <cstring>
#include <string>

#include "protocols/transport/loop_impl.hpp"

namespace sy::transport {
namespace {

// lws hands us zeroed per-request storage; we keep one heap string per pending response.
struct HttpPss {
    std::string* body;
};

}  // namespace

int http_callback(lws* wsi, lws_callback_reasons reason, void* user, void* in, std::size_t len) {
    auto* pss = static_cast<HttpPss*>(user);
    switch (reason) {
        case LWS_CALLBACK_HTTP: {
            auto* listener = static_cast<HttpListener*>(lws_get_protocol(wsi)->user);
            std::string path(static_cast<const char*>(in), len);
            HttpResponse r = listener->handler(path);
            unsigned char hdr[LWS_PRE + 1024];
            unsigned char* start = hdr + LWS_PRE;
            unsigned char* p = start;
            unsigned char* end = hdr + sizeof hdr - 1;
            if (lws_add_http_common_headers(wsi, static_cast<unsigned int>(r.status),
                                            r.content_type.c_str(), r.body.size(), &p, end) ||
                lws_add_http_header_by_token(
                    wsi, WSI_TOKEN_HTTP_CACHE_CONTROL,
                    reinterpret_cast<const unsigned char*>("no-store"), 8, &p, end) ||
                lws_finalize_write_http_header(wsi, start, &p, end)) {
                return 1;
            }
            delete pss->body;
            pss->body = new std::string(LWS_PRE, '\0');
            pss->body->append(r.body);
            lws_callback_on_writable(wsi);
            return 0;
        }
        case LWS_CALLBACK_HTTP_WRITEABLE: {
            if (!pss || !pss->body) return 0;
            std::size_t n = pss->body->size() - LWS_PRE;
            auto* data = reinterpret_cast<unsigned char*>(pss->body->data() + LWS_PRE);
            int rc = lws_write(wsi, data, n, LWS_WRITE_HTTP_FINAL);
            delete pss->body;
            pss->body = nullptr;
            if (rc < static_cast<int>(n)) return -1;
            return lws_http_transaction_completed(wsi) ? -1 : 0;
        }
        case LWS_CALLBACK_CLOSED_HTTP:
        case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
            if (pss) {
                delete pss->body;
                pss->body = nullptr;
            }
            return 0;
        default:
            return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
}

std::size_t http_pss_size() { return sizeof(HttpPss); }

}  // namespace sy::transport

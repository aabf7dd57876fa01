#include <vector>

#include "protocols/stomp/codec/codec.hpp"
#include "protocols/stomp/codec/escape.hpp"

namespace sy::stomp {

void encode(Command command, std::span<const HeaderRef> headers, std::string_view body,
            Version version, ByteWriter& out) {
    const bool escaped = detail::escapes(command, version);
    out.bytes(to_string(command));
    out.u8('\n');
    for (const auto& h : headers) {
        if (escaped) {
            detail::escape(h.name, version, out);
            out.u8(':');
            detail::escape(h.value, version, out);
        } else {
            out.bytes(h.name);
            out.u8(':');
            out.bytes(h.value);
        }
        out.u8('\n');
    }
    out.u8('\n');
    out.bytes(body);
    out.u8(0);
}

void encode(const Frame& frame, Version version, ByteWriter& out) {
    std::vector<HeaderRef> refs;
    refs.reserve(frame.headers.size());
    for (const auto& [n, v] : frame.headers) refs.push_back({n, v});
    encode(frame.command, refs, frame.body, version, out);
}

void encode_heartbeat(ByteWriter& out) { out.u8('\n'); }

bool encodable(std::string_view name, std::string_view value, Command command, Version version) {
    if (name.empty()) return false;
    if (!detail::escapes(command, version)) {
        return name.find_first_of(":\n\r") == std::string_view::npos &&
               value.find_first_of("\n\r") == std::string_view::npos;
    }
    // 1.1 escapes LF and ':' but has no escape for CR, which the decoder refuses raw.
    if (version == Version::V1_1) {
        return name.find('\r') == std::string_view::npos &&
               value.find('\r') == std::string_view::npos;
    }
    return true;
}

}  // namespace sy::stomp

#include "protocols/stomp/codec/escape.hpp"

namespace sy::stomp::detail {

bool unescape(std::string_view raw, Version version, std::string& out) {
    out.clear();
    out.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
        const char c = raw[i];
        if (c != '\\') {
            out.push_back(c);
            continue;
        }
        if (++i == raw.size()) return false;
        switch (raw[i]) {
        case 'n': out.push_back('\n'); break;
        case 'c': out.push_back(':'); break;
        case '\\': out.push_back('\\'); break;
        case 'r':
            if (version != Version::V1_2) return false;  // 1.2 added \r
            out.push_back('\r');
            break;
        default: return false;  // e.g. \t: "MUST be treated as a fatal protocol error"
        }
    }
    return true;
}

void escape(std::string_view s, Version version, ByteWriter& out) {
    const std::string_view special = version == Version::V1_2 ? "\\\n:\r" : "\\\n:";
    std::size_t start = 0;
    while (true) {
        const std::size_t at = s.find_first_of(special, start);
        out.bytes(s.substr(start, at == std::string_view::npos ? s.npos : at - start));
        if (at == std::string_view::npos) return;
        switch (s[at]) {
        case '\\': out.bytes("\\\\"); break;
        case '\n': out.bytes("\\n"); break;
        case ':': out.bytes("\\c"); break;
        default: out.bytes("\\r"); break;
        }
        start = at + 1;
    }
}

}  // namespace sy::stomp::detail

#include "storage/message_codec.hpp"

#include <bit>

// Format v1 of a message, in order:
//   u8 format (1) | varint id | u8 flags (bit 0 retain, bit 1 persistent) | u8 qos (0..2)
//   | u8 origin protocol | varint zigzag(published_at_ms) | varint presence (bit i: optional
//   property i below is present) | str exchange | str routing_key | str origin.client_id
//   | str origin.user | present properties: content_type, content_encoding, correlation_id,
//   reply_to, message_id (str), expiration_ms, timestamp_s (varint), priority (u8)
//   | headers | str payload
// str is a varint length and the bytes; headers are a varint count and, per entry, str name,
// u8 type (0 string, 1 int64, 2 double, 3 bool) and the value (str, varint zigzag, 8 bytes
// little-endian IEEE 754, u8 0/1). The payload comes last so the small fields stay together.

namespace sy::storage {
namespace {

enum class HeaderType : std::uint8_t { String = 0, Int = 1, Double = 2, Bool = 3, Wire = 4 };

constexpr std::uint8_t kFlagRetain = 1U << 0;
constexpr std::uint8_t kFlagPersistent = 1U << 1;
constexpr std::uint8_t kKnownFlags = kFlagRetain | kFlagPersistent;
constexpr std::uint64_t kPropertyCount = 8;
constexpr std::uint8_t kMaxProtocol = static_cast<std::uint8_t>(core::Protocol::Bridge);

std::uint64_t zigzag(std::int64_t v) {
    return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}

std::int64_t unzigzag(std::uint64_t v) {
    return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

void put_u8(std::string& out, std::uint8_t v) {
    out.push_back(static_cast<char>(v));
}

void put_varint(std::string& out, std::uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7F) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}

void put_str(std::string& out, std::string_view s) {
    put_varint(out, s.size());
    out.append(s);
}

void put_header_value(std::string& out, const core::HeaderValue& value) {
    if (const auto* s = std::get_if<std::string>(&value)) {
        put_u8(out, static_cast<std::uint8_t>(HeaderType::String));
        put_str(out, *s);
    } else if (const auto* i = std::get_if<std::int64_t>(&value)) {
        put_u8(out, static_cast<std::uint8_t>(HeaderType::Int));
        put_varint(out, zigzag(*i));
    } else if (const auto* d = std::get_if<double>(&value)) {
        put_u8(out, static_cast<std::uint8_t>(HeaderType::Double));
        auto bits = std::bit_cast<std::uint64_t>(*d);
        for (int b = 0; b < 8; ++b) put_u8(out, static_cast<std::uint8_t>(bits >> (8 * b)));
    } else if (const auto* w = std::get_if<core::WireValue>(&value)) {
        put_u8(out, static_cast<std::uint8_t>(HeaderType::Wire));
        put_str(out, w->wire);
        put_str(out, w->text);
    } else {
        put_u8(out, static_cast<std::uint8_t>(HeaderType::Bool));
        put_u8(out, std::get<bool>(value) ? 1 : 0);
    }
}

void put_header_entries(std::string& out, const core::Headers& headers) {
    put_varint(out, headers.size());
    for (const auto& [name, value] : headers) {
        put_str(out, name);
        put_header_value(out, value);
    }
}

// Reads one blob front to back. The first failure is kept (with its offset) and every later
// read fails too, so callers check once at the end of a group of reads.
class Reader {
public:
    explicit Reader(std::string_view in) : in_(in) {}

    bool ok() const { return error_.empty(); }
    std::size_t remaining() const { return in_.size() - pos_; }

    bool fail(std::string_view what) {
        if (error_.empty()) error_ = std::string(what) + " at byte " + std::to_string(pos_);
        return false;
    }

    bool u8(std::uint8_t& v) {
        if (!ok()) return false;
        if (remaining() < 1) return fail("truncated");
        v = static_cast<std::uint8_t>(in_[pos_++]);
        return true;
    }

    bool varint(std::uint64_t& v) {
        if (!ok()) return false;
        v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (remaining() < 1) return fail("truncated varint");
            auto byte = static_cast<std::uint8_t>(in_[pos_++]);
            // The tenth byte holds the 64th bit only.
            if (shift == 63 && byte > 1) return fail("varint overflow");
            v |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
            if ((byte & 0x80) == 0) return true;
        }
        return fail("varint overflow");
    }

    template <class T>
    bool small(T& v, std::uint64_t max) {
        std::uint64_t raw = 0;
        if (!varint(raw)) return false;
        if (raw > max) return fail("value out of range");
        v = static_cast<T>(raw);
        return true;
    }

    bool str(std::string& s) {
        std::uint64_t len = 0;
        if (!varint(len)) return false;
        if (len > remaining()) return fail("length beyond end");
        s.assign(in_.substr(pos_, static_cast<std::size_t>(len)));
        pos_ += static_cast<std::size_t>(len);
        return true;
    }

    bool boolean(bool& b) {
        std::uint8_t v = 0;
        if (!u8(v)) return false;
        if (v > 1) return fail("bad boolean");
        b = v == 1;
        return true;
    }

    // A count of items that each take at least min_size bytes: a count the rest of the blob
    // cannot hold is corruption, caught before anything is reserved.
    bool count(std::uint64_t& n, std::size_t min_size) {
        if (!varint(n)) return false;
        if (n > remaining() / min_size) return fail("count beyond end");
        return true;
    }

    bool format() {
        std::uint8_t v = 0;
        if (!u8(v)) return false;
        if (v != kCodecFormatV1) return fail("unknown format " + std::to_string(v));
        return true;
    }

    std::string error() const { return error_; }

    // Trailing bytes mean the blob is not what its format says.
    bool finish() {
        if (ok() && remaining() != 0) return fail("trailing bytes");
        return ok();
    }

private:
    std::string_view in_;
    std::size_t pos_ = 0;
    std::string error_;
};

bool read_header_value(Reader& r, core::HeaderValue& value) {
    std::uint8_t type = 0;
    if (!r.u8(type)) return false;
    switch (static_cast<HeaderType>(type)) {
        case HeaderType::String: {
            std::string s;
            if (!r.str(s)) return false;
            value = std::move(s);
            return true;
        }
        case HeaderType::Int: {
            std::uint64_t raw = 0;
            if (!r.varint(raw)) return false;
            value = unzigzag(raw);
            return true;
        }
        case HeaderType::Double: {
            std::uint64_t bits = 0;
            for (int b = 0; b < 8; ++b) {
                std::uint8_t byte = 0;
                if (!r.u8(byte)) return false;
                bits |= static_cast<std::uint64_t>(byte) << (8 * b);
            }
            value = std::bit_cast<double>(bits);
            return true;
        }
        case HeaderType::Bool: {
            bool b = false;
            if (!r.boolean(b)) return false;
            value = b;
            return true;
        }
        case HeaderType::Wire: {
            core::WireValue w;
            if (!r.str(w.wire) || !r.str(w.text)) return false;
            value = std::move(w);
            return true;
        }
    }
    return r.fail("unknown header type " + std::to_string(type));
}

bool read_header_entries(Reader& r, core::Headers& headers) {
    std::uint64_t n = 0;
    // An entry is at least a name length, a type and one value byte.
    if (!r.count(n, 3)) return false;
    headers.reserve(static_cast<std::size_t>(n));
    for (std::uint64_t i = 0; i < n; ++i) {
        std::string name;
        core::HeaderValue value;
        if (!r.str(name) || !read_header_value(r, value)) return false;
        headers.emplace_back(std::move(name), std::move(value));
    }
    return true;
}

void put_properties(std::string& out, const core::Properties& p) {
    std::uint64_t presence = 0;
    const std::optional<std::string>* strings[] = {&p.content_type, &p.content_encoding,
                                                   &p.correlation_id, &p.reply_to, &p.message_id};
    for (std::size_t i = 0; i < std::size(strings); ++i) {
        if (strings[i]->has_value()) presence |= 1ULL << i;
    }
    if (p.expiration_ms) presence |= 1ULL << 5;
    if (p.timestamp_s) presence |= 1ULL << 6;
    if (p.priority) presence |= 1ULL << 7;
    put_varint(out, presence);
    for (const auto* s : strings) {
        if (s->has_value()) put_str(out, **s);
    }
    if (p.expiration_ms) put_varint(out, *p.expiration_ms);
    if (p.timestamp_s) put_varint(out, *p.timestamp_s);
    if (p.priority) put_u8(out, *p.priority);
}

bool read_properties(Reader& r, core::Properties& p) {
    std::uint64_t presence = 0;
    if (!r.varint(presence)) return false;
    if (presence >> kPropertyCount != 0) return r.fail("unknown property bits");
    std::optional<std::string>* strings[] = {&p.content_type, &p.content_encoding,
                                             &p.correlation_id, &p.reply_to, &p.message_id};
    for (std::size_t i = 0; i < std::size(strings); ++i) {
        if ((presence & (1ULL << i)) == 0) continue;
        std::string s;
        if (!r.str(s)) return false;
        *strings[i] = std::move(s);
    }
    std::uint64_t v = 0;
    if ((presence & (1ULL << 5)) != 0) {
        if (!r.varint(v)) return false;
        p.expiration_ms = v;
    }
    if ((presence & (1ULL << 6)) != 0) {
        if (!r.varint(v)) return false;
        p.timestamp_s = v;
    }
    if ((presence & (1ULL << 7)) != 0) {
        std::uint8_t prio = 0;
        if (!r.u8(prio)) return false;
        p.priority = prio;
    }
    return true;
}

}  // namespace

void encode_message(const core::Message& m, std::string& out) {
    out.reserve(out.size() + 48 + m.exchange.size() + m.routing_key.size() + m.payload.size());
    put_u8(out, kCodecFormatV1);
    put_varint(out, m.id.value);
    std::uint8_t flags = 0;
    if (m.retain) flags |= kFlagRetain;
    if (m.props.persistent) flags |= kFlagPersistent;
    put_u8(out, flags);
    put_u8(out, m.qos);
    put_u8(out, static_cast<std::uint8_t>(m.origin.protocol));
    put_varint(out, zigzag(m.published_at_ms));
    put_properties(out, m.props);
    put_str(out, m.exchange);
    put_str(out, m.routing_key);
    put_str(out, m.origin.client_id);
    put_str(out, m.origin.user);
    put_header_entries(out, m.headers);
    put_str(out, m.payload);
}

std::string encode_message(const core::Message& message) {
    std::string out;
    encode_message(message, out);
    return out;
}

std::expected<core::Message, std::string> decode_message(std::string_view bytes) {
    Reader r(bytes);
    core::Message m;
    std::uint8_t flags = 0;
    std::uint8_t protocol = 0;
    std::uint64_t published = 0;
    r.format();
    r.varint(m.id.value);
    if (r.u8(flags) && (flags & ~kKnownFlags) != 0) r.fail("unknown flags");
    if (r.u8(m.qos) && m.qos > 2) r.fail("bad qos");
    if (r.u8(protocol) && protocol > kMaxProtocol) r.fail("bad origin protocol");
    r.varint(published);
    if (r.ok()) read_properties(r, m.props);
    r.str(m.exchange);
    r.str(m.routing_key);
    r.str(m.origin.client_id);
    r.str(m.origin.user);
    if (r.ok()) read_header_entries(r, m.headers);
    r.str(m.payload);
    if (!r.finish()) return std::unexpected(r.error());
    m.retain = (flags & kFlagRetain) != 0;
    m.props.persistent = (flags & kFlagPersistent) != 0;
    m.origin.protocol = static_cast<core::Protocol>(protocol);
    m.published_at_ms = unzigzag(published);
    return m;
}

void encode_headers(const core::Headers& headers, std::string& out) {
    put_u8(out, kCodecFormatV1);
    put_header_entries(out, headers);
}

std::string encode_headers(const core::Headers& headers) {
    std::string out;
    encode_headers(headers, out);
    return out;
}

std::expected<core::Headers, std::string> decode_headers(std::string_view bytes) {
    Reader r(bytes);
    core::Headers headers;
    if (r.format()) read_header_entries(r, headers);
    if (!r.finish()) return std::unexpected(r.error());
    return headers;
}

std::string encode_subscriptions(const MqttSubscriptions& subscriptions) {
    std::string out;
    put_u8(out, kCodecFormatV1);
    put_varint(out, subscriptions.size());
    for (const auto& [filter, qos] : subscriptions) {
        put_str(out, filter);
        put_u8(out, qos);
    }
    return out;
}

std::expected<MqttSubscriptions, std::string> decode_subscriptions(std::string_view bytes) {
    Reader r(bytes);
    MqttSubscriptions subs;
    std::uint64_t n = 0;
    if (r.format() && r.count(n, 2)) {
        subs.reserve(static_cast<std::size_t>(n));
        for (std::uint64_t i = 0; i < n && r.ok(); ++i) {
            std::string filter;
            std::uint8_t qos = 0;
            if (r.str(filter) && r.u8(qos) && qos > 2) r.fail("bad qos");
            subs.emplace_back(std::move(filter), qos);
        }
    }
    if (!r.finish()) return std::unexpected(r.error());
    return subs;
}

std::string encode_packet_ids(const std::vector<std::uint16_t>& ids) {
    std::string out;
    put_u8(out, kCodecFormatV1);
    put_varint(out, ids.size());
    for (auto id : ids) put_varint(out, id);
    return out;
}

std::expected<std::vector<std::uint16_t>, std::string> decode_packet_ids(std::string_view bytes) {
    Reader r(bytes);
    std::vector<std::uint16_t> ids;
    std::uint64_t n = 0;
    if (r.format() && r.count(n, 1)) {
        ids.reserve(static_cast<std::size_t>(n));
        for (std::uint64_t i = 0; i < n && r.ok(); ++i) {
            std::uint16_t id = 0;
            if (r.small(id, 0xFFFF)) ids.push_back(id);
        }
    }
    if (!r.finish()) return std::unexpected(r.error());
    return ids;
}

std::string encode_outbound_qos2(const std::vector<std::pair<std::uint16_t, std::uint64_t>>& v) {
    std::string out;
    put_u8(out, kCodecFormatV1);
    put_varint(out, v.size());
    for (const auto& [pid, id] : v) {
        put_varint(out, pid);
        put_varint(out, id);
    }
    return out;
}

std::expected<std::vector<std::pair<std::uint16_t, std::uint64_t>>, std::string>
decode_outbound_qos2(std::string_view bytes) {
    std::vector<std::pair<std::uint16_t, std::uint64_t>> out;
    if (bytes.empty()) return out;  // a row written before migration 3
    Reader r(bytes);
    std::uint64_t n = 0;
    if (r.format() && r.count(n, 2)) {
        out.reserve(static_cast<std::size_t>(n));
        for (std::uint64_t i = 0; i < n && r.ok(); ++i) {
            std::uint16_t pid = 0;
            std::uint64_t id = 0;
            if (r.small(pid, 0xFFFF) && r.varint(id)) out.emplace_back(pid, id);
        }
    }
    if (!r.finish()) return std::unexpected(r.error());
    return out;
}

}  // namespace sy::storage

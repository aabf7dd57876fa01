#pragma once
// Helpers shared by the STOMP codec tests: text to bytes, and a reader that feeds a decoder
// in chunks the way a connection's read loop does (keeping an incomplete frame, skipping
// heart-beats).

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/common/byte_writer.hpp"
#include "protocols/stomp/codec/codec.hpp"

namespace sy::stomp::test {

inline std::span<const std::byte> bytes(std::string_view s) {
    return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

inline std::string text(const ByteWriter& w) {
    return {reinterpret_cast<const char*>(w.view().data()), w.size()};
}

class Reader {
public:
    explicit Reader(Decoder decoder = Decoder{}) : decoder_(decoder) {}

    // False once the decoder reported an error (kept in last()).
    bool feed(std::string_view chunk) {
        buffer_.append(chunk);
        while (!buffer_.empty()) {
            Frame f;
            last_ = decoder_.decode(bytes(buffer_), f);
            if (last_.status == DecodeStatus::NeedMore) return true;
            if (last_.status == DecodeStatus::Heartbeat) {
                ++heartbeats_;
            } else if (last_.status == DecodeStatus::Complete) {
                frames_.push_back(std::move(f));
            } else {
                return false;
            }
            buffer_.erase(0, last_.consumed);
        }
        return true;
    }

    const std::vector<Frame>& frames() const { return frames_; }
    std::size_t heartbeats() const { return heartbeats_; }
    std::size_t buffered() const { return buffer_.size(); }
    const DecodeResult& last() const { return last_; }
    Decoder& decoder() { return decoder_; }

private:
    Decoder decoder_;
    std::string buffer_;
    std::vector<Frame> frames_;
    std::size_t heartbeats_ = 0;
    DecodeResult last_;
};

// Decodes one complete input; the frames, or an empty list and the error in result.
inline std::vector<Frame> decode_all(std::string_view input, Version v, DecodeResult* result = nullptr,
                                     DecoderLimits limits = {}) {
    Decoder d(limits);
    d.set_version(v);
    Reader r(d);
    const bool ok = r.feed(input);
    if (result) *result = r.last();
    return ok ? r.frames() : std::vector<Frame>{};
}

inline std::string encoded(const Frame& f, Version v) {
    ByteWriter w;
    encode(f, v, w);
    return text(w);
}

}  // namespace sy::stomp::test

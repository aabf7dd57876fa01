#pragma once
// Feeds a codec's decoder as a session's read loop would: buffers what arrives and decodes
// every complete unit (packet, frame). Shared by the codec tests of every protocol.

#include <cstddef>
#include <span>
#include <utility>
#include <vector>

namespace sy::test {

// Decoder must offer decode(span, Unit&) returning a result with status and consumed; Status
// names its NeedMore and Complete values.
template <class Decoder, class Unit, class Result, class Status>
class StreamDriverOf {
public:
    explicit StreamDriverOf(Decoder decoder) : decoder_(std::move(decoder)) {}

    // False once the decoder reported anything other than Complete or NeedMore.
    bool feed(std::span<const std::byte> chunk) {
        buffer_.insert(buffer_.end(), chunk.begin(), chunk.end());
        while (true) {
            Unit u;
            const Result r = decoder_.decode(buffer_, u);
            if (r.status == Status::NeedMore) {
                return true;
            }
            if (r.status != Status::Complete || r.consumed == 0 || r.consumed > buffer_.size()) {
                last_error_ = r;
                return false;
            }
            units_.push_back(std::move(u));
            buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<long>(r.consumed));
        }
    }

    const std::vector<Unit>& units() const { return units_; }
    std::size_t buffered() const { return buffer_.size(); }
    const Result& last_error() const { return last_error_; }
    const Decoder& decoder() const { return decoder_; }

private:
    Decoder decoder_;
    std::vector<std::byte> buffer_;
    std::vector<Unit> units_;
    Result last_error_;
};

}  // namespace sy::test

#pragma once
// A sink with ByteWriter's append interface that only counts. Encoders run their body writer
// over it first to learn a length prefix, then over the real ByteWriter, so nothing is
// buffered twice or moved after the fact.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace sy {

class ByteCounter {
public:
    void u8(std::uint8_t) { size_ += 1; }
    void u16(std::uint16_t) { size_ += 2; }
    void u32(std::uint32_t) { size_ += 4; }
    void u64(std::uint64_t) { size_ += 8; }
    void bytes(std::span<const std::byte> b) { size_ += b.size(); }
    void bytes(std::string_view s) { size_ += s.size(); }
    void advance(std::size_t n) { size_ += n; }

    std::size_t size() const { return size_; }

private:
    std::size_t size_ = 0;
};

}  // namespace sy

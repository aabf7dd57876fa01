#pragma once
// Growable output buffer shared by every encoder. Writers append; transports take the bytes.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace sy {

class ByteWriter {
public:
    void u8(std::uint8_t v) { buf_.push_back(static_cast<std::byte>(v)); }
    void u16(std::uint16_t v) {
        u8(static_cast<std::uint8_t>(v >> 8));
        u8(static_cast<std::uint8_t>(v));
    }
    void u32(std::uint32_t v) {
        u16(static_cast<std::uint16_t>(v >> 16));
        u16(static_cast<std::uint16_t>(v));
    }
    void u64(std::uint64_t v) {
        u32(static_cast<std::uint32_t>(v >> 32));
        u32(static_cast<std::uint32_t>(v));
    }
    void bytes(std::span<const std::byte> b) { buf_.insert(buf_.end(), b.begin(), b.end()); }
    void bytes(std::string_view s) {
        auto p = reinterpret_cast<const std::byte*>(s.data());
        buf_.insert(buf_.end(), p, p + s.size());
    }
    // Overwrites bytes already written (for lengths known only after the body).
    void patch_u32(std::size_t at, std::uint32_t v) {
        for (int i = 0; i < 4; ++i) {
            buf_[at + static_cast<std::size_t>(i)] = static_cast<std::byte>(v >> (24 - 8 * i));
        }
    }

    std::size_t size() const { return buf_.size(); }
    bool empty() const { return buf_.empty(); }
    std::span<const std::byte> view() const { return buf_; }
    std::vector<std::byte>& buffer() { return buf_; }
    void clear() { buf_.clear(); }
    void reserve(std::size_t n) { buf_.reserve(n); }

private:
    std::vector<std::byte> buf_;
};

}  // namespace sy

#pragma once
// Bounds-checked cursor over received bytes, shared by every decoder. Each read either succeeds
// and advances or fails and leaves the cursor where it was, so a decoder never reads past the
// frame it was given.

#include <cstddef>
#include <cstdint>
#include <span>

namespace sy {

class ByteReader {
public:
    explicit ByteReader(std::span<const std::byte> data) : data_(data) {}

    std::size_t remaining() const { return data_.size() - pos_; }
    std::size_t position() const { return pos_; }
    bool empty() const { return pos_ == data_.size(); }
    // The unread bytes, without consuming them.
    std::span<const std::byte> peek() const { return data_.subspan(pos_); }

    [[nodiscard]] bool u8(std::uint8_t& v) {
        if (remaining() < 1) {
            return false;
        }
        v = at(0);
        pos_ += 1;
        return true;
    }

    [[nodiscard]] bool u16(std::uint16_t& v) {
        if (remaining() < 2) {
            return false;
        }
        v = static_cast<std::uint16_t>((at(0) << 8) | at(1));
        pos_ += 2;
        return true;
    }

    [[nodiscard]] bool u32(std::uint32_t& v) {
        if (remaining() < 4) {
            return false;
        }
        v = (std::uint32_t{at(0)} << 24) | (std::uint32_t{at(1)} << 16) |
            (std::uint32_t{at(2)} << 8) | std::uint32_t{at(3)};
        pos_ += 4;
        return true;
    }

    // Hands out the next n bytes as a view into the input (no copy).
    [[nodiscard]] bool take(std::size_t n, std::span<const std::byte>& out) {
        if (remaining() < n) {
            return false;
        }
        out = data_.subspan(pos_, n);
        pos_ += n;
        return true;
    }

    [[nodiscard]] bool skip(std::size_t n) {
        if (remaining() < n) {
            return false;
        }
        pos_ += n;
        return true;
    }

    std::span<const std::byte> take_rest() {
        auto rest = data_.subspan(pos_);
        pos_ = data_.size();
        return rest;
    }

private:
    std::uint8_t at(std::size_t offset) const {
        return std::to_integer<std::uint8_t>(data_[pos_ + offset]);
    }

    std::span<const std::byte> data_;
    std::size_t pos_ = 0;
};

}  // namespace sy

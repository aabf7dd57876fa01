#pragma once
// Problems worth a line on stderr (a refused connect, a failed publish), but never a flood: a
// fleet of thousands that loses its broker would otherwise print thousands of lines a second.
// The first `limit` lines are printed; the rest are only counted and summed up at the end.

#include <cstdint>
#include <cstdio>
#include <string_view>

namespace sy::sim {

class ErrorLog {
public:
    ErrorLog(std::FILE* out, std::uint32_t limit) : out_(out), limit_(limit) {}

    void report(std::string_view device, std::string_view what, std::string_view detail = {});
    // "... and N more" when lines were held back; nothing otherwise.
    void summarize();

    std::uint64_t count() const noexcept { return count_; }

private:
    std::FILE* out_;
    std::uint32_t limit_;
    std::uint64_t count_ = 0;
};

}  // namespace sy::sim

#pragma once
// A process's resident memory from /proc/<pid>/status, to put a broker's memory per connection
// next to the connect times (Linux only).

#include <cstdint>
#include <optional>
#include <string_view>

namespace sy::sim {

// The VmRSS line of a /proc/<pid>/status text, in KiB ("VmRSS:    12345 kB").
std::optional<std::uint64_t> parse_vm_rss_kib(std::string_view status_text);

// Empty when the process does not exist or cannot be read.
std::optional<std::uint64_t> read_vm_rss_kib(int pid);

}  // namespace sy::sim

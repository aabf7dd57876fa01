#pragma once
// Thousands of devices need thousands of sockets; the soft open-file limit is often 1024. Raise
// it to the hard limit before opening them.

#include <cstdint>
#include <optional>
#include <string>

namespace sy::sim {

// Raises the soft RLIMIT_NOFILE to the hard limit when `needed` descriptors would not fit.
// Returns the soft limit in force afterwards.
std::uint64_t raise_fd_limit(std::uint64_t needed) noexcept;

// Raises the limit as above; when `needed` still does not fit, says so for a person.
std::optional<std::string> fd_limit_problem(std::uint64_t needed);

}  // namespace sy::sim

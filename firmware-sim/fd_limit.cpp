#include "firmware-sim/fd_limit.hpp"

#include <sys/resource.h>

namespace sy::sim {

std::uint64_t raise_fd_limit(std::uint64_t needed) noexcept {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < needed) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
        ::getrlimit(RLIMIT_NOFILE, &limit);
    }
    return limit.rlim_cur;
}

std::optional<std::string> fd_limit_problem(std::uint64_t needed) {
    const std::uint64_t limit = raise_fd_limit(needed);
    if (limit >= needed) return std::nullopt;
    return "the open-file limit (" + std::to_string(limit) + ") is below the " +
           std::to_string(needed) + " descriptors this run needs; raise it (ulimit -n)";
}

}  // namespace sy::sim

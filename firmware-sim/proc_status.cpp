#include "firmware-sim/proc_status.hpp"

#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

namespace sy::sim {

std::optional<std::uint64_t> parse_vm_rss_kib(std::string_view text) {
    constexpr std::string_view kKey = "VmRSS:";
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        if (!line.starts_with(kKey)) continue;
        line.remove_prefix(kKey.size());
        const std::size_t digits = line.find_first_not_of(" \t");
        if (digits == std::string_view::npos) return std::nullopt;
        line.remove_prefix(digits);
        std::uint64_t kib = 0;
        auto [rest, ec] = std::from_chars(line.data(), line.data() + line.size(), kib);
        if (ec != std::errc{} || std::string_view(rest, line.data() + line.size()) != " kB") {
            return std::nullopt;
        }
        return kib;
    }
    return std::nullopt;
}

std::optional<std::uint64_t> read_vm_rss_kib(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    if (!in) return std::nullopt;
    std::stringstream text;
    text << in.rdbuf();
    return parse_vm_rss_kib(text.str());
}

}  // namespace sy::sim

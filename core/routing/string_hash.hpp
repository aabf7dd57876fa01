#pragma once
// A transparent hash for maps keyed by std::string, so they can be probed with a string_view
// (a level of a routing key, say) without building a std::string first.

#include <cstddef>
#include <functional>
#include <string_view>

namespace sy::core {

struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept {
        return std::hash<std::string_view>{}(text);
    }
};

}  // namespace sy::core

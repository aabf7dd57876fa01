// Topic name and filter validity (section 4.7). UTF-8 well-formedness is the decoder's job;
// these only look at wildcard placement and the shared-subscription prefix.

#include <string_view>

#include "protocols/mqtt/codec/codec.hpp"

namespace sy::mqtt {

namespace {

constexpr std::string_view kSharePrefix = "$share/";

// Plain (non-shared) filter: '#' only as the whole last level [MQTT-4.7.1-2], '+' only as a
// whole level [MQTT-4.7.1-3].
bool valid_plain_filter(std::string_view filter) {
    if (filter.empty()) {
        return false;  // [MQTT-4.7.3-1]
    }
    std::size_t start = 0;
    while (true) {
        const std::size_t slash = filter.find('/', start);
        const bool last = slash == std::string_view::npos;
        const std::string_view level =
            filter.substr(start, last ? std::string_view::npos : slash - start);
        if (level.find('#') != std::string_view::npos && (level != "#" || !last)) {
            return false;
        }
        if (level.find('+') != std::string_view::npos && level != "+") {
            return false;
        }
        if (last) {
            return true;
        }
        start = slash + 1;
    }
}

}  // namespace

bool valid_topic_name(std::string_view topic) {
    // [MQTT-4.7.3-1] non-empty; [MQTT-3.3.2-2] no wildcards.
    return !topic.empty() && topic.find_first_of("+#") == std::string_view::npos;
}

bool valid_topic_filter(std::string_view filter) {
    if (!filter.starts_with(kSharePrefix)) {
        return valid_plain_filter(filter);
    }
    // $share/<name>/<filter>: the name is one non-empty level without wildcards
    // [MQTT-4.8.2-1,2]; the rest is an ordinary filter.
    const std::string_view rest = filter.substr(kSharePrefix.size());
    const std::size_t slash = rest.find('/');
    if (slash == std::string_view::npos) {
        return false;
    }
    const std::string_view name = rest.substr(0, slash);
    if (name.empty() || name.find_first_of("+#") != std::string_view::npos) {
        return false;
    }
    return valid_plain_filter(rest.substr(slash + 1));
}

}  // namespace sy::mqtt

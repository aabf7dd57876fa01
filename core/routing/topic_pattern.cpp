#include "core/routing/topic_pattern.hpp"

#include <cstddef>

namespace sy::core {

namespace {

constexpr char kSeparator = '.';

// Walks the levels of a routing key without splitting it into a container, so the reference
// matcher needs no allocation. A key of n separators has n + 1 levels, and "" has one empty
// level, so "past the end" is an offset beyond size(), not equal to it.
class LevelCursor {
public:
    explicit LevelCursor(std::string_view key) : key_(key) {}

    bool at_end(std::size_t start) const { return start > key_.size(); }

    std::string_view level(std::size_t start) const {
        return key_.substr(start, level_end(start) - start);
    }

    std::size_t next(std::size_t start) const { return level_end(start) + 1; }

private:
    std::size_t level_end(std::size_t start) const {
        const std::size_t dot = key_.find(kSeparator, start);
        return dot == std::string_view::npos ? key_.size() : dot;
    }

    std::string_view key_;
};

bool level_matches(const PatternLevel& level, std::string_view key_level) {
    switch (level.kind) {
    case PatternLevel::Kind::Star:
        return true;
    case PatternLevel::Kind::Literal:
        return level.text == key_level;
    case PatternLevel::Kind::Hash:
        break;
    }
    return false;
}

}  // namespace

TopicPattern parse_amqp_pattern(std::string_view pattern) {
    TopicPattern out;
    std::vector<std::string_view> levels;
    split_levels(pattern, levels);
    out.reserve(levels.size());
    for (std::string_view level : levels) {
        if (level == "*") {
            out.push_back({PatternLevel::Kind::Star, {}});
        } else if (level == "#") {
            out.push_back({PatternLevel::Kind::Hash, {}});
        } else {
            out.push_back({PatternLevel::Kind::Literal, std::string(level)});
        }
    }
    return out;
}

// A Literal "*" or "#" (possible only in patterns built from MQTT filters) prints the same as
// a wildcard: the AMQP form cannot tell them apart, which is why bindings keep the parsed
// pattern rather than this string.
std::string to_amqp_string(const TopicPattern& pattern) {
    std::string out;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (i != 0) {
            out += kSeparator;
        }
        switch (pattern[i].kind) {
        case PatternLevel::Kind::Literal:
            out += pattern[i].text;
            break;
        case PatternLevel::Kind::Star:
            out += '*';
            break;
        case PatternLevel::Kind::Hash:
            out += '#';
            break;
        }
    }
    return out;
}

void split_levels(std::string_view key, std::vector<std::string_view>& out) {
    out.clear();
    const LevelCursor cursor(key);
    for (std::size_t start = 0; !cursor.at_end(start); start = cursor.next(start)) {
        out.push_back(cursor.level(start));
    }
}

// Glob matching with '#' as the only multi-level wildcard: on a mismatch it is enough to
// retry from the most recent '#' with one more level absorbed, because an earlier '#' could
// only absorb levels the later one can absorb as well. Worst case O(pattern * key), no
// backtracking explosion for patterns like "#.#.#.x".
bool pattern_matches(const TopicPattern& pattern, std::string_view routing_key,
                     bool dollar_rule) {
    if (dollar_rule && !pattern.empty() && pattern.front().kind != PatternLevel::Kind::Literal &&
        routing_key.starts_with('$')) {
        return false;  // [MQTT-4.7.2-1]
    }
    constexpr std::size_t kNone = static_cast<std::size_t>(-1);
    const LevelCursor cursor(routing_key);
    std::size_t pi = 0;
    std::size_t key_pos = 0;
    std::size_t hash_pi = kNone;
    std::size_t hash_key_pos = 0;
    while (!cursor.at_end(key_pos)) {
        if (pi < pattern.size() && pattern[pi].kind == PatternLevel::Kind::Hash) {
            hash_pi = pi++;
            hash_key_pos = key_pos;  // first try: '#' absorbs nothing
        } else if (pi < pattern.size() && level_matches(pattern[pi], cursor.level(key_pos))) {
            ++pi;
            key_pos = cursor.next(key_pos);
        } else if (hash_pi != kNone) {
            pi = hash_pi + 1;
            hash_key_pos = cursor.next(hash_key_pos);
            key_pos = hash_key_pos;
        } else {
            return false;
        }
    }
    while (pi < pattern.size() && pattern[pi].kind == PatternLevel::Kind::Hash) {
        ++pi;
    }
    return pi == pattern.size();
}

}  // namespace sy::core

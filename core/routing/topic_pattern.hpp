#pragma once
// Binding patterns as parsed levels. A pattern is never matched as a string: an MQTT filter
// "a/*" holds a literal '*' level while the AMQP pattern "a.*" holds a wildcard, and the two
// must not be confused (LESSONS.md 4).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sy::core {

struct PatternLevel {
    enum class Kind : std::uint8_t { Literal, Star, Hash };
    Kind kind = Kind::Literal;
    std::string text;  // only for Literal
    bool operator==(const PatternLevel&) const = default;
};

using TopicPattern = std::vector<PatternLevel>;

// AMQP topic pattern: levels separated by '.', a whole level "*" or "#" is a wildcard.
// "" is one empty literal level.
TopicPattern parse_amqp_pattern(std::string_view pattern);

// Back to AMQP form (for display and persistence of AMQP bindings).
std::string to_amqp_string(const TopicPattern& pattern);

// Splits a routing key (AMQP form) at '.'; "" gives one empty level.
void split_levels(std::string_view key, std::vector<std::string_view>& out);

// Straightforward reference matcher; the trie must agree with it. With dollar_rule, a first
// level that starts with '$' is not matched by a wildcard in the first position
// [MQTT-4.7.2-1].
bool pattern_matches(const TopicPattern& pattern, std::string_view routing_key, bool dollar_rule);

}  // namespace sy::core

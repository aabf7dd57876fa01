#pragma once
// One table of (AMQP pattern, key, dollar rule, expected) used by both the reference matcher
// and the trie, so the two are held to the same cases.

#include <ostream>
#include <string_view>
#include <vector>

namespace sy::core::test {

struct MatchCase {
    std::string_view pattern;
    std::string_view key;
    bool dollar_rule;
    bool expected;
};

inline std::ostream& operator<<(std::ostream& out, const MatchCase& c) {
    return out << "pattern \"" << c.pattern << "\" key \"" << c.key << "\" dollar_rule "
               << c.dollar_rule << " expected " << c.expected;
}

inline const std::vector<MatchCase>& match_cases() {
    static const std::vector<MatchCase> cases = {
        // Literals, level counts.
        {"a.b.c", "a.b.c", true, true},
        {"a.b.c", "a.b", true, false},
        {"a.b", "a.b.c", true, false},
        {"a.b", "a.c", true, false},
        {"a", "ab", true, false},
        // Empty levels are levels: "a..b" has three, ".a" and "a." have two.
        {"a..b", "a..b", true, true},
        {"a..b", "a.b", true, false},
        {"a.b", "a..b", true, false},
        {"a.*.b", "a..b", true, true},
        {".a", ".a", true, true},
        {".a", "a", true, false},
        {"*.a", ".a", true, true},
        {"a.", "a.", true, true},
        {"a.", "a", true, false},
        {"a.*", "a.", true, true},
        {"a.#", "a.", true, true},
        {"", "", true, true},
        {"", "a", true, false},
        {"", ".", true, false},
        {".", ".", true, true},
        {"*", "", true, true},
        {"*.*", ".", true, true},
        {"*", ".", true, false},
        // '*' is exactly one level, at the start, middle and end.
        {"*", "a", true, true},
        {"*", "a.b", true, false},
        {"*.*", "a", true, false},
        {"*.b.c", "a.b.c", true, true},
        {"*.b.c", "b.c", true, false},
        {"a.*.c", "a.b.c", true, true},
        {"a.*.c", "a.c", true, false},
        {"a.*.c", "a.b.b.c", true, false},
        {"a.b.*", "a.b.c", true, true},
        {"a.b.*", "a.b", true, false},
        // '#' is zero or more levels, at the start, middle and end.
        {"#", "", true, true},
        {"#", "a", true, true},
        {"#", "a.b.c", true, true},
        {"#", "..", true, true},
        {"a.#", "a", true, true},
        {"a.#", "a.b", true, true},
        {"a.#", "a.b.c", true, true},
        {"a.#", "b", true, false},
        {"a.#", "b.a", true, false},
        {"#.c", "c", true, true},
        {"#.c", "a.b.c", true, true},
        {"#.c", "a.c.b", true, false},
        {"a.#.c", "a.c", true, true},
        {"a.#.c", "a.b.c", true, true},
        {"a.#.c", "a.b.x.c", true, true},
        {"a.#.c", "a.b.c.d", true, false},
        {"a.#.c", "a", true, false},
        {"a.#.c.#.e", "a.c.e", true, true},
        {"a.#.c.#.e", "a.x.c.y.c.e", true, true},
        {"a.#.c.#.e", "a.x.e.c", true, false},
        // Wildcards together.
        {"#.#", "", true, true},
        {"#.#", "a.b", true, true},
        {"#.*", "", true, true},
        {"#.*", "a.b.c", true, true},
        {"*.#", "a", true, true},
        {"*.#", "", true, true},
        {"#.*.#", "a", true, true},
        {"*.*.#", "a", true, false},
        {"a.*.#.c", "a.b.c", true, true},
        {"a.*.#.c", "a.c", true, false},
        {"#.b.*", "a.b.c", true, true},
        {"#.b.*", "a.b", true, false},
        {"*.b.#", "a.b", true, true},
        {"*.b.#", "b", true, false},
        // Wildcard characters inside a level are literal text.
        {"a.b*", "a.bc", true, false},
        {"a.b*", "a.b*", true, true},
        {"a#", "a", true, false},
        {"a#", "a#", true, true},
        {"a.*", "a.*", true, true},
        {"a.#", "a.#", true, true},
        // [MQTT-4.7.2-1]: no wildcard at the first position matches a first level "$...".
        {"#", "$SYS.x", true, false},
        {"#", "$SYS.x", false, true},
        {"*.x", "$SYS.x", true, false},
        {"*.x", "$SYS.x", false, true},
        {"*", "$", true, false},
        {"#.x", "$SYS.x", true, false},
        {"$SYS.#", "$SYS.x", true, true},
        {"$SYS.*", "$SYS.x", true, true},
        {"$SYS", "$SYS", true, true},
        {"a.#", "a.$b", true, true},
        {"#", "a.$b", true, true},
        {"#", "x$", true, true},
    };
    return cases;
}

}  // namespace sy::core::test

#include "bridge/topic_remap.hpp"


namespace sy::bridge {
namespace {

std::vector<std::string> split_fields(std::string_view line) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        if (i >= line.size()) break;
        std::size_t j = i;
        while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
        std::string f(line.substr(i, j - i));
        out.push_back(f == "\"\"" ? std::string() : f);
        i = j;
    }
    return out;
}

std::vector<std::string_view> levels(std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (true) {
        auto end = s.find('/', start);
        out.push_back(s.substr(start, end == s.npos ? s.npos : end - start));
        if (end == s.npos) return out;
        start = end + 1;
    }
}

std::optional<Remapped> remap(const std::vector<RemapRule>& rules, std::string_view topic,
                              bool outbound) {
    for (const auto& r : rules) {
        bool applies = r.direction == Direction::Both ||
                       r.direction == (outbound ? Direction::Out : Direction::In);
        if (!applies) continue;
        const std::string& from = outbound ? r.local_prefix : r.remote_prefix;
        const std::string& to = outbound ? r.remote_prefix : r.local_prefix;
        if (!topic.starts_with(from)) continue;
        auto rest = topic.substr(from.size());
        if (!mqtt_filter_matches(r.pattern, rest)) continue;
        return Remapped{to + std::string(rest), r.qos};
    }
    return std::nullopt;
}

std::vector<std::pair<std::string, std::uint8_t>> filters(const std::vector<RemapRule>& rules,
                                                          Direction wanted, bool remote) {
    std::vector<std::pair<std::string, std::uint8_t>> out;
    for (const auto& r : rules) {
        if (r.direction != wanted && r.direction != Direction::Both) continue;
        out.emplace_back((remote ? r.remote_prefix : r.local_prefix) + r.pattern, r.qos);
    }
    return out;
}

}  // namespace

bool mqtt_filter_matches(std::string_view filter, std::string_view topic) {
    auto f = levels(filter);
    auto t = levels(topic);
    if (!topic.empty() && topic[0] == '$' && !filter.empty() &&
        (filter[0] == '+' || filter[0] == '#')) {
        return false;  // [MQTT-4.7.2-1]
    }
    std::size_t i = 0;
    for (; i < f.size(); ++i) {
        if (f[i] == "#") return true;  // matches the parent level too
        if (i >= t.size()) return false;
        if (f[i] != "+" && f[i] != t[i]) return false;
    }
    return i == t.size();
}

std::optional<RemapRule> parse_rule(std::string_view line, std::string* error) {
    auto fail = [&](const char* why) -> std::optional<RemapRule> {
        if (error) *error = why;
        return std::nullopt;
    };
    auto f = split_fields(line);
    if (f.empty() || f.size() > 5) return fail("expected: pattern [direction [qos [local [remote]]]]");
    RemapRule r;
    r.pattern = f[0];
    if (f.size() > 1) {
        if (f[1] == "out") {
            r.direction = Direction::Out;
        } else if (f[1] == "in") {
            r.direction = Direction::In;
        } else if (f[1] == "both") {
            r.direction = Direction::Both;
        } else {
            return fail("direction must be out, in or both");
        }
    }
    if (f.size() > 2) {
        if (f[2] != "0" && f[2] != "1" && f[2] != "2") return fail("qos must be 0, 1 or 2");
        r.qos = static_cast<std::uint8_t>(f[2][0] - '0');
    }
    if (f.size() > 3) r.local_prefix = f[3];
    if (f.size() > 4) r.remote_prefix = f[4];
    if (r.pattern.empty()) return fail("pattern must not be empty");
    return r;
}

std::optional<Remapped> map_outbound(const std::vector<RemapRule>& rules, std::string_view topic) {
    return remap(rules, topic, true);
}

std::optional<Remapped> map_inbound(const std::vector<RemapRule>& rules, std::string_view topic) {
    return remap(rules, topic, false);
}

std::vector<std::pair<std::string, std::uint8_t>> remote_subscriptions(
    const std::vector<RemapRule>& rules) {
    return filters(rules, Direction::In, true);
}

std::vector<std::pair<std::string, std::uint8_t>> local_subscriptions(
    const std::vector<RemapRule>& rules) {
    return filters(rules, Direction::Out, false);
}

}  // namespace sy::bridge

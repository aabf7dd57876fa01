#pragma once
// Pure topic-remapping rules for bridges, with Mosquitto's bridge semantics: a rule names a
// pattern, a direction and optional local and remote prefixes. A local topic is forwarded when
// it starts with the local prefix and the rest matches the pattern; the prefix is swapped for
// the remote one. Incoming topics map back the same way. No Paho, no I/O.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sy::bridge {

enum class Direction : std::uint8_t { Out, In, Both };

struct RemapRule {
    std::string pattern;        // MQTT filter, e.g. "sensors/#"
    Direction direction = Direction::Out;
    std::uint8_t qos = 1;
    std::string local_prefix;   // e.g. "site1/"
    std::string remote_prefix;  // e.g. "plants/site1/"
};

struct Remapped {
    std::string topic;
    std::uint8_t qos;
};

// Parses one rule in Mosquitto's "topic" line form: `pattern [out|in|both [qos [local
// [remote]]]]`. A prefix of "" may be written as "" to reach the next field.
std::optional<RemapRule> parse_rule(std::string_view line, std::string* error = nullptr);

// The remote topic a local publish goes to, from the first outbound rule that matches.
std::optional<Remapped> map_outbound(const std::vector<RemapRule>& rules, std::string_view topic);
// The local topic an upstream publish arrives as, from the first inbound rule that matches.
std::optional<Remapped> map_inbound(const std::vector<RemapRule>& rules, std::string_view topic);

// The filters to subscribe to upstream (inbound rules, remote prefix applied).
std::vector<std::pair<std::string, std::uint8_t>> remote_subscriptions(
    const std::vector<RemapRule>& rules);
// The local filters the bridge consumes (outbound rules, local prefix applied).
std::vector<std::pair<std::string, std::uint8_t>> local_subscriptions(
    const std::vector<RemapRule>& rules);

// MQTT filter matching on '/'-separated topics, $-rule applied.
bool mqtt_filter_matches(std::string_view filter, std::string_view topic);

}  // namespace sy::bridge

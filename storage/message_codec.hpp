#pragma once
// The binary forms the store keeps on disk: a core::Message (the body of a `messages` row),
// header tables (queue, exchange and binding arguments) and MQTT session state.
//
// Compact (varints, no field names) and versioned: every blob starts with a format byte, so a
// later format can be read next to this one. Decoding reads disk data, which may be torn or
// corrupt: it checks every length, tag and range and returns an error, never trusts a count.

#include "core/model/message.hpp"

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sy::storage {

// The first byte of every blob below.
inline constexpr std::uint8_t kCodecFormatV1 = 1;

// Appends the encoding to out (not cleared first, so a writer can reuse one buffer).
void encode_message(const core::Message& message, std::string& out);
std::string encode_message(const core::Message& message);
std::expected<core::Message, std::string> decode_message(std::string_view bytes);

void encode_headers(const core::Headers& headers, std::string& out);
std::string encode_headers(const core::Headers& headers);
std::expected<core::Headers, std::string> decode_headers(std::string_view bytes);

using MqttSubscriptions = std::vector<std::pair<std::string, std::uint8_t>>;  // filter, QoS
std::string encode_subscriptions(const MqttSubscriptions& subscriptions);
std::expected<MqttSubscriptions, std::string> decode_subscriptions(std::string_view bytes);

std::string encode_packet_ids(const std::vector<std::uint16_t>& ids);
std::expected<std::vector<std::uint16_t>, std::string> decode_packet_ids(std::string_view bytes);
// Outbound QoS 2 state of an MQTT session: (packet id, message id) pairs.
std::string encode_outbound_qos2(const std::vector<std::pair<std::uint16_t, std::uint64_t>>& v);
std::expected<std::vector<std::pair<std::uint16_t, std::uint64_t>>, std::string>
decode_outbound_qos2(std::string_view bytes);

}  // namespace sy::storage

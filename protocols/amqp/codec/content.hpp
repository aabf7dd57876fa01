#pragma once
// Private to the codec: the content header frame (section 4.2.6) and the frames a
// content-carrying method is sent as.

#include <cstdint>
#include <span>

#include "protocols/amqp/codec/frames.hpp"
#include "protocols/amqp/codec/wire.hpp"
#include "protocols/common/byte_writer.hpp"

namespace sy::amqp::detail {

// Reads a content header frame's payload: class id (basic only), weight (zero), body size,
// property flags, then the properties the flags announce.
Fault read_content_header(std::span<const std::byte> payload, TableBudget& budget,
                          ContentHeader& out);

void write_content_header(ByteWriter& out, std::uint16_t channel, std::uint16_t class_id,
                          std::uint64_t body_size, const BasicProperties& props);

}  // namespace sy::amqp::detail

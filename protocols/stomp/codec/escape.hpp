#pragma once
// Header escaping (STOMP 1.1 and 1.2, "Value Encoding"), shared by the decoder and encoder.

#include <string>
#include <string_view>

#include "protocols/common/byte_writer.hpp"
#include "protocols/stomp/codec/frame.hpp"

namespace sy::stomp::detail {

// Whether headers of this command are escaped at this version.
constexpr bool escapes(Command command, Version version) {
    return version != Version::V1_0 && !is_connect_frame(command);
}

// Undoes escaping into out. False for an escape the version does not define: 1.1 and 1.2
// both call that a fatal protocol error.
bool unescape(std::string_view raw, Version version, std::string& out);

// Appends s with the characters the version escapes replaced.
void escape(std::string_view s, Version version, ByteWriter& out);

}  // namespace sy::stomp::detail

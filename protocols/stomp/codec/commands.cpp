// Command and version names, and the decoder's error texts.

#include <array>

#include "protocols/stomp/codec/codec.hpp"

namespace sy::stomp {
namespace {

constexpr std::array<std::string_view, 15> kCommandNames = {
    "CONNECT", "STOMP",  "SEND",       "SUBSCRIBE", "UNSUBSCRIBE", "ACK",     "NACK",  "BEGIN",
    "COMMIT",  "ABORT",  "DISCONNECT", "CONNECTED", "MESSAGE",     "RECEIPT", "ERROR",
};

}  // namespace

std::string_view to_string(Version v) {
    switch (v) {
    case Version::V1_0: return "1.0";
    case Version::V1_1: return "1.1";
    case Version::V1_2: return "1.2";
    }
    return "1.2";
}

std::string_view to_string(Command c) { return kCommandNames[static_cast<std::size_t>(c)]; }

std::optional<Command> parse_command(std::string_view name) {
    for (std::size_t i = 0; i < kCommandNames.size(); ++i) {
        if (kCommandNames[i] == name) return static_cast<Command>(i);
    }
    return std::nullopt;
}

const char* message(DecodeError error) {
    switch (error) {
    case DecodeError::None: return "no error";
    case DecodeError::UnknownCommand: return "unknown command";
    case DecodeError::FrameTooLarge: return "frame too large";
    case DecodeError::HeaderTooLong: return "header line too long";
    case DecodeError::TooManyHeaders: return "too many headers";
    case DecodeError::MissingColon: return "header line without ':'";
    case DecodeError::EmptyHeaderName: return "empty header name";
    case DecodeError::BadEscape: return "undefined escape sequence in a header";
    case DecodeError::BadCarriageReturn: return "carriage return outside a line ending";
    case DecodeError::NulInHeaders: return "frame ended inside its headers";
    case DecodeError::BadContentLength: return "invalid content-length";
    case DecodeError::MissingNul: return "frame body not terminated by NUL after content-length";
    }
    return "malformed frame";
}

}  // namespace sy::stomp

#pragma once
// AMQP 0-9-1 wire constants (spec section 4.2 and the "Constants" table of amqp0-9-1.xml):
// frame types, the frame-end octet, class ids and reply codes.

#include <cstddef>
#include <cstdint>

namespace sy::amqp {

enum class FrameType : std::uint8_t { Method = 1, Header = 2, Body = 3, Heartbeat = 8 };

inline constexpr std::uint8_t kFrameEnd = 0xCE;
// Type (1) + channel (2) + payload size (4) before the payload, frame-end (1) after it.
inline constexpr std::size_t kFrameHeaderSize = 7;
inline constexpr std::size_t kFrameOverhead = kFrameHeaderSize + 1;
// Every peer must accept frames this large before frame-max is negotiated (section 4.2.3).
inline constexpr std::uint32_t kFrameMinSize = 4096;

inline constexpr std::uint16_t kConnectionClass = 10;
inline constexpr std::uint16_t kChannelClass = 20;
inline constexpr std::uint16_t kExchangeClass = 40;
inline constexpr std::uint16_t kQueueClass = 50;
inline constexpr std::uint16_t kBasicClass = 60;
inline constexpr std::uint16_t kConfirmClass = 85;  // RabbitMQ extension
inline constexpr std::uint16_t kTxClass = 90;

// Reply codes for connection.close and channel.close. Those marked "connection" close the
// whole connection; the others close one channel.
namespace reply {
inline constexpr std::uint16_t kSuccess = 200;
inline constexpr std::uint16_t kContentTooLarge = 311;     // channel
inline constexpr std::uint16_t kNoRoute = 312;             // basic.return for mandatory
inline constexpr std::uint16_t kNoConsumers = 313;         // basic.return for immediate
inline constexpr std::uint16_t kConnectionForced = 320;    // connection
inline constexpr std::uint16_t kInvalidPath = 402;         // connection
inline constexpr std::uint16_t kAccessRefused = 403;       // channel
inline constexpr std::uint16_t kNotFound = 404;            // channel
inline constexpr std::uint16_t kResourceLocked = 405;      // channel
inline constexpr std::uint16_t kPreconditionFailed = 406;  // channel
inline constexpr std::uint16_t kFrameError = 501;          // connection
inline constexpr std::uint16_t kSyntaxError = 502;         // connection
inline constexpr std::uint16_t kCommandInvalid = 503;      // connection
inline constexpr std::uint16_t kChannelError = 504;        // connection
inline constexpr std::uint16_t kUnexpectedFrame = 505;     // connection
inline constexpr std::uint16_t kResourceError = 506;       // connection
inline constexpr std::uint16_t kNotAllowed = 530;          // connection
inline constexpr std::uint16_t kNotImplemented = 540;      // connection
inline constexpr std::uint16_t kInternalError = 541;       // connection
}  // namespace reply

}  // namespace sy::amqp

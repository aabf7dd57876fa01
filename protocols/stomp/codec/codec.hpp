#pragma once
// Sans-I/O STOMP 1.0/1.1/1.2 codec: bytes in, frames out, and back. No sockets, clocks,
// logging, global state or exceptions, and nothing from core, so it can be fuzzed on its own.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "protocols/common/byte_writer.hpp"
#include "protocols/stomp/codec/frame.hpp"

namespace sy::stomp {

enum class DecodeStatus : std::uint8_t {
    Complete,   // out holds a frame; consumed says how many bytes it took (its NUL included)
    NeedMore,   // a prefix of a frame: call again with the same bytes and more appended
    Heartbeat,  // only end-of-lines (heart-beats, or the EOLs after a frame's NUL) were read;
                // consumed says how many
    Malformed,
    Unsupported,  // an unknown command
    TooLarge,     // a frame, header line or header count limit was passed
};

// What went wrong, precisely; message(error) is the text for an ERROR frame.
enum class DecodeError : std::uint8_t {
    None,
    UnknownCommand,
    FrameTooLarge,
    HeaderTooLong,
    TooManyHeaders,
    MissingColon,      // a header line without ':'
    EmptyHeaderName,
    BadEscape,         // an escape the version does not define, or a lone trailing '\'
    BadCarriageReturn, // a CR that is not part of a CRLF line ending
    NulInHeaders,      // the frame ended (NUL) before the blank line that ends its headers
    BadContentLength,  // not a decimal number
    MissingNul,        // content-length bytes were not followed by the frame's NUL
};

const char* message(DecodeError error);

struct DecodeResult {
    DecodeStatus status = DecodeStatus::NeedMore;
    std::size_t consumed = 0;  // for Complete and Heartbeat; 0 otherwise
    DecodeError error = DecodeError::None;
};

struct DecoderLimits {
    // The whole frame: command line, headers, body and the NUL (leading EOLs not counted).
    std::size_t max_frame_size = 16u << 20;
    std::size_t max_headers = 1000;         // header lines, repeats included
    std::size_t max_header_length = 65536;  // one header line as received, EOL excluded
};

// Incremental decoder. It remembers how far it has read into a frame that is not complete
// yet, so a large frame arriving in many reads is scanned once: after NeedMore, the next call
// must pass the same bytes again with more appended (what a read loop with a buffer does).
// Any other result starts afresh at the next call; reset() does so by hand.
class Decoder {
public:
    explicit Decoder(DecoderLimits limits = {}) : limits_(limits) {}

    // How headers of frames other than CONNECT/STOMP/CONNECTED are unescaped. A server
    // decoder is switched to the negotiated version after CONNECT.
    void set_version(Version v) { version_ = v; }
    Version version() const { return version_; }
    const DecoderLimits& limits() const { return limits_; }

    // Decodes at most one frame, or a run of heart-beat EOLs, from the front of input.
    // Errors report consumed = 0: the connection ends, so there is nothing to skip.
    //
    // Lines end with LF or CRLF in every version (a CR elsewhere in the command or a header
    // line is an error: 1.2 requires it escaped, and 1.0/1.1 could not send it back). A raw
    // ':' after the first one in a header line is taken as part of the value, as brokers do.
    // Left to the session: which commands a client may send, required headers, body on frames
    // that should have none, header values (ack modes, ids, numbers).
    DecodeResult decode(std::span<const std::byte> input, Frame& out);

    void reset();

private:
    DecodeResult fail(DecodeStatus status, DecodeError error);
    DecodeResult read_headers(std::string_view in);
    DecodeResult read_body(std::string_view in, Frame& out);
    DecodeError add_header(std::string_view line);

    DecoderLimits limits_;
    Version version_ = Version::V1_2;
    // The frame being read.
    bool in_frame_ = false;
    bool headers_done_ = false;
    std::size_t line_start_ = 0;  // start of the first line not read yet
    std::size_t header_lines_ = 0;
    std::size_t body_start_ = 0;
    std::size_t body_scanned_ = 0;  // bytes from body_start_ known to hold no NUL
    bool has_length_ = false;
    std::size_t content_length_ = 0;
    Frame frame_;
};

// A header as the encoder takes it: borrowed, so deliveries need not copy into a Frame.
struct HeaderRef {
    std::string_view name;
    std::string_view value;
};

// Appends one frame: command, headers escaped for version (never for CONNECT/STOMP/
// CONNECTED), a blank line, the body and a NUL. Headers are written as given: a body holding
// NULs needs a content-length header, which the caller adds. Preconditions, which decoded
// frames always meet: every header is encodable() for the command and version.
void encode(Command command, std::span<const HeaderRef> headers, std::string_view body,
            Version version, ByteWriter& out);
void encode(const Frame& frame, Version version, ByteWriter& out);

// A heart-beat: one EOL.
void encode_heartbeat(ByteWriter& out);

// Whether a header survives encoding for that command and version: a non-empty name, and
// where nothing is escaped no ':' in the name, no LF or CR anywhere; 1.1 cannot carry a CR.
bool encodable(std::string_view name, std::string_view value, Command command, Version version);

}  // namespace sy::stomp

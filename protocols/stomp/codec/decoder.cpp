// The incremental decoder: heart-beat EOLs, the command line, header lines as they arrive,
// then a body measured by content-length or ended by the first NUL.

#include <algorithm>
#include <cstring>
#include <limits>

#include "protocols/stomp/codec/codec.hpp"
#include "protocols/stomp/codec/escape.hpp"

namespace sy::stomp {
namespace {

// A line without its LF and the one CR that may come before it.
std::string_view trim_eol(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

bool parse_length(std::string_view text, std::size_t& out) {
    if (text.empty() || text.size() > 19) return false;
    std::size_t v = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + static_cast<std::size_t>(c - '0');
    }
    out = v;
    return true;
}

}  // namespace

void Decoder::reset() {
    in_frame_ = false;
    headers_done_ = false;
    line_start_ = 0;
    header_lines_ = 0;
    body_start_ = 0;
    body_scanned_ = 0;
    has_length_ = false;
    content_length_ = 0;
    frame_ = Frame{};
}

DecodeResult Decoder::fail(DecodeStatus status, DecodeError error) {
    reset();
    return DecodeResult{status, 0, error};
}

DecodeResult Decoder::decode(std::span<const std::byte> input, Frame& out) {
    const std::string_view in(reinterpret_cast<const char*>(input.data()), input.size());
    // A caller that did not keep the bytes of the frame in progress gets a fresh start rather
    // than offsets into bytes that are gone.
    if (in_frame_ && in.size() < std::max(line_start_, body_start_ + body_scanned_)) reset();
    if (!in_frame_) {
        // EOLs between frames: heart-beats, and the optional EOLs after a frame's NUL.
        std::size_t i = 0;
        while (i < in.size()) {
            if (in[i] == '\n') {
                ++i;
            } else if (in[i] == '\r' && i + 1 < in.size() && in[i + 1] == '\n') {
                i += 2;
            } else {
                break;
            }
        }
        if (i > 0) return DecodeResult{DecodeStatus::Heartbeat, i, DecodeError::None};
        if (in.empty() || in == "\r") return DecodeResult{};
        in_frame_ = true;
    }
    if (!headers_done_) {
        DecodeResult r = read_headers(in);
        if (!headers_done_) return r;
    }
    return read_body(in, out);
}

DecodeResult Decoder::read_headers(std::string_view in) {
    // Nothing past the frame limit is ever looked at, and nothing past a header line's
    // limit: whatever the reads were, the same bytes decide the same outcome.
    const std::string_view window = in.substr(0, limits_.max_frame_size);
    const std::size_t cap = limits_.max_header_length + 2;  // the line, a CR and the LF
    while (true) {
        const std::string_view scan = window.substr(line_start_, cap);
        const auto* nl = static_cast<const char*>(std::memchr(scan.data(), '\n', scan.size()));
        const std::size_t line_len = nl ? static_cast<std::size_t>(nl - scan.data()) : scan.size();
        const std::string_view raw = scan.substr(0, line_len);
        // A NUL before the blank line: the frame ended without finishing its headers.
        if (std::memchr(raw.data(), '\0', raw.size()) != nullptr) {
            return fail(DecodeStatus::Malformed, DecodeError::NulInHeaders);
        }
        if (!nl) {
            if (scan.size() == cap) return fail(DecodeStatus::TooLarge, DecodeError::HeaderTooLong);
            if (in.size() >= limits_.max_frame_size) {
                return fail(DecodeStatus::TooLarge, DecodeError::FrameTooLarge);
            }
            return DecodeResult{};
        }
        const std::string_view line = trim_eol(raw);
        if (line.size() > limits_.max_header_length) {
            return fail(DecodeStatus::TooLarge, DecodeError::HeaderTooLong);
        }
        if (line.find('\r') != std::string_view::npos) {
            return fail(DecodeStatus::Malformed, DecodeError::BadCarriageReturn);
        }
        const bool first = line_start_ == 0;
        line_start_ += line_len + 1;
        // The frame's NUL still has to come after this line.
        if (line_start_ >= limits_.max_frame_size) {
            return fail(DecodeStatus::TooLarge, DecodeError::FrameTooLarge);
        }
        if (first) {
            auto command = parse_command(line);
            if (!command) return fail(DecodeStatus::Unsupported, DecodeError::UnknownCommand);
            frame_.command = *command;
            continue;
        }
        if (line.empty()) {
            headers_done_ = true;
            body_start_ = line_start_;
            return DecodeResult{};
        }
        if (++header_lines_ > limits_.max_headers) {
            return fail(DecodeStatus::TooLarge, DecodeError::TooManyHeaders);
        }
        if (DecodeError e = add_header(line); e != DecodeError::None) {
            const bool too_large = e == DecodeError::FrameTooLarge;
            return fail(too_large ? DecodeStatus::TooLarge : DecodeStatus::Malformed, e);
        }
    }
}

DecodeError Decoder::add_header(std::string_view line) {
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return DecodeError::MissingColon;
    if (colon == 0) return DecodeError::EmptyHeaderName;
    const std::string_view raw_name = line.substr(0, colon);
    const std::string_view raw_value = line.substr(colon + 1);
    std::string name;
    std::string value;
    if (detail::escapes(frame_.command, version_)) {
        if (!detail::unescape(raw_name, version_, name) ||
            !detail::unescape(raw_value, version_, value)) {
            return DecodeError::BadEscape;
        }
    } else {
        name.assign(raw_name);
        value.assign(raw_value);
    }
    // Repeated headers: the first one counts [STOMP 1.2 "Repeated Header Entries"].
    if (frame_.header(name) != nullptr) return DecodeError::None;
    if (name == "content-length") {
        if (!parse_length(value, content_length_)) return DecodeError::BadContentLength;
        // Refused from the header alone, before any of the body is buffered.
        if (content_length_ >= limits_.max_frame_size - line_start_) {
            return DecodeError::FrameTooLarge;
        }
        has_length_ = true;
    }
    frame_.headers.emplace_back(std::move(name), std::move(value));
    return DecodeError::None;
}

DecodeResult Decoder::read_body(std::string_view in, Frame& out) {
    std::size_t end = 0;  // index of the frame's NUL
    if (has_length_) {
        end = body_start_ + content_length_;
        if (end >= limits_.max_frame_size) {
            return fail(DecodeStatus::TooLarge, DecodeError::FrameTooLarge);
        }
        if (in.size() <= end) return DecodeResult{};
        if (in[end] != '\0') return fail(DecodeStatus::Malformed, DecodeError::MissingNul);
    } else {
        const std::size_t from = body_start_ + body_scanned_;
        const std::size_t until = std::min(in.size(), limits_.max_frame_size);
        const auto* nul =
            static_cast<const char*>(std::memchr(in.data() + from, '\0', until - from));
        if (!nul) {
            body_scanned_ = until - body_start_;
            if (in.size() >= limits_.max_frame_size) {
                return fail(DecodeStatus::TooLarge, DecodeError::FrameTooLarge);
            }
            return DecodeResult{};
        }
        end = static_cast<std::size_t>(nul - in.data());
        if (end >= limits_.max_frame_size) {
            return fail(DecodeStatus::TooLarge, DecodeError::FrameTooLarge);
        }
    }
    frame_.body.assign(in.substr(body_start_, end - body_start_));
    out = std::move(frame_);
    reset();
    return DecodeResult{DecodeStatus::Complete, end + 1, DecodeError::None};
}

}  // namespace sy::stomp

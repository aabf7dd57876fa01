#include "protocols/amqp/connection.hpp"

#include <spdlog/spdlog.h>

#include "core/model/clock.hpp"
#include "protocols/amqp/channel.hpp"
#include "protocols/amqp/server.hpp"

namespace sy::amqp {
namespace {

constexpr std::string_view kServerVersion = "0.1.0";

// A peer that sent connection.close-ok late (or never) is cut off after this.
constexpr std::int64_t kCloseOkTimeoutMs = 3'000;

const char* code_name(std::uint16_t code) {
    switch (code) {
    case reply::kSuccess: return "";
    case reply::kContentTooLarge: return "CONTENT_TOO_LARGE";
    case reply::kNoRoute: return "NO_ROUTE";
    case reply::kNoConsumers: return "NO_CONSUMERS";
    case reply::kConnectionForced: return "CONNECTION_FORCED";
    case reply::kInvalidPath: return "INVALID_PATH";
    case reply::kAccessRefused: return "ACCESS_REFUSED";
    case reply::kNotFound: return "NOT_FOUND";
    case reply::kResourceLocked: return "RESOURCE_LOCKED";
    case reply::kPreconditionFailed: return "PRECONDITION_FAILED";
    case reply::kFrameError: return "FRAME_ERROR";
    case reply::kSyntaxError: return "SYNTAX_ERROR";
    case reply::kCommandInvalid: return "COMMAND_INVALID";
    case reply::kChannelError: return "CHANNEL_ERROR";
    case reply::kUnexpectedFrame: return "UNEXPECTED_FRAME";
    case reply::kResourceError: return "RESOURCE_ERROR";
    case reply::kNotAllowed: return "NOT_ALLOWED";
    case reply::kNotImplemented: return "NOT_IMPLEMENTED";
    case reply::kInternalError: return "INTERNAL_ERROR";
    default: return "ERROR";
    }
}

FieldTable server_properties() {
    FieldTable caps{
        {"publisher_confirms", FieldValue(true)},
        {"exchange_exchange_bindings", FieldValue(true)},
        {"basic.nack", FieldValue(true)},
        {"consumer_cancel_notify", FieldValue(true)},
        {"connection.blocked", FieldValue(true)},
        {"authentication_failure_close", FieldValue(true)},
        {"per_consumer_qos", FieldValue(true)},
    };
    return FieldTable{
        {"capabilities", FieldValue(std::move(caps))},
        {"product", FieldValue(std::string("Switchyard"))},
        {"version", FieldValue(std::string(kServerVersion))},
        {"platform", FieldValue(std::string("C++ / libwebsockets"))},
        {"information", FieldValue(std::string("Switchyard IoT gateway broker"))},
        {"cluster_name", FieldValue(std::string("switchyard"))},
    };
}

bool table_flag(const FieldTable& t, std::string_view name) {
    const auto* v = find_field(t, name);
    const auto* b = v ? std::get_if<bool>(v) : nullptr;
    return b && *b;
}

// AMQPLAIN's response is a field table without its length prefix.
bool parse_amqplain(const std::string& response, std::string& user) {
    // Read it back as one table value: 'F', the length, then the entries.
    ByteWriter v;
    v.u8('F');
    v.u32(static_cast<std::uint32_t>(response.size()));
    v.bytes(response);
    FieldValue value;
    if (!decode_field_value(v.view(), value)) return false;
    const auto* table = std::get_if<FieldTable>(&value);
    if (!table) return false;
    const auto* login = find_field(*table, "LOGIN");
    const auto* s = login ? std::get_if<std::string>(login) : nullptr;
    if (!s) return false;
    user = *s;
    return true;
}

// PLAIN: authzid NUL authcid NUL password.
bool parse_plain(const std::string& response, std::string& user) {
    auto first = response.find('\0');
    if (first == std::string::npos) return false;
    auto second = response.find('\0', first + 1);
    if (second == std::string::npos) return false;
    user = response.substr(first + 1, second - first - 1);
    return true;
}

}  // namespace

std::string reply_text(std::uint16_t code, const std::string& detail) {
    std::string out = code_name(code);
    if (!detail.empty()) {
        out += " - ";
        out += detail;
    }
    if (out.size() > 255) out.resize(255);  // shortstr
    return out;
}

Connection::Connection(Server& server, transport::Transport& transport)
    : server_(server), transport_(transport),
      decoder_(DecoderLimits{kFrameMinSize, 16, 8192}),
      name_("amqp-" + std::to_string(server.next_connection_number())),
      opened_ms_(core::now_ms()), last_rx_ms_(opened_ms_), last_tx_ms_(opened_ms_) {
    server_.connection_opened(this);
}

Connection::~Connection() {
    shutdown_channels();
    server_.output_done(this);
    server_.connection_closed(this);
}

void Connection::shutdown_channels() {
    // Shut down before destroying: a channel's shutdown can reach other channels (a queue it
    // auto-deletes cancels their consumers).
    for (auto& [id, ch] : channels_) ch->shutdown();
    channels_.clear();
}

void Connection::on_data(std::span<const std::byte> bytes) {
    if (state_ == State::Closed) return;
    last_rx_ms_ = core::now_ms();
    in_.insert(in_.end(), bytes.begin(), bytes.end());
    in_input_ = true;
    while (state_ != State::Closed) {
        std::span<const std::byte> avail(in_.data() + in_off_, in_.size() - in_off_);
        if (avail.empty()) break;
        if (state_ == State::AwaitHeader) {
            auto h = read_protocol_header(avail);
            if (h.status == HeaderStatus::NeedMore) break;
            if (h.status != HeaderStatus::Supported) {
                // Section 4.2.2: answer with the header we speak, then close.
                encode_protocol_header(out_);
                close_transport();
                break;
            }
            in_off_ += h.consumed;
            ConnectionStart start;
            start.server_properties = server_properties();
            start.mechanisms = "PLAIN AMQPLAIN";
            start.locales = "en_US";
            send_method(0, start);
            state_ = State::AwaitStartOk;
            continue;
        }
        Frame frame;
        auto r = decoder_.decode(avail, frame);
        if (r.status == DecodeStatus::NeedMore) break;
        if (r.status != DecodeStatus::Complete) {
            Error e{r.reply_code, r.error ? r.error : "malformed frame", r.class_id, r.method_id};
            connection_error(e);
            break;
        }
        in_off_ += r.consumed;
        handle_frame(frame);
    }
    // Compact what was consumed.
    if (in_off_ == in_.size()) {
        in_.clear();
        in_off_ = 0;
    } else if (in_off_ > 65536 && in_off_ * 2 > in_.size()) {
        in_.erase(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(in_off_));
        in_off_ = 0;
    }
    in_input_ = false;
    flush_output();
}

void Connection::flush_output() {
    if (out_.empty() || state_ == State::Closed) {
        if (state_ == State::Closed) out_.clear();
        return;
    }
    transport_.send(out_.view());
    out_.clear();
    last_tx_ms_ = core::now_ms();
}

void Connection::send_method(std::uint16_t channel, const Method& method) {
    encode_method(channel, method, out_);
    wrote();
}

void Connection::wrote() {
    if (!in_input_) server_.output_pending(this);
}

void Connection::handle_frame(Frame& frame) {
    if (std::holds_alternative<Heartbeat>(frame)) return;
    std::uint16_t channel = std::visit([](const auto& f) -> std::uint16_t {
        if constexpr (std::is_same_v<std::decay_t<decltype(f)>, Heartbeat>) {
            return 0;
        } else {
            return f.channel;
        }
    }, frame);

    if (state_ == State::Closing) {
        // Section 2.2.4: after sending close, discard everything until close-ok.
        auto* mf = std::get_if<MethodFrame>(&frame);
        if (!mf || channel != 0) return;
        if (std::holds_alternative<ConnectionCloseOk>(mf->method)) {
            close_transport();
        } else if (std::holds_alternative<ConnectionClose>(mf->method)) {
            send_method(0, ConnectionCloseOk{});
            close_transport();
        }
        return;
    }
    if (channel == 0) {
        auto* mf = std::get_if<MethodFrame>(&frame);
        if (!mf) {
            connection_error(error(reply::kUnexpectedFrame, "content frame on channel 0"));
            return;
        }
        if (class_id(mf->method) != kConnectionClass) {
            connection_error(Error{reply::kCommandInvalid,
                                   std::string("method ") + method_name(mf->method) +
                                       " on channel 0",
                                   class_id(mf->method), method_id(mf->method)});
            return;
        }
        handle_connection_method(mf->method);
        return;
    }
    if (state_ != State::Open) {
        connection_error(error(reply::kChannelError, "channel frame before connection.open"));
        return;
    }
    handle_channel_frame(frame, channel);
}

void Connection::handle_channel_frame(Frame& frame, std::uint16_t channel) {
    auto* mf = std::get_if<MethodFrame>(&frame);
    if (mf && class_id(mf->method) == kConnectionClass) {
        connection_error(Error{reply::kCommandInvalid,
                               std::string(method_name(mf->method)) + " on a channel other than 0",
                               class_id(mf->method), method_id(mf->method)});
        return;
    }
    if (closing_channels_.contains(channel)) {
        // Section 2.2.4 for channels: only close-ok (or a crossing close) counts.
        if (!mf) return;
        if (std::holds_alternative<ChannelCloseOk>(mf->method)) {
            closing_channels_.erase(channel);
        } else if (std::holds_alternative<ChannelClose>(mf->method)) {
            send_method(channel, ChannelCloseOk{});
        }
        return;
    }
    auto it = channels_.find(channel);
    if (it == channels_.end()) {
        if (mf && std::holds_alternative<ChannelOpen>(mf->method)) {
            if (channel > channel_max_) {
                connection_error(Error{reply::kChannelError,
                                       "channel " + std::to_string(channel) +
                                           " is above channel_max " + std::to_string(channel_max_),
                                       kChannelClass, ChannelOpen::kMethodId});
                return;
            }
            channels_.emplace(channel, std::make_unique<Channel>(*this, channel));
            send_method(channel, ChannelOpenOk{});
            return;
        }
        if (mf && std::holds_alternative<ChannelCloseOk>(mf->method)) return;
        Error e{reply::kChannelError, "expected 'channel.open' on channel " +
                                          std::to_string(channel)};
        if (mf) {
            e.class_id = class_id(mf->method);
            e.method_id = method_id(mf->method);
        }
        connection_error(e);
        return;
    }
    if (mf && std::holds_alternative<ChannelOpen>(mf->method)) {
        connection_error(Error{reply::kChannelError, "second 'channel.open' seen", kChannelClass,
                               ChannelOpen::kMethodId});
        return;
    }
    if (mf && std::holds_alternative<ChannelClose>(mf->method)) {
        auto ch = std::move(it->second);
        channels_.erase(it);
        ch->shutdown();
        send_method(channel, ChannelCloseOk{});
        return;
    }
    if (mf && std::holds_alternative<ChannelCloseOk>(mf->method)) return;  // stray; ignore
    Error e = it->second->handle(frame);
    if (e) fail(channel, e);
}

void Connection::fail(std::uint16_t channel, const Error& e) {
    if (state_ == State::Closing || state_ == State::Closed) return;
    if (channel == 0 || !is_channel_error(e.code)) {
        connection_error(e);
        return;
    }
    spdlog::debug("[amqp {} {}] channel {} closed: {} {}", name_, transport_.peer(), channel,
                  e.code, e.text);
    auto it = channels_.find(channel);
    if (it != channels_.end()) {
        auto ch = std::move(it->second);
        channels_.erase(it);
        ch->shutdown();
    }
    closing_channels_.insert(channel);
    send_method(channel,
                ChannelClose{e.code, reply_text(e.code, e.text), e.class_id, e.method_id});
}

void Connection::connection_error(const Error& e) {
    if (state_ == State::Closing || state_ == State::Closed) return;
    spdlog::info("[amqp {} {}] connection closed: {} {}", name_, transport_.peer(), e.code,
                 e.text);
    const bool handshake = state_ == State::AwaitStartOk || state_ == State::AwaitHeader;
    shutdown_channels();
    if (handshake && !caps_.authentication_failure_close) {
        // Before start-ok the spec has no way to tell the client; just close.
        close_transport();
        return;
    }
    send_method(0, ConnectionClose{e.code, reply_text(e.code, e.text), e.class_id, e.method_id});
    state_ = State::Closing;
    closing_since_ms_ = core::now_ms();
}

void Connection::close_transport() {
    if (state_ == State::Closed) return;
    flush_output();
    state_ = State::Closed;
    transport_.close();
}

void Connection::handle_connection_method(Method& method) {
    const auto cid = class_id(method);
    const auto mid = method_id(method);
    auto unexpected = [&] {
        connection_error(Error{reply::kCommandInvalid,
                               std::string("unexpected ") + method_name(method), cid, mid});
    };
    switch (state_) {
    case State::AwaitStartOk:
        if (auto* m = std::get_if<ConnectionStartOk>(&method)) return handle_start_ok(*m);
        return unexpected();
    case State::AwaitTuneOk:
        if (auto* m = std::get_if<ConnectionTuneOk>(&method)) return handle_tune_ok(*m);
        return unexpected();
    case State::AwaitOpen:
        if (auto* m = std::get_if<ConnectionOpen>(&method)) return handle_open(*m);
        return unexpected();
    case State::Open:
        break;
    default:
        return;
    }
    if (std::holds_alternative<ConnectionClose>(method)) {
        shutdown_channels();
        send_method(0, ConnectionCloseOk{});
        close_transport();
        return;
    }
    if (std::holds_alternative<ConnectionCloseOk>(method)) return;  // nothing pending; ignore
    if (auto* m = std::get_if<ConnectionUpdateSecret>(&method)) {
        (void)m;
        send_method(0, ConnectionUpdateSecretOk{});
        return;
    }
    unexpected();
}

void Connection::handle_start_ok(ConnectionStartOk& m) {
    if (const auto* caps = find_field(m.client_properties, "capabilities")) {
        if (const auto* t = std::get_if<FieldTable>(caps)) {
            caps_.consumer_cancel_notify = table_flag(*t, "consumer_cancel_notify");
            caps_.connection_blocked = table_flag(*t, "connection.blocked");
            caps_.authentication_failure_close = table_flag(*t, "authentication_failure_close");
        }
    }
    bool ok = false;
    if (m.mechanism == "PLAIN") {
        ok = parse_plain(m.response, user_);
    } else if (m.mechanism == "AMQPLAIN") {
        ok = parse_amqplain(m.response, user_);
    } else {
        connection_error(Error{reply::kCommandInvalid,
                               "unknown authentication mechanism '" + m.mechanism + "'",
                               kConnectionClass, ConnectionStartOk::kMethodId});
        return;
    }
    if (!ok) {
        // The credentials could not even be read: refused, as RabbitMQ refuses bad ones.
        connection_error(Error{reply::kAccessRefused,
                               "Login was refused using authentication mechanism " + m.mechanism,
                               kConnectionClass, ConnectionStartOk::kMethodId});
        return;
    }
    const auto& opt = server_.options();
    send_method(0, ConnectionTune{opt.channel_max, opt.frame_max, opt.heartbeat_s});
    state_ = State::AwaitTuneOk;
}

void Connection::handle_tune_ok(const ConnectionTuneOk& m) {
    const auto& opt = server_.options();
    const std::uint32_t frame_max = m.frame_max == 0 ? opt.frame_max : m.frame_max;
    if (frame_max < kFrameMinSize) {
        connection_error(Error{reply::kNotAllowed,
                               "frame_max=" + std::to_string(frame_max) + " < " +
                                   std::to_string(kFrameMinSize) + " min size",
                               kConnectionClass, ConnectionTuneOk::kMethodId});
        return;
    }
    if (frame_max > opt.frame_max) {
        connection_error(Error{reply::kNotAllowed,
                               "frame_max=" + std::to_string(frame_max) + " > " +
                                   std::to_string(opt.frame_max) + " max size",
                               kConnectionClass, ConnectionTuneOk::kMethodId});
        return;
    }
    if (m.channel_max > opt.channel_max) {
        connection_error(Error{reply::kNotAllowed,
                               "channel_max=" + std::to_string(m.channel_max) + " > " +
                                   std::to_string(opt.channel_max) + " max size",
                               kConnectionClass, ConnectionTuneOk::kMethodId});
        return;
    }
    frame_max_ = frame_max;
    decoder_.set_frame_max(frame_max);
    channel_max_ = m.channel_max == 0 ? opt.channel_max : m.channel_max;
    heartbeat_s_ = m.heartbeat;
    state_ = State::AwaitOpen;
}

void Connection::handle_open(const ConnectionOpen& m) {
    if (m.virtual_host != "/") {
        connection_error(Error{reply::kNotAllowed, "vhost '" + m.virtual_host + "' not found",
                               kConnectionClass, ConnectionOpen::kMethodId});
        return;
    }
    send_method(0, ConnectionOpenOk{});
    state_ = State::Open;
    spdlog::debug("[amqp {} {}] open as '{}'", name_, transport_.peer(), user_);
}

void Connection::tick(std::int64_t now_ms) {
    switch (state_) {
    case State::Closed:
        return;
    case State::Closing:
        if (now_ms - closing_since_ms_ > kCloseOkTimeoutMs) close_transport();
        return;
    case State::Open:
        break;
    default:
        if (now_ms - opened_ms_ > server_.options().handshake_timeout_ms) {
            spdlog::info("[amqp {} {}] handshake timed out", name_, transport_.peer());
            close_transport();
        }
        return;
    }
    if (heartbeat_s_ == 0) return;
    const std::int64_t period = std::int64_t{heartbeat_s_} * 1000;
    // RabbitMQ's rule: two missed heartbeats and the peer is gone. No close method: the
    // peer is not listening.
    if (now_ms - last_rx_ms_ > 2 * period) {
        spdlog::info("[amqp {} {}] missed heartbeats from client, timeout: {}s", name_,
                     transport_.peer(), heartbeat_s_);
        shutdown_channels();
        state_ = State::Closed;
        transport_.abort();
        return;
    }
    if (now_ms - last_tx_ms_ >= period / 2) {
        encode(Frame{Heartbeat{}}, out_);
        flush_output();
    }
}

void Connection::published() {
    if (publisher_) return;
    publisher_ = true;
    if (!server_.alarm().empty()) alarm_changed();
}

void Connection::alarm_changed() {
    if (state_ != State::Open || !publisher_) return;
    const bool blocked = !server_.alarm().empty();
    if (blocked == blocked_sent_) return;
    blocked_sent_ = blocked;
    transport_.pause_input(blocked);
    if (!caps_.connection_blocked) return;
    if (blocked) {
        send_method(0, ConnectionBlocked{server_.alarm()});
    } else {
        send_method(0, ConnectionUnblocked{});
    }
}

void Connection::on_drained() {
    for (auto& [id, ch] : channels_) ch->resume();
    flush_output();
}

void Connection::on_closed() {
    shutdown_channels();
    state_ = State::Closed;
}

}  // namespace sy::amqp

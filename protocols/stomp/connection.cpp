#include "protocols/stomp/connection.hpp"

#include <spdlog/spdlog.h>

#include "core/model/clock.hpp"
#include "protocols/stomp/mapping.hpp"
#include "protocols/stomp/server.hpp"

namespace sy::stomp {

Connection::Connection(Server& server, transport::Transport& transport)
    : server_(server),
      transport_(transport),
      decoder_(server.options().limits),
      session_id_(server.new_session_id()),
      opened_ms_(core::now_ms()),
      last_rx_ms_(opened_ms_),
      last_tx_ms_(opened_ms_),
      self_(std::make_shared<Connection*>(this)) {
    server_.connection_opened(this);
}

Connection::~Connection() {
    *self_ = nullptr;
    release_all();
    server_.connection_closed(this);
}

void Connection::on_data(std::span<const std::byte> bytes) {
    last_rx_ms_ = core::now_ms();
    if (state_ == State::Closing) return;
    // Decode straight from the transport's buffer when nothing is left over from the last
    // read; only a frame that is not complete yet is kept. The decoder resumes where it
    // stopped in it, so a large frame is scanned once.
    const bool direct = in_.empty();
    if (!direct) in_.insert(in_.end(), bytes.begin(), bytes.end());
    const std::span<const std::byte> data = direct ? bytes : std::span<const std::byte>(in_);
    std::size_t used = 0;
    while (state_ != State::Closing && !disconnecting_ && used < data.size()) {
        Frame frame;
        const DecodeResult r = decoder_.decode(data.subspan(used), frame);
        if (r.status == DecodeStatus::NeedMore) break;
        if (r.status == DecodeStatus::Heartbeat) {
            used += r.consumed;
            continue;
        }
        if (r.status != DecodeStatus::Complete) {
            send_error(r.status == DecodeStatus::TooLarge ? "Frame too large" : "Malformed frame",
                       message(r.error), nullptr);
            return;
        }
        used += r.consumed;
        handle_frame(frame);
    }
    if (state_ == State::Closing || disconnecting_) {
        in_.clear();
        return;
    }
    if (direct) {
        if (used < data.size()) in_.assign(data.begin() + static_cast<std::ptrdiff_t>(used), data.end());
    } else {
        in_.erase(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(used));
    }
}

void Connection::handle_frame(Frame& f) {
    if (state_ == State::AwaitConnect) {
        if (f.command == Command::Connect || f.command == Command::Stomp) {
            handle_connect(f);
        } else {
            send_error("Illegal command", "You must log in using CONNECT first", &f);
        }
        return;
    }
    switch (f.command) {
    case Command::Send: handle_send(f); break;
    case Command::Subscribe: handle_subscribe(f); break;
    case Command::Unsubscribe: handle_unsubscribe(f); break;
    case Command::Ack: handle_ack(f, true); break;
    case Command::Nack:
        if (version_ == Version::V1_0) {
            send_error("Bad command", "NACK is not part of STOMP 1.0", &f);
        } else {
            handle_ack(f, false);
        }
        break;
    case Command::Begin: handle_begin(f); break;
    case Command::Commit: handle_commit(f); break;
    case Command::Abort: handle_abort(f); break;
    case Command::Disconnect: handle_disconnect(f); break;
    case Command::Connect:
    case Command::Stomp: send_error("Already connected", "CONNECT was already received", &f); break;
    default:
        send_error("Bad command",
                   "Could not interpret command " + std::string(to_string(f.command)), &f);
        break;
    }
}

void Connection::send_bytes(std::span<const std::byte> bytes) {
    transport_.send(bytes);
    last_tx_ms_ = core::now_ms();
}

void Connection::send_frame(Command command, std::span<const HeaderRef> headers,
                            std::string_view body) {
    out_.clear();
    encode(command, headers, body, version_, out_);
    send_bytes(out_.view());
}

void Connection::send_error(std::string_view message, std::string_view detail,
                            const Frame* cause) {
    if (state_ == State::Closing) return;
    spdlog::info("[stomp {} {}] ERROR: {}: {}", session_id_, peer(), message, detail);
    const std::string length = std::to_string(detail.size());
    std::vector<HeaderRef> h;
    h.push_back({"message", message});
    h.push_back({"content-type", "text/plain"});
    if (const std::string* r = cause ? cause->header("receipt") : nullptr) {
        if (encodable("receipt-id", *r, Command::Error, version_)) h.push_back({"receipt-id", *r});
    }
    h.push_back({"content-length", length});
    send_frame(Command::Error, h, detail);
    close_now();
}

void Connection::close_now() {
    state_ = State::Closing;
    transport_.close();
}

void Connection::on_drained() {
    // Deliveries stopped while the transport was congested; each queue picks up again.
    std::vector<core::Queue*> queues;
    for (const auto& [id, sub] : subs_) queues.push_back(sub->queue());
    for (auto* q : queues) q->dispatch();
}

void Connection::on_closed() {
    state_ = State::Closing;
    release_all();
}

void Connection::release_all() {
    // Transactions never committed are dropped with their frames [STOMP 1.2 "BEGIN"].
    transactions_.clear();
    while (!subs_.empty()) end_subscription(subs_.begin()->first, false);
    temp_queues_.clear();
}

void Connection::tick(std::int64_t now) {
    if (state_ == State::AwaitConnect) {
        if (now - opened_ms_ > server_.options().connect_timeout_ms) {
            spdlog::info("[stomp {} {}] no CONNECT in time", session_id_, peer());
            state_ = State::Closing;
            transport_.abort();
        }
        return;
    }
    if (state_ != State::Connected) return;
    // Silent for twice the agreed period: the client is gone (the spec leaves the margin to
    // the server; two periods absorb network jitter and our 500 ms timer).
    if (hb_in_ms_ > 0 && now - last_rx_ms_ > 2 * hb_in_ms_) {
        spdlog::info("[stomp {} {}] closing: no heart-beat for {} ms", session_id_, peer(),
                     now - last_rx_ms_);
        state_ = State::Closing;
        transport_.abort();
        return;
    }
    // Send when half the period has passed without output, so that with the timer's
    // granularity the client still hears from us within the period.
    if (hb_out_ms_ > 0 && now - last_tx_ms_ >= hb_out_ms_ / 2) {
        out_.clear();
        encode_heartbeat(out_);
        send_bytes(out_.view());
    }
}

std::uint64_t Connection::send_message(const Subscription& sub, const core::QueueEntry& entry) {
    const core::Message& m = *entry.msg;
    const std::uint64_t ack_id = next_ack_id_++;
    const std::string ack_text = std::to_string(ack_id);
    const std::string destination = message_destination(m);
    const std::string length = std::to_string(m.payload.size());
    const auto& p = m.props;
    std::string reply_to;
    std::string expiration;
    std::string expires;
    std::string priority;
    std::string timestamp;
    std::vector<std::string> texts;
    texts.reserve(m.headers.size());

    scratch_.clear();
    auto add = [this](std::string_view name, std::string_view value) {
        if (encodable(name, value, Command::Message, version_)) scratch_.push_back({name, value});
    };
    add("subscription", sub.id());
    add("destination", destination);
    add("message-id", ack_text);
    if (version_ == Version::V1_2 && sub.mode() != AckMode::Auto) add("ack", ack_text);
    if (entry.redelivered) add("redelivered", "true");
    if (p.persistent) add("persistent", "true");
    if (p.content_type) add("content-type", *p.content_type);
    if (p.content_encoding) add("content-encoding", *p.content_encoding);
    if (p.correlation_id) add("correlation-id", *p.correlation_id);
    if (p.reply_to) {
        reply_to = reply_to_header(*p.reply_to);
        add("reply-to", reply_to);
    }
    if (p.expiration_ms) {
        expiration = std::to_string(*p.expiration_ms);
        expires = std::to_string(m.published_at_ms + static_cast<std::int64_t>(*p.expiration_ms));
        add("expiration", expiration);
        add("expires", expires);
    }
    if (p.priority) {
        priority = std::to_string(*p.priority);
        add("priority", priority);
    }
    if (p.timestamp_s) {
        timestamp = std::to_string(*p.timestamp_s);
        add("timestamp", timestamp);
    }
    if (p.message_id) add("amqp-message-id", *p.message_id);
    for (const auto& [name, value] : m.headers) {
        // Server-set names always win, and MQTT-only facts stay inside (LESSONS.md 8).
        if (is_reserved_header(name) || std::string_view(name).starts_with("x-mqtt-")) continue;
        texts.push_back(header_text(value));
        add(name, texts.back());
    }
    add("content-length", length);
    send_frame(Command::Message, scratch_, m.payload);
    auto& st = server_.broker().stats();
    ++st.messages_sent;
    st.bytes_sent += m.payload.size();
    return ack_id;
}

// ---- receipts ------------------------------------------------------------------------------

std::uint64_t Connection::queue_receipt(std::string id, bool ready, bool then_close) {
    const std::uint64_t seq = receipts_head_ + receipts_.size();
    receipts_.push_back(PendingReceipt{std::move(id), ready, then_close, false});
    if (ready) flush_receipts();
    return seq;
}

void Connection::receipt_for(const Frame& f) {
    if (const std::string* r = f.header("receipt")) queue_receipt(*r, true);
}

core::PublishDone Connection::receipt_completion(std::uint64_t seq) {
    return [h = handle(), seq](const core::PublishOutcome& outcome) {
        auto alive = h.lock();
        if (alive && *alive) (*alive)->complete_receipt(seq, outcome.ok);
    };
}

void Connection::complete_receipt(std::uint64_t seq, bool ok) {
    if (seq < receipts_head_ || seq - receipts_head_ >= receipts_.size()) return;
    auto& slot = receipts_[seq - receipts_head_];
    slot.ready = true;
    slot.failed = slot.failed || !ok;
    flush_receipts();
}

void Connection::flush_receipts() {
    while (!receipts_.empty() && receipts_.front().ready && state_ != State::Closing) {
        PendingReceipt r = std::move(receipts_.front());
        receipts_.pop_front();
        ++receipts_head_;
        if (r.failed) {
            // STOMP has no negative receipt: an ERROR naming it is the honest answer.
            Frame cause;
            cause.headers.emplace_back("receipt", r.id);
            send_error("Message not stored", "the broker could not make the message durable",
                       &cause);
            return;
        }
        const HeaderRef h[] = {{"receipt-id", r.id}};
        const std::size_t n = encodable(h[0].name, h[0].value, Command::Receipt, version_) ? 1 : 0;
        send_frame(Command::Receipt, std::span(h, n), {});
        if (r.then_close) close_now();
    }
}

void Connection::handle_disconnect(const Frame& f) {
    // Uncommitted transactions are aborted; the receipt, behind every earlier one, tells the
    // client that everything before it was processed [STOMP 1.2 "DISCONNECT"].
    transactions_.clear();
    disconnecting_ = true;
    if (const std::string* r = f.header("receipt")) {
        queue_receipt(*r, true, true);
    } else if (receipts_.empty()) {
        close_now();
    } else {
        // Earlier receipts are still owed: close after the last of them.
        receipts_.back().then_close = true;
    }
}

}  // namespace sy::stomp

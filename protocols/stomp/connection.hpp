#pragma once
// One STOMP connection: decodes frames from its transport, runs the connection's state
// machine (CONNECT first, heart-beats, ERROR then close) and hands frames to the handlers
// (handle_*.cpp). Subscriptions, temp queues and transactions live and die with it; only a
// durable topic subscription's queue outlives it.

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/broker/broker.hpp"
#include "protocols/common/byte_writer.hpp"
#include "protocols/stomp/codec/codec.hpp"
#include "protocols/stomp/destination.hpp"
#include "protocols/stomp/subscription.hpp"
#include "protocols/transport/transport.hpp"

namespace sy::stomp {

class Server;

class Connection final : public transport::Session {
public:
    Connection(Server& server, transport::Transport& transport);
    ~Connection() override;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // transport::Session
    void on_data(std::span<const std::byte> bytes) override;
    void on_drained() override;
    void on_closed() override;

    // Deliveries flow while connected and the transport is not congested.
    bool can_deliver() const {
        return state_ == State::Connected && !disconnecting_ && !congested();
    }
    bool congested() const { return transport_.pending_bytes() > transport::kOutputHighWater; }
    // Writes a MESSAGE for a subscription's delivery; returns its ack id (message-id, and
    // ack in 1.2).
    std::uint64_t send_message(const Subscription& sub, const core::QueueEntry& entry);

    // From the server's timer: heart-beats both ways and the CONNECT timeout.
    void tick(std::int64_t now_ms);

    bool connected() const { return state_ == State::Connected; }
    Version version() const { return version_; }
    const std::string& session_id() const { return session_id_; }
    const std::string& peer() const { return transport_.peer(); }
    std::int64_t heartbeat_out_ms() const { return hb_out_ms_; }
    std::int64_t heartbeat_in_ms() const { return hb_in_ms_; }
    std::size_t subscription_count() const { return subs_.size(); }

    // Liveness token for completions that may arrive after the connection is gone.
    std::weak_ptr<Connection*> handle() const { return self_; }

private:
    enum class State : std::uint8_t { AwaitConnect, Connected, Closing };

    struct Transaction {
        std::vector<Frame> frames;  // SEND, ACK and NACK, applied in order on COMMIT
        std::size_t bytes = 0;
    };
    struct PendingReceipt {
        std::string id;
        bool ready = false;
        bool then_close = false;  // DISCONNECT: close once this receipt is out
        bool failed = false;      // a persistent SEND could not be stored
    };

    void handle_frame(Frame& frame);
    void handle_connect(const Frame& f);
    void handle_send(Frame& f);
    void handle_subscribe(const Frame& f);
    void handle_unsubscribe(const Frame& f);
    void handle_ack(Frame& f, bool positive);
    void handle_begin(const Frame& f);
    void handle_commit(const Frame& f);
    void handle_abort(const Frame& f);
    void handle_disconnect(const Frame& f);

    // The effect of a SEND or ACK/NACK, at once or on COMMIT. False when it sent an ERROR.
    bool publish(const Frame& send, const core::PublishDone& done);
    bool apply_ack(const Frame& f, bool positive);
    // Resolves where a SEND goes, declaring a /queue/ on first use. False: ERROR sent.
    bool resolve_target(const Frame& f, const Destination& d, std::string& exchange,
                        std::string& key);
    // Declares the queue a /queue/ destination or a subscription uses, with the queue headers
    // of f applied over defaults. nullptr: ERROR sent.
    core::Queue* declare_queue(const std::string& name, const Frame& f, core::QueueOptions defaults);
    // A /temp-queue/<label> in a reply-to: the connection's private queue for that label,
    // created with its subscription on first use. Returns the reply-to to publish with.
    std::string temp_reply_to(const std::string& label);
    void end_subscription(const std::string& id, bool delete_durable);
    // Takes a frame into a transaction instead of applying it. False: no such transaction,
    // or too large (ERROR sent).
    bool enlist(const std::string& tx, Frame& f);

    // Receipts leave in the order of the frames that asked for them, whatever order the
    // store completes persistent SENDs in.
    std::uint64_t queue_receipt(std::string id, bool ready, bool then_close = false);
    void complete_receipt(std::uint64_t seq, bool ok);
    void flush_receipts();
    // RECEIPT now (behind any that wait) when the frame asks for one.
    void receipt_for(const Frame& f);
    // A done callback that releases receipt seq once the publish is safe.
    core::PublishDone receipt_completion(std::uint64_t seq);

    void send_frame(Command command, std::span<const HeaderRef> headers, std::string_view body);
    void send_bytes(std::span<const std::byte> bytes);
    // ERROR with a message header and a body, then close [STOMP 1.2 "ERROR"].
    void send_error(std::string_view message, std::string_view detail, const Frame* cause);
    void close_now();
    // Ends every subscription, temp queue and transaction (the connection is going).
    void release_all();

    Server& server_;
    transport::Transport& transport_;
    Decoder decoder_;
    std::vector<std::byte> in_;
    ByteWriter out_;
    std::vector<HeaderRef> scratch_;
    State state_ = State::AwaitConnect;
    bool disconnecting_ = false;  // DISCONNECT read: nothing more is taken from the client
    Version version_ = Version::V1_0;
    std::string session_id_;
    std::string client_id_;  // CONNECT's client-id, else the session id
    std::string login_;
    std::int64_t opened_ms_;
    std::int64_t last_rx_ms_;
    std::int64_t last_tx_ms_;
    std::int64_t hb_out_ms_ = 0;  // we send something at least this often; 0 = never
    std::int64_t hb_in_ms_ = 0;   // the client does; silent for twice this, it is dropped
    std::map<std::string, std::unique_ptr<Subscription>> subs_;
    std::unordered_map<std::string, std::string> temp_queues_;  // label -> queue name
    std::unordered_map<std::string, Transaction> transactions_;
    std::deque<PendingReceipt> receipts_;
    std::uint64_t receipts_head_ = 0;  // sequence number of receipts_.front()
    std::uint64_t next_ack_id_ = 1;
    std::uint64_t next_queue_ = 1;
    std::shared_ptr<Connection*> self_;
};

}  // namespace sy::stomp

#pragma once
// One AMQP 0-9-1 connection: the protocol header, the start/tune/open handshake, heartbeats,
// connection.close both ways, and the frame loop that hands channel frames to their Channel.
// Errors map to the wire in one place (fail()): channel exceptions close the channel, all
// others the connection, with RabbitMQ's reply codes.

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "protocols/amqp/codec/codec.hpp"
#include "protocols/amqp/error.hpp"
#include "protocols/common/byte_writer.hpp"
#include "protocols/transport/transport.hpp"

namespace sy::amqp {

class Server;
class Channel;

// What the client said it understands (connection.start-ok's capabilities table).
struct ClientCapabilities {
    bool consumer_cancel_notify = false;
    bool connection_blocked = false;
    bool authentication_failure_close = false;
};

class Connection final : public transport::Session {
public:
    Connection(Server& server, transport::Transport& transport);
    ~Connection() override;

    // transport::Session
    void on_data(std::span<const std::byte> bytes) override;
    void on_drained() override;
    void on_closed() override;

    // Output. Frames are encoded into one buffer, which goes to the transport once per
    // on_data call, or once per loop iteration (Server::flush) for what other connections'
    // traffic produced here: deliveries and confirms leave in batches.
    void send_method(std::uint16_t channel, const Method& method);
    ByteWriter& output() { return out_; }
    // After writing into output() directly.
    void wrote();
    void flush_output();

    // Reports an error raised on a channel or the connection (error.hpp).
    void fail(std::uint16_t channel, const Error& e);

    bool congested() const {
        return transport_.pending_bytes() + out_.size() > transport::kOutputHighWater;
    }
    Server& server() { return server_; }
    const std::string& name() const { return name_; }
    const std::string& user() const { return user_; }
    const ClientCapabilities& client_capabilities() const { return caps_; }
    std::uint32_t frame_max() const { return frame_max_; }
    bool open() const { return state_ == State::Open; }

    // Heartbeats and the handshake deadline.
    void tick(std::int64_t now_ms);
    // Resource alarms (RabbitMQ's connection.blocked): a connection that has published and
    // understands the extension is told when Server::alarm() starts and ends, and its input
    // is paused meanwhile, so publishes wait in the client and the kernel.
    void alarm_changed();
    void published();

private:
    enum class State : std::uint8_t {
        AwaitHeader,   // nothing received yet
        AwaitStartOk,  // connection.start sent
        AwaitTuneOk,   // connection.tune sent
        AwaitOpen,     // tune-ok received
        Open,
        Closing,       // connection.close sent; only close-ok (or close) counts now
        Closed,        // transport closing; input ignored
    };

    void handle_frame(Frame& frame);
    void handle_connection_method(Method& method);
    void handle_start_ok(ConnectionStartOk& m);
    void handle_tune_ok(const ConnectionTuneOk& m);
    void handle_open(const ConnectionOpen& m);
    void handle_channel_frame(Frame& frame, std::uint16_t channel);
    void connection_error(const Error& e);
    void close_transport();
    void shutdown_channels();

    Server& server_;
    transport::Transport& transport_;
    Decoder decoder_;
    std::vector<std::byte> in_;
    std::size_t in_off_ = 0;
    ByteWriter out_;
    State state_ = State::AwaitHeader;
    std::string name_;   // "amqp-<n>": owner of its exclusive queues
    std::string user_;
    ClientCapabilities caps_;
    std::uint16_t channel_max_ = 0;
    std::uint32_t frame_max_ = kFrameMinSize;
    std::uint16_t heartbeat_s_ = 0;
    std::int64_t opened_ms_;
    std::int64_t last_rx_ms_;
    std::int64_t last_tx_ms_;
    std::int64_t closing_since_ms_ = 0;
    std::map<std::uint16_t, std::unique_ptr<Channel>> channels_;
    // Channels we closed with channel.close and whose close-ok has not come yet.
    std::set<std::uint16_t> closing_channels_;
    bool in_input_ = false;  // inside on_data: output is flushed once at its end
    bool publisher_ = false;     // has published: resource alarms concern it
    bool blocked_sent_ = false;  // connection.blocked sent, unblocked not yet
};

}  // namespace sy::amqp

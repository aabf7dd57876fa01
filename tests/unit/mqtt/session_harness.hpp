#pragma once
// Drives MQTT connections without a network: a fake transport records what the server sends,
// and a client-side decoder reads it back.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/broker/broker.hpp"
#include "protocols/mqtt/codec/codec.hpp"
#include "protocols/mqtt/server.hpp"
#include "storage/memory/memory_store.hpp"
#include "tests/unit/common/fake_transport.hpp"

namespace sy::mqtt::test {

using sy::test::FakeTransport;

// One client: its transport, the server-side session, and what it has received.
class Client {
public:
    explicit Client(Server& server, ProtocolVersion version = ProtocolVersion::V311)
        : version_(version), session_(server.accept(transport_)) {
        decoder_.set_version(version);
    }
    ~Client() { drop(); }

    void send(const Packet& p) {
        ByteWriter w;
        encode(p, version_, w);
        send_bytes(w.view());
    }
    void send_bytes(std::span<const std::byte> b) {
        if (session_) session_->on_data(b);
    }
    // The network connection ends (as the transport reports a close).
    void drop() {
        if (session_) {
            session_->on_closed();
            session_.reset();
        }
    }
    // Packets the server sent since the last call.
    std::vector<Packet> received() {
        std::vector<Packet> out = std::move(backlog_);
        backlog_.clear();
        std::size_t off = 0;
        auto& buf = transport_.out;
        while (off < buf.size()) {
            Packet p;
            auto r = decoder_.decode(std::span<const std::byte>(buf).subspan(off), p);
            EXPECT_EQ(r.status, DecodeStatus::Complete);
            if (r.status != DecodeStatus::Complete) break;
            off += r.consumed;
            out.push_back(std::move(p));
        }
        buf.clear();
        return out;
    }
    template <class T>
    std::vector<T> received_of() {
        std::vector<T> out;
        for (auto& p : received()) {
            if (auto* t = std::get_if<T>(&p)) out.push_back(std::move(*t));
        }
        return out;
    }
    bool closed() const { return transport_.closed; }

    Connack connect(const std::string& id, bool clean = true, std::optional<Will> will = {},
                    std::uint16_t keep_alive = 60, Properties props = {}) {
        Connect c;
        c.version = version_;
        c.props = std::move(props);
        c.client_id = id;
        c.clean_start = clean;
        c.will = std::move(will);
        c.keep_alive = keep_alive;
        send(c);
        // Keep whatever follows the CONNACK (resent messages) for the test to read.
        std::optional<Connack> ack;
        for (auto& p : received()) {
            if (auto* a = std::get_if<Connack>(&p); a && !ack) {
                ack = *a;
            } else {
                backlog_.push_back(std::move(p));
            }
        }
        EXPECT_TRUE(ack.has_value());
        return ack.value_or(Connack{false, 0xff, {}});
    }
    void subscribe(const std::string& filter, std::uint8_t qos, std::uint16_t pid = 1) {
        Subscribe s;
        s.packet_id = pid;
        s.filters.push_back({filter, SubscriptionOptions{qos}});
        send(s);
    }
    void publish(const std::string& topic, const std::string& payload, std::uint8_t qos = 0,
                 std::uint16_t pid = 0, bool retain = false) {
        Publish p;
        p.topic = topic;
        p.payload = payload;
        p.qos = qos;
        p.packet_id = pid;
        p.retain = retain;
        send(p);
    }

private:
    ProtocolVersion version_;
    FakeTransport transport_;
    std::vector<Packet> backlog_;
    std::unique_ptr<transport::Session> session_;
    Decoder decoder_;
};

struct Harness {
    explicit Harness(core::MqttConfig cfg = {}) : broker(store), server(broker, cfg) {}
    storage::MemoryStore store;
    core::Broker broker;
    Server server;
};

}  // namespace sy::mqtt::test

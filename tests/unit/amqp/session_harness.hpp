#pragma once
// Drives AMQP connections without a network: a fake transport records what the server sends
// and the codec reads it back, frame by frame, as a client would.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/broker/broker.hpp"
#include "protocols/amqp/codec/codec.hpp"
#include "protocols/amqp/server.hpp"
#include "storage/memory/memory_store.hpp"
#include "tests/unit/common/fake_transport.hpp"

namespace sy::amqp::test {

using sy::test::FakeTransport;

struct Harness {
    explicit Harness(ServerOptions options = {}) : broker(store), server(broker, options) {}
    storage::MemoryStore store;
    core::Broker broker;
    Server server;
};

// A delivered message put back together from its method, header and body frames.
struct Delivery {
    Method method;  // basic.deliver, basic.get-ok or basic.return
    BasicProperties props;
    std::string body;
};

class Client {
public:
    explicit Client(Harness& h) : h_(h), session_(h.server.accept(transport_)) {}
    ~Client() { drop(); }

    void send_bytes(std::span<const std::byte> b) {
        if (session_) session_->on_data(b);
    }
    void send(const Frame& f) {
        ByteWriter w;
        encode(f, w);
        send_bytes(w.view());
    }
    void send_method(std::uint16_t ch, const Method& m) { send(Frame{MethodFrame{ch, m}}); }
    void publish(std::uint16_t ch, const std::string& exchange, const std::string& key,
                 const std::string& body, BasicProperties props = {}, bool mandatory = false) {
        ByteWriter w;
        encode_publish(ch, BasicPublish{0, exchange, key, mandatory, false}, props, body, 4096, w);
        send_bytes(w.view());
    }
    void drop() {
        if (session_) {
            session_->on_closed();
            session_.reset();
        }
    }
    bool closed() const { return transport_.closed; }
    bool paused() const { return transport_.paused; }
    std::string raw() const {
        return std::string(reinterpret_cast<const char*>(transport_.out.data()),
                           transport_.out.size());
    }

    // Frames sent since the last call (after the server's end-of-iteration flush).
    std::vector<Frame> frames() {
        h_.server.flush();
        std::vector<Frame> out;
        std::size_t off = 0;
        auto& buf = transport_.out;
        while (off < buf.size()) {
            Frame f;
            auto r = decoder_.decode(std::span<const std::byte>(buf).subspan(off), f);
            EXPECT_EQ(r.status, DecodeStatus::Complete);
            if (r.status != DecodeStatus::Complete) break;
            off += r.consumed;
            out.push_back(std::move(f));
        }
        buf.clear();
        return out;
    }
    // Methods only, with content gathered into deliveries.
    std::vector<Method> methods() {
        std::vector<Method> out;
        for (auto& f : collect()) out.push_back(std::move(f.method));
        return out;
    }
    std::vector<Delivery> collect() {
        std::vector<Delivery> out;
        for (auto& f : frames()) {
            if (auto* m = std::get_if<MethodFrame>(&f)) {
                out.push_back(Delivery{std::move(m->method), {}, {}});
            } else if (auto* hd = std::get_if<ContentHeader>(&f)) {
                if (!out.empty()) out.back().props = hd->properties;
            } else if (auto* b = std::get_if<ContentBody>(&f)) {
                if (!out.empty()) out.back().body += b->payload;
            }
        }
        return out;
    }
    template <class T>
    std::vector<T> methods_of() {
        std::vector<T> out;
        for (auto& m : methods()) {
            if (auto* t = std::get_if<T>(&m)) out.push_back(std::move(*t));
        }
        return out;
    }

    // The whole handshake with PLAIN; returns false if any step was not as expected.
    bool open(bool cancel_notify = true) {
        ByteWriter w;
        encode_protocol_header(w);
        send_bytes(w.view());
        auto start = methods_of<ConnectionStart>();
        if (start.size() != 1) return false;
        FieldTable caps{{"consumer_cancel_notify", FieldValue(cancel_notify)},
                        {"connection.blocked", FieldValue(true)}};
        ConnectionStartOk ok;
        ok.client_properties = {{"capabilities", FieldValue(caps)}};
        ok.mechanism = "PLAIN";
        ok.response = std::string("\0guest\0guest", 12);
        ok.locale = "en_US";
        send_method(0, ok);
        auto tune = methods_of<ConnectionTune>();
        if (tune.size() != 1) return false;
        send_method(0, ConnectionTuneOk{tune[0].channel_max, tune[0].frame_max, 0});
        send_method(0, ConnectionOpen{"/", "", false});
        return methods_of<ConnectionOpenOk>().size() == 1;
    }
    bool open_channel(std::uint16_t ch) {
        send_method(ch, ChannelOpen{});
        return methods_of<ChannelOpenOk>().size() == 1;
    }

private:
    Harness& h_;
    FakeTransport transport_;
    Decoder decoder_{DecoderLimits{0, 16, 8192}};
    std::unique_ptr<transport::Session> session_;
};

}  // namespace sy::amqp::test

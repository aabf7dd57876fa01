#pragma once
// Private to the codec: the argument list of every method, written once as a template over an
// Io that either reads (MethodReader) or writes (MethodWriter), so the two directions cannot
// disagree on order, width or bit packing. Consecutive bit arguments share one octet, first
// argument in the lowest bit (section 4.2.5.2); io.bits() takes such a run.

#include <concepts>
#include <cstdint>
#include <string>
#include <type_traits>

#include "protocols/amqp/codec/methods.hpp"
#include "protocols/amqp/codec/wire.hpp"

namespace sy::amqp::detail {

// Reads arguments in order; after the first fault the rest are skipped and fault() reports it.
class MethodReader {
public:
    MethodReader(WireReader& in, TableBudget& budget) : in_(in), budget_(budget) {}

    void u8(std::uint8_t& v) { step([&] { return in_.u8(v); }); }
    void u16(std::uint16_t& v) { step([&] { return in_.u16(v); }); }
    void u32(std::uint32_t& v) { step([&] { return in_.u32(v); }); }
    void u64(std::uint64_t& v) { step([&] { return in_.u64(v); }); }
    void shortstr(std::string& v) { step([&] { return in_.shortstr(v); }); }
    void longstr(std::string& v) { step([&] { return in_.longstr(v); }); }
    void table(FieldTable& v) { step([&] { return in_.table(v, budget_); }); }

    template <class... Bits>
    void bits(Bits&... b) {
        static_assert(sizeof...(Bits) >= 1 && sizeof...(Bits) <= 8);
        std::uint8_t octet = 0;
        u8(octet);
        // Bits the method does not define are ignored, as RabbitMQ ignores them.
        unsigned i = 0;
        ((b = ((static_cast<unsigned>(octet) >> i++) & 1u) != 0), ...);
    }

    Fault fault() const { return fault_; }

private:
    template <class Read>
    void step(Read read) {
        if (!fault_) {
            fault_ = read();
        }
    }

    WireReader& in_;
    TableBudget& budget_;
    Fault fault_;
};

class MethodWriter {
public:
    explicit MethodWriter(ByteWriter& out) : out_(out) {}

    void u8(std::uint8_t v) { out_.u8(v); }
    void u16(std::uint16_t v) { out_.u16(v); }
    void u32(std::uint32_t v) { out_.u32(v); }
    void u64(std::uint64_t v) { out_.u64(v); }
    void shortstr(const std::string& v) { write_shortstr(out_, v); }
    void longstr(const std::string& v) { write_longstr(out_, v); }
    void table(const FieldTable& v) { write_table(out_, v); }

    template <class... Bits>
    void bits(const Bits&... b) {
        static_assert(sizeof...(Bits) >= 1 && sizeof...(Bits) <= 8);
        unsigned octet = 0;
        unsigned i = 0;
        ((octet |= (b ? 1u : 0u) << i++), ...);
        out_.u8(static_cast<std::uint8_t>(octet));
    }

private:
    ByteWriter& out_;
};

// M is T or const T: the reader fills a T, the writer reads a const T.
template <class M, class T>
concept Is = std::same_as<std::remove_const_t<M>, T>;

// Methods without arguments (close-ok, qos-ok, tx.select ...).
template <class Io, class M>
    requires std::is_empty_v<std::remove_const_t<M>>
void fields(Io&, M&) {}

// ---- connection ----

template <class Io, Is<ConnectionStart> M>
void fields(Io& io, M& m) {
    io.u8(m.version_major);
    io.u8(m.version_minor);
    io.table(m.server_properties);
    io.longstr(m.mechanisms);
    io.longstr(m.locales);
}

template <class Io, Is<ConnectionStartOk> M>
void fields(Io& io, M& m) {
    io.table(m.client_properties);
    io.shortstr(m.mechanism);
    io.longstr(m.response);
    io.shortstr(m.locale);
}

template <class Io, Is<ConnectionSecure> M>
void fields(Io& io, M& m) {
    io.longstr(m.challenge);
}

template <class Io, Is<ConnectionSecureOk> M>
void fields(Io& io, M& m) {
    io.longstr(m.response);
}

template <class Io, class M>
    requires Is<M, ConnectionTune> || Is<M, ConnectionTuneOk>
void fields(Io& io, M& m) {
    io.u16(m.channel_max);
    io.u32(m.frame_max);
    io.u16(m.heartbeat);
}

template <class Io, Is<ConnectionOpen> M>
void fields(Io& io, M& m) {
    io.shortstr(m.virtual_host);
    io.shortstr(m.capabilities);
    io.bits(m.insist);
}

template <class Io, Is<ConnectionOpenOk> M>
void fields(Io& io, M& m) {
    io.shortstr(m.known_hosts);
}

template <class Io, class M>
    requires Is<M, ConnectionClose> || Is<M, ChannelClose>
void fields(Io& io, M& m) {
    io.u16(m.reply_code);
    io.shortstr(m.reply_text);
    io.u16(m.class_id);
    io.u16(m.method_id);
}

template <class Io, Is<ConnectionBlocked> M>
void fields(Io& io, M& m) {
    io.shortstr(m.reason);
}

template <class Io, Is<ConnectionUpdateSecret> M>
void fields(Io& io, M& m) {
    io.longstr(m.new_secret);
    io.shortstr(m.reason);
}

// ---- channel ----

template <class Io, Is<ChannelOpen> M>
void fields(Io& io, M& m) {
    io.shortstr(m.out_of_band);
}

template <class Io, Is<ChannelOpenOk> M>
void fields(Io& io, M& m) {
    io.longstr(m.channel_id);
}

template <class Io, class M>
    requires Is<M, ChannelFlow> || Is<M, ChannelFlowOk>
void fields(Io& io, M& m) {
    io.bits(m.active);
}

// ---- exchange ----

template <class Io, Is<ExchangeDeclare> M>
void fields(Io& io, M& m) {
    io.u16(m.ticket);
    io.shortstr(m.exchange);
    io.shortstr(m.type);
    io.bits(m.passive, m.durable, m.auto_delete, m.internal, m.no_wait);
    io.table(m.arguments);
}

template <class Io, Is<ExchangeDelete> M>
void fields(Io& io, M& m) {
    io.u16(m.ticket);
    io.shortstr(m.exchange);
    io.bits(m.if_unused, m.no_wait);
}

template <class Io, class M>
    requires Is<M, ExchangeBind> || Is<M, ExchangeUnbind>
void fields(Io& io, M& m) {
    io.u16(m.ticket);
    io.shortstr(m.destination);
    io.shortstr(m.source);
    io.shortstr(m.routing_key);
    io.bits(m.no_wait);
    io.table(m.arguments);
}

// ---- queue ----

template <class Io, Is<QueueDeclare> M>
void fields(Io& io, M& m) {
    io.u16(m.ticket);
    io.shortstr(m.queue);
    io.bits(m.passive, m.durable, m.exclusive, m.auto_delete, m.no_wait);
    io.table(m.arguments);
}

template <class Io, Is<QueueDeclareOk> M>
void fields(Io& io, M& m) {
    io.shortstr(m.queue);
    io.u32(m.message_count);
    io.u32(m.consumer_count);
}

template <class Io, Is<QueueBind> M>
void fields(Io& io, M& m) {
    io.u16(m.ticket);
    io.shortstr(m.queue);
    io.shortstr(m.exchange);
    io.shortstr(m.routing_key);
    io.bits(m.no_wait);
    io.table(m.arguments);
}

template <class Io, Is<QueuePurge> M>
void fields(Io& io, M& m) {
    io.u16(m.ticket);
    io.shortstr(m.queue);
    io.bits(m.no_wait);
}

template <class Io, class M>
    requires Is<M, QueuePurgeOk> || Is<M, QueueDeleteOk>
void fields(Io& io, M& m) {
    io.u32(m.message_count);
}

template <class Io, Is<QueueDelete> M>
void fields(Io& io, M& m) {
    io.u16(m.ticket);
    io.shortstr(m.queue);
    io.bits(m.if_unused, m.if_empty, m.no_wait);
}

template <class Io, Is<QueueUnbind> M>
void fields(Io& io, M& m) {
    io.u16(m.ticket);
    io.shortstr(m.queue);
    io.shortstr(m.exchange);
    io.shortstr(m.routing_key);
    io.table(m.arguments);
}

// ---- basic ----

template <class Io, Is<BasicQos> M>
void fields(Io& io, M& m) {
    io.u32(m.prefetch_size);
    io.u16(m.prefetch_count);
    io.bits(m.global);
}

template <class Io, Is<BasicConsume> M>
void fields(Io& io, M& m) {
    io.u16(m.ticket);
    io.shortstr(m.queue);
    io.shortstr(m.consumer_tag);
    io.bits(m.no_local, m.no_ack, m.exclusive, m.no_wait);
    io.table(m.arguments);
}

template <class Io, class M>
    requires Is<M, BasicConsumeOk> || Is<M, BasicCancelOk>
void fields(Io& io, M& m) {
    io.shortstr(m.consumer_tag);
}

template <class Io, Is<BasicCancel> M>
void fields(Io& io, M& m) {
    io.shortstr(m.consumer_tag);
    io.bits(m.no_wait);
}

template <class Io, Is<BasicPublish> M>
void fields(Io& io, M& m) {
    io.u16(m.ticket);
    io.shortstr(m.exchange);
    io.shortstr(m.routing_key);
    io.bits(m.mandatory, m.immediate);
}

template <class Io, Is<BasicReturn> M>
void fields(Io& io, M& m) {
    io.u16(m.reply_code);
    io.shortstr(m.reply_text);
    io.shortstr(m.exchange);
    io.shortstr(m.routing_key);
}

template <class Io, Is<BasicDeliver> M>
void fields(Io& io, M& m) {
    io.shortstr(m.consumer_tag);
    io.u64(m.delivery_tag);
    io.bits(m.redelivered);
    io.shortstr(m.exchange);
    io.shortstr(m.routing_key);
}

template <class Io, Is<BasicGet> M>
void fields(Io& io, M& m) {
    io.u16(m.ticket);
    io.shortstr(m.queue);
    io.bits(m.no_ack);
}

template <class Io, Is<BasicGetOk> M>
void fields(Io& io, M& m) {
    io.u64(m.delivery_tag);
    io.bits(m.redelivered);
    io.shortstr(m.exchange);
    io.shortstr(m.routing_key);
    io.u32(m.message_count);
}

template <class Io, Is<BasicGetEmpty> M>
void fields(Io& io, M& m) {
    io.shortstr(m.cluster_id);
}

template <class Io, Is<BasicAck> M>
void fields(Io& io, M& m) {
    io.u64(m.delivery_tag);
    io.bits(m.multiple);
}

template <class Io, Is<BasicReject> M>
void fields(Io& io, M& m) {
    io.u64(m.delivery_tag);
    io.bits(m.requeue);
}

template <class Io, class M>
    requires Is<M, BasicRecoverAsync> || Is<M, BasicRecover>
void fields(Io& io, M& m) {
    io.bits(m.requeue);
}

template <class Io, Is<BasicNack> M>
void fields(Io& io, M& m) {
    io.u64(m.delivery_tag);
    io.bits(m.multiple, m.requeue);
}

// ---- confirm ----

template <class Io, Is<ConfirmSelect> M>
void fields(Io& io, M& m) {
    io.bits(m.no_wait);
}

// Appends class id, method id and the arguments (a method frame's payload).
void write_method_payload(ByteWriter& out, const Method& method);

// Reads the arguments of the method with these ids into out. Unknown ids are Unsupported
// (540); arguments that run past the payload or leave octets over are syntax errors (502).
Fault read_method_arguments(std::uint16_t class_id, std::uint16_t method_id, WireReader& in,
                            TableBudget& budget, Method& out);

}  // namespace sy::amqp::detail

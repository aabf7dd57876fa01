// basic.qos, consume, cancel, get, ack/nack/reject and recover.

#include <algorithm>

#include "protocols/amqp/channel.hpp"
#include "protocols/amqp/connection.hpp"
#include "protocols/amqp/mapping.hpp"
#include "protocols/amqp/server.hpp"

namespace sy::amqp {

Error Channel::basic_qos(const BasicQos& m) {
    if (m.prefetch_size != 0) {
        return error(reply::kNotImplemented,
                     "prefetch_size!=0 (" + std::to_string(m.prefetch_size) + ")");
    }
    // RabbitMQ's reading: global=false limits each consumer started afterwards, global=true
    // the channel as a whole.
    if (m.global) {
        channel_prefetch_ = m.prefetch_count;
    } else {
        consumer_prefetch_ = m.prefetch_count;
    }
    conn_.send_method(id_, BasicQosOk{});
    resume();
    return {};
}

Error Channel::basic_consume(const BasicConsume& m) {
    auto& server = conn_.server();
    core::Queue* q = nullptr;
    if (Error e = resolve_queue(m.queue, q)) return e;
    std::string tag = m.consumer_tag.empty() ? server.generate_name("amq.ctag-") : m.consumer_tag;
    if (consumers_.contains(tag)) {
        return error(reply::kNotAllowed, "attempt to reuse consumer tag '" + tag + "'");
    }
    const auto in_exclusive_use = [&] {
        return error(reply::kAccessRefused,
                     "queue '" + q->name() + "' in vhost '/' in exclusive use");
    };
    if (m.exclusive && q->consumer_count() > 0) return in_exclusive_use();
    for (auto* other : server.consumers_on(q)) {
        if (other->exclusive()) return in_exclusive_use();
    }
    auto consumer = std::make_unique<ChannelConsumer>(*this, tag, *q, m.no_ack, m.exclusive);
    auto* c = consumer.get();
    consumers_.emplace(tag, std::move(consumer));
    server.consumer_added(q, c);
    // consume-ok first: adding the consumer may deliver at once.
    if (!m.no_wait) conn_.send_method(id_, BasicConsumeOk{tag});
    q->add_consumer(c, m.no_ack ? 0 : consumer_prefetch_);
    return {};
}

void Channel::remove_consumer(const std::string& tag, bool requeue) {
    auto it = consumers_.find(tag);
    if (it == consumers_.end()) return;
    auto consumer = std::move(it->second);
    consumers_.erase(it);
    auto& server = conn_.server();
    core::Queue& q = consumer->queue();
    server.consumer_removed(&q, consumer.get());
    q.remove_consumer(consumer.get(), requeue);
    for (auto& u : unacked_) {
        if (u.consumer == consumer.get()) u.consumer = nullptr;
    }
    if (q.options().auto_delete && q.consumer_count() == 0) server.delete_queue(q);
}

Error Channel::basic_cancel(const BasicCancel& m) {
    // Unacked deliveries stay with the channel until acked or the channel closes.
    remove_consumer(m.consumer_tag, false);
    if (!m.no_wait) conn_.send_method(id_, BasicCancelOk{m.consumer_tag});
    return {};
}

Error Channel::basic_get(const BasicGet& m) {
    core::Queue* q = nullptr;
    if (Error e = resolve_queue(m.queue, q)) return e;
    auto got = q->get(m.no_ack);
    if (!got) {
        conn_.send_method(id_, BasicGetEmpty{});
        return {};
    }
    auto& [qtag, entry] = *got;
    const std::uint64_t dtag = next_delivery_tag();
    const core::Message& msg = *entry.msg;
    BasicGetOk ok{dtag, entry.redelivered, msg.exchange, msg.routing_key,
                  static_cast<std::uint32_t>(q->ready_count())};
    encode_get_ok(id_, ok, to_properties(msg), msg.payload, conn_.frame_max(), conn_.output());
    conn_.wrote();
    if (!m.no_ack) {
        unacked_.push_back(Unacked{dtag, q, q->life(), qtag, nullptr, true});
        ++unacked_live_;
    }
    return {};
}

Error Channel::settle(SettleKind kind, std::uint64_t tag, bool multiple, bool requeue) {
    const auto unknown = [&] {
        return error(reply::kPreconditionFailed, "unknown delivery tag " + std::to_string(tag));
    };
    if (!(multiple && tag == 0) && !find_unacked(tag)) return unknown();
    if (mode_ == Mode::Tx) {
        tx_settles_.push_back(TxSettle{kind, tag, multiple, requeue});
        return {};
    }
    struct Target {
        core::Queue* queue;
        std::weak_ptr<const void> life;
        core::DeliveryTag queue_tag;
    };
    std::vector<Target> targets;
    if (multiple) {
        for (auto& u : unacked_) {
            if (tag != 0 && u.tag > tag) break;
            if (!u.live) continue;
            u.live = false;
            targets.push_back(Target{u.queue, u.life, u.queue_tag});
        }
    } else {
        auto* u = find_unacked(tag);
        u->live = false;
        targets.push_back(Target{u->queue, u->life, u->queue_tag});
    }
    unacked_live_ -= targets.size();
    pop_settled();
    // The queues may deliver to this channel again while we settle: targets is ours alone.
    if (kind == SettleKind::Ack) {
        for (auto& t : targets) {
            if (!t.life.expired()) t.queue->ack(t.queue_tag);
        }
    } else if (requeue) {
        // Each requeue goes to the head: latest first keeps the original order, and nothing
        // is delivered back to this channel until the batch is in.
        settling_ = true;
        for (auto it = targets.rbegin(); it != targets.rend(); ++it) {
            if (!it->life.expired()) it->queue->nack(it->queue_tag, true);
        }
        settling_ = false;
        resume();
        return {};
    } else {
        for (auto& t : targets) {
            if (!t.life.expired()) t.queue->nack(t.queue_tag, false);
        }
    }
    if (channel_limited_) resume();
    return {};
}

Error Channel::basic_recover(bool requeue) {
    if (!requeue) return error(reply::kNotImplemented, "requeue=false");
    if (unacked_live_ == 0) return {};
    return settle(SettleKind::Nack, 0, true, true);
}

}  // namespace sy::amqp

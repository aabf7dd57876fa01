#include "protocols/amqp/channel.hpp"

#include <algorithm>

#include "protocols/amqp/connection.hpp"
#include "protocols/amqp/mapping.hpp"
#include "protocols/amqp/server.hpp"

namespace sy::amqp {

bool ChannelConsumer::ready() const { return channel_.can_deliver(); }

bool ChannelConsumer::deliver(core::Queue& q, core::DeliveryTag tag,
                              const core::QueueEntry& entry) {
    return channel_.deliver(*this, q, tag, entry);
}

Channel::Channel(Connection& connection, std::uint16_t id)
    : conn_(connection), id_(id), self_(std::make_shared<Channel*>(this)) {}

Channel::~Channel() {
    shutdown();
    conn_.server().channel_gone(this);
}

Error Channel::handle(Frame& frame) {
    if (auto* mf = std::get_if<MethodFrame>(&frame)) {
        if (incoming_) {
            return Error{reply::kUnexpectedFrame,
                         std::string("expected content ") +
                             (incoming_->have_header ? "body" : "header") +
                             " for class 60, got " + method_name(mf->method),
                         class_id(mf->method), method_id(mf->method)};
        }
        Error e = handle_method(mf->method);
        if (e && e.class_id == 0) {
            e.class_id = class_id(mf->method);
            e.method_id = method_id(mf->method);
        }
        return e;
    }
    if (auto* h = std::get_if<ContentHeader>(&frame)) return handle_header(*h);
    if (auto* b = std::get_if<ContentBody>(&frame)) return handle_body(*b);
    return {};
}

Error Channel::handle_method(Method& method) {
    return std::visit(
        [&](auto& m) -> Error {
            using M = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<M, ChannelFlow>) {
                // RabbitMQ 3.x does not let a client stop deliveries this way (prefetch does
                // the job): active=false is a connection error.
                if (!m.active) return error(reply::kNotImplemented, "active=false");
                conn_.send_method(id_, ChannelFlowOk{true});
                return {};
            } else if constexpr (std::is_same_v<M, ChannelFlowOk>) {
                return {};  // we never send channel.flow
            } else if constexpr (std::is_same_v<M, ExchangeDeclare>) {
                return exchange_declare(m);
            } else if constexpr (std::is_same_v<M, ExchangeDelete>) {
                return exchange_delete(m);
            } else if constexpr (std::is_same_v<M, ExchangeBind>) {
                return exchange_bind(m, true);
            } else if constexpr (std::is_same_v<M, ExchangeUnbind>) {
                ExchangeBind b{m.ticket, m.destination, m.source, m.routing_key, m.no_wait,
                               m.arguments};
                return exchange_bind(b, false);
            } else if constexpr (std::is_same_v<M, QueueDeclare>) {
                return queue_declare(m);
            } else if constexpr (std::is_same_v<M, QueueBind>) {
                return queue_bind(m);
            } else if constexpr (std::is_same_v<M, QueueUnbind>) {
                return queue_unbind(m);
            } else if constexpr (std::is_same_v<M, QueuePurge>) {
                return queue_purge(m);
            } else if constexpr (std::is_same_v<M, QueueDelete>) {
                return queue_delete(m);
            } else if constexpr (std::is_same_v<M, BasicQos>) {
                return basic_qos(m);
            } else if constexpr (std::is_same_v<M, BasicConsume>) {
                return basic_consume(m);
            } else if constexpr (std::is_same_v<M, BasicCancel>) {
                return basic_cancel(m);
            } else if constexpr (std::is_same_v<M, BasicPublish>) {
                if (m.immediate) {
                    return error(reply::kNotImplemented, "immediate=true");
                }
                std::string ex = m.exchange == "amq.default" ? std::string() : m.exchange;
                if (!ex.empty()) {
                    auto* x = conn_.server().broker().find_exchange(ex);
                    if (!x) return error(reply::kNotFound, "no exchange '" + ex + "' in vhost '/'");
                    if (x->options().internal) {
                        return error(reply::kAccessRefused,
                                     "cannot publish to internal exchange '" + ex +
                                         "' in vhost '/'");
                    }
                }
                incoming_.emplace();
                incoming_->method = std::move(m);
                incoming_->method.exchange = std::move(ex);
                return {};
            } else if constexpr (std::is_same_v<M, BasicGet>) {
                return basic_get(m);
            } else if constexpr (std::is_same_v<M, BasicAck>) {
                return settle(SettleKind::Ack, m.delivery_tag, m.multiple, false);
            } else if constexpr (std::is_same_v<M, BasicNack>) {
                return settle(SettleKind::Nack, m.delivery_tag, m.multiple, m.requeue);
            } else if constexpr (std::is_same_v<M, BasicReject>) {
                return settle(SettleKind::Reject, m.delivery_tag, false, m.requeue);
            } else if constexpr (std::is_same_v<M, BasicRecoverAsync>) {
                return basic_recover(m.requeue);
            } else if constexpr (std::is_same_v<M, BasicRecover>) {
                Error e = basic_recover(m.requeue);
                if (!e) conn_.send_method(id_, BasicRecoverOk{});
                return e;
            } else if constexpr (std::is_same_v<M, ConfirmSelect>) {
                if (mode_ == Mode::Tx) {
                    return error(reply::kPreconditionFailed,
                                 "cannot switch from tx to confirm mode");
                }
                mode_ = Mode::Confirm;
                if (!m.no_wait) conn_.send_method(id_, ConfirmSelectOk{});
                return {};
            } else if constexpr (std::is_same_v<M, TxSelect>) {
                if (mode_ == Mode::Confirm) {
                    return error(reply::kPreconditionFailed,
                                 "cannot switch from confirm to tx mode");
                }
                mode_ = Mode::Tx;
                conn_.send_method(id_, TxSelectOk{});
                return {};
            } else if constexpr (std::is_same_v<M, TxCommit>) {
                if (mode_ != Mode::Tx) {
                    return error(reply::kPreconditionFailed, "channel is not transactional");
                }
                return tx_commit();
            } else if constexpr (std::is_same_v<M, TxRollback>) {
                if (mode_ != Mode::Tx) {
                    return error(reply::kPreconditionFailed, "channel is not transactional");
                }
                tx_publishes_.clear();
                tx_settles_.clear();
                conn_.send_method(id_, TxRollbackOk{});
                return {};
            } else {
                // Methods only a server sends, or that the connection handles.
                return error(reply::kCommandInvalid,
                             std::string("unexpected method ") + M::kName + " from the client");
            }
        },
        method);
}

Error Channel::handle_header(ContentHeader& header) {
    if (!incoming_ || incoming_->have_header) {
        return error(reply::kUnexpectedFrame, "content header without a basic.publish");
    }
    const auto max = conn_.server().options().max_message_size;
    if (header.body_size > max) {
        incoming_.reset();
        return Error{reply::kPreconditionFailed,
                     "message size " + std::to_string(header.body_size) +
                         " is larger than configured max size " + std::to_string(max),
                     kBasicClass, BasicPublish::kMethodId};
    }
    incoming_->have_header = true;
    incoming_->body_size = header.body_size;
    incoming_->props = std::move(header.properties);
    incoming_->body.reserve(static_cast<std::size_t>(header.body_size));
    if (header.body_size == 0) return finish_publish();
    return {};
}

Error Channel::handle_body(ContentBody& body) {
    if (!incoming_ || !incoming_->have_header) {
        return error(reply::kUnexpectedFrame, "content body without a content header");
    }
    if (incoming_->body.size() + body.payload.size() > incoming_->body_size) {
        return error(reply::kFrameError, "content body larger than the header's body size");
    }
    if (incoming_->body.empty() && body.payload.size() == incoming_->body_size) {
        incoming_->body = std::move(body.payload);
    } else {
        incoming_->body.append(body.payload);
    }
    if (incoming_->body.size() == incoming_->body_size) return finish_publish();
    return {};
}

Error Channel::finish_publish() {
    Incoming in = std::move(*incoming_);
    incoming_.reset();
    auto& props = in.props;
    if (props.expiration && !parse_expiration(*props.expiration)) {
        return Error{reply::kPreconditionFailed, "invalid expiration '" + *props.expiration + "'",
                     kBasicClass, BasicPublish::kMethodId};
    }
    if (props.user_id && *props.user_id != conn_.user()) {
        return Error{reply::kPreconditionFailed,
                     "user_id property set to '" + *props.user_id +
                         "' but authenticated user was '" + conn_.user() + "'",
                     kBasicClass, BasicPublish::kMethodId};
    }
    conn_.published();
    const bool mandatory = in.method.mandatory;
    BasicProperties kept;
    if (mandatory) kept = props;  // a basic.return shows the properties as published
    core::Message msg = to_message(in.method, std::move(props), std::move(in.body));
    msg.origin = core::Origin{core::Protocol::Amqp, conn_.name(), conn_.user()};

    if (mode_ == Mode::Tx) {
        tx_publishes_.push_back(TxPublish{std::move(msg), mandatory, std::move(kept)});
        return {};
    }
    if (mode_ == Mode::Confirm) {
        const std::uint64_t seq = ++publish_seq_;
        confirms_.push_back(PendingConfirm{seq, ConfirmState::Pending});
        std::weak_ptr<Channel*> token = self_;
        publish(std::move(msg), mandatory, std::move(kept),
                [token, seq](const core::PublishOutcome& o) {
                    if (auto p = token.lock()) {
                        // reject-publish overflow: nacked only when no queue took it.
                        (*p)->confirm_done(seq, o.ok && !(o.rejected > 0 && o.routed == 0));
                    }
                });
        return {};
    }
    publish(std::move(msg), mandatory, std::move(kept), nullptr);
    return {};
}

void Channel::publish(core::Message message, bool mandatory, BasicProperties props,
                      std::function<void(const core::PublishOutcome&)> then) {
    if (!mandatory) {
        conn_.server().broker().publish(std::move(message), then);
        return;
    }
    // The outcome of an unroutable message comes at once (nothing to store), so the return
    // goes out before the confirm, as clients expect.
    struct Returned {
        std::string exchange, routing_key, body;
        BasicProperties props;
    };
    auto copy = std::make_shared<Returned>(
        Returned{message.exchange, message.routing_key, message.payload, std::move(props)});
    std::weak_ptr<Channel*> token = self_;
    conn_.server().broker().publish(
        std::move(message), [token, copy, then](const core::PublishOutcome& o) {
            if (o.routed == 0 && o.rejected == 0) {
                if (auto p = token.lock()) {
                    core::Message m;
                    m.exchange = copy->exchange;
                    m.routing_key = copy->routing_key;
                    m.payload = copy->body;
                    (*p)->send_return(m, copy->props);
                }
            }
            if (then) then(o);
        });
}

void Channel::send_return(const core::Message& m, const BasicProperties& props) {
    BasicReturn r{reply::kNoRoute, "NO_ROUTE", m.exchange, m.routing_key};
    encode_return(id_, r, props, m.payload, conn_.frame_max(), conn_.output());
    conn_.wrote();
}

void Channel::confirm_done(std::uint64_t seq, bool ack) {
    if (confirms_.empty() || seq < confirms_.front().seq) return;
    auto& c = confirms_[static_cast<std::size_t>(seq - confirms_.front().seq)];
    c.state = ack ? ConfirmState::Ack : ConfirmState::Nack;
    conn_.server().confirms_ready(this);
}

void Channel::flush_confirms() {
    if (shut_) return;
    std::uint64_t run_first = 0, run_last = 0;
    auto flush_run = [&] {
        if (run_last == 0) return;
        encode_method(id_, BasicAck{run_last, run_last != run_first}, conn_.output());
        run_first = run_last = 0;
    };
    bool any = false;
    while (!confirms_.empty() && confirms_.front().state != ConfirmState::Pending) {
        const auto c = confirms_.front();
        confirms_.pop_front();
        any = true;
        if (c.state == ConfirmState::Ack) {
            if (run_last == 0) run_first = c.seq;
            run_last = c.seq;
        } else {
            flush_run();
            encode_method(id_, BasicNack{c.seq, false, false}, conn_.output());
        }
    }
    flush_run();
    if (any) conn_.wrote();
}

Error Channel::tx_commit() {
    // Acks first: RabbitMQ applies a transaction's acks and publishes together; ours are
    // independent, so order does not change the outcome.
    auto settles = std::move(tx_settles_);
    tx_settles_.clear();
    const Mode saved = mode_;
    mode_ = Mode::Plain;  // settle() applies at once outside tx mode
    for (const auto& s : settles) {
        if (Error e = settle(s.kind, s.tag, s.multiple, s.requeue)) {
            mode_ = saved;
            return e;
        }
    }
    mode_ = saved;
    auto publishes = std::move(tx_publishes_);
    tx_publishes_.clear();
    if (publishes.empty()) {
        conn_.send_method(id_, TxCommitOk{});
        return {};
    }
    // commit-ok once every publish is as safe as it gets (stored, for persistent messages).
    commit_outstanding_ = publishes.size() + 1;  // +1 held until the loop below is done
    std::weak_ptr<Channel*> token = self_;
    auto done = [token](const core::PublishOutcome&) {
        if (auto p = token.lock()) {
            Channel& ch = **p;
            if (--ch.commit_outstanding_ == 0) ch.conn_.send_method(ch.id_, TxCommitOk{});
        }
    };
    for (auto& tp : publishes) publish(std::move(tp.message), tp.mandatory, std::move(tp.props), done);
    if (--commit_outstanding_ == 0) conn_.send_method(id_, TxCommitOk{});
    return {};
}

Channel::Unacked* Channel::find_unacked(std::uint64_t tag) {
    auto it = std::lower_bound(unacked_.begin(), unacked_.end(), tag,
                               [](const Unacked& u, std::uint64_t t) { return u.tag < t; });
    if (it == unacked_.end() || it->tag != tag || !it->live) return nullptr;
    return &*it;
}

void Channel::pop_settled() {
    while (!unacked_.empty() && !unacked_.front().live) unacked_.pop_front();
}

bool Channel::can_deliver() const {
    if (shut_ || settling_ || conn_.congested()) return false;
    if (channel_prefetch_ != 0 && unacked_live_ >= channel_prefetch_) {
        const_cast<Channel*>(this)->channel_limited_ = true;
        return false;
    }
    return true;
}

bool Channel::deliver(ChannelConsumer& c, core::Queue& q, core::DeliveryTag tag,
                      const core::QueueEntry& entry) {
    const std::uint64_t dtag = next_delivery_tag();
    const core::Message& m = *entry.msg;
    BasicDeliver d{c.tag(), dtag, entry.redelivered, m.exchange, m.routing_key};
    encode_deliver(id_, d, to_properties(m), m.payload, conn_.frame_max(), conn_.output());
    conn_.wrote();
    if (c.no_ack()) return false;
    unacked_.push_back(Unacked{dtag, &q, q.life(), tag, &c, true});
    ++unacked_live_;
    return true;
}

void Channel::resume() {
    channel_limited_ = false;
    // Copy the queues first: dispatching may cancel consumers (auto-delete, expiry).
    std::vector<std::pair<core::Queue*, std::weak_ptr<const void>>> queues;
    for (auto& [tag, c] : consumers_) queues.emplace_back(&c->queue(), c->queue().life());
    for (auto& [q, life] : queues) {
        if (!life.expired()) q->dispatch();
    }
}

void Channel::shutdown() {
    if (shut_) return;
    shut_ = true;
    incoming_.reset();
    auto& server = conn_.server();
    // Consumers go first, requeueing their unacked deliveries in order (Queue does that).
    std::vector<std::string> auto_delete;
    for (auto& [tag, c] : consumers_) {
        core::Queue& q = c->queue();
        server.consumer_removed(&q, c.get());
        q.remove_consumer(c.get(), true);
        if (q.options().auto_delete && q.consumer_count() == 0 && server.consumers_of(&q) == 0) {
            auto_delete.push_back(q.name());
        }
    }
    consumers_.clear();
    // What is left unacked came from basic.get (or from consumers already cancelled): back to
    // the head of its queue, latest first so the original order is restored.
    for (auto it = unacked_.rbegin(); it != unacked_.rend(); ++it) {
        if (!it->live || it->life.expired()) continue;
        it->live = false;
        it->queue->nack(it->queue_tag, true);
    }
    unacked_.clear();
    unacked_live_ = 0;
    confirms_.clear();
    tx_publishes_.clear();
    tx_settles_.clear();
    server.channel_gone(this);
    for (const auto& name : auto_delete) {
        if (auto* q = server.broker().find_queue(name); q && q->consumer_count() == 0) {
            server.delete_queue(*q);
        }
    }
}

void Channel::cancelled_by_server(ChannelConsumer& c) {
    const std::string tag = c.tag();
    core::Queue& q = c.queue();
    conn_.server().consumer_removed(&q, &c);
    q.remove_consumer(&c, false);
    // Its unacked deliveries stay ackable; the queue they came from is about to go, so the
    // acks will find nothing (Unacked::life).
    for (auto& u : unacked_) {
        if (u.consumer == &c) u.consumer = nullptr;
    }
    consumers_.erase(tag);
    if (conn_.client_capabilities().consumer_cancel_notify) {
        conn_.send_method(id_, BasicCancel{tag, true});
    }
}

}  // namespace sy::amqp

// Exchange and queue methods, with RabbitMQ's checks and wording: reserved "amq." names,
// equivalence of redeclarations, exclusive queues, "" for the channel's last declared queue.

#include "core/broker/queue_arguments.hpp"
#include "protocols/amqp/channel.hpp"
#include "protocols/amqp/connection.hpp"
#include "protocols/amqp/mapping.hpp"
#include "protocols/amqp/server.hpp"

namespace sy::amqp {
namespace {

std::string no_exchange(const std::string& name) {
    return "no exchange '" + name + "' in vhost '/'";
}
std::string no_queue(const std::string& name) { return "no queue '" + name + "' in vhost '/'"; }

const char* flag(bool b) { return b ? "true" : "false"; }

std::string inequivalent(const char* what, const std::string& arg, const std::string& name,
                         const std::string& received, const std::string& current) {
    return "inequivalent arg '" + arg + "' for " + what + " '" + name + "' in vhost '/': received '" +
           received + "' but current is '" + current + "'";
}

std::string value_text(const core::HeaderValue* v) { return v ? core::to_text(*v) : "none"; }

const core::HeaderValue* find_arg(const core::Headers& h, std::string_view name) {
    for (const auto& [k, v] : h) {
        if (k == name) return &v;
    }
    return nullptr;
}

// RabbitMQ compares the x- arguments that shape a queue; others may differ.
constexpr std::string_view kQueueShapingArgs[] = {
    "x-message-ttl",  "x-expires",      "x-max-length",          "x-max-length-bytes",
    "x-overflow",     "x-dead-letter-exchange", "x-dead-letter-routing-key",
    "x-max-priority", "x-queue-type",   "x-queue-mode",
};

}  // namespace

Error Channel::check_exclusive(const core::Queue& q) const {
    if (q.options().exclusive && q.options().owner != conn_.name()) {
        return error(reply::kResourceLocked,
                     "cannot obtain exclusive access to locked queue '" + q.name() +
                         "' in vhost '/'. It could be originally declared on another connection "
                         "or the exclusive property value does not match that of the original "
                         "declaration.");
    }
    return {};
}

Error Channel::resolve_queue(const std::string& name, core::Queue*& out) {
    const std::string& n = name.empty() ? last_queue_ : name;
    if (n.empty()) return error(reply::kNotFound, "no previously declared queue");
    out = conn_.server().broker().find_queue(n);
    if (!out) return error(reply::kNotFound, no_queue(n));
    return check_exclusive(*out);
}

Error Channel::exchange_declare(const ExchangeDeclare& m) {
    auto& broker = conn_.server().broker();
    if (m.exchange.empty() || m.exchange == "amq.default") {
        return error(reply::kAccessRefused, "operation not permitted on the default exchange");
    }
    auto* ex = broker.find_exchange(m.exchange);
    if (m.passive) {
        if (!ex) return error(reply::kNotFound, no_exchange(m.exchange));
        if (!m.no_wait) conn_.send_method(id_, ExchangeDeclareOk{});
        return {};
    }
    auto type = core::parse_exchange_type(m.type);
    if (!type) {
        // A connection error in RabbitMQ: the client asked for something that cannot exist.
        return error(reply::kCommandInvalid, "unknown exchange type '" + m.type + "'");
    }
    if (ex) {
        const auto& o = ex->options();
        if (ex->type() != *type) {
            return error(reply::kPreconditionFailed,
                         inequivalent("exchange", "type", m.exchange, m.type,
                                      std::string(core::to_string(ex->type()))));
        }
        if (o.durable != m.durable) {
            return error(reply::kPreconditionFailed,
                         inequivalent("exchange", "durable", m.exchange, flag(m.durable),
                                      flag(o.durable)));
        }
        if (o.auto_delete != m.auto_delete) {
            return error(reply::kPreconditionFailed,
                         inequivalent("exchange", "auto_delete", m.exchange, flag(m.auto_delete),
                                      flag(o.auto_delete)));
        }
        if (o.internal != m.internal) {
            return error(reply::kPreconditionFailed,
                         inequivalent("exchange", "internal", m.exchange, flag(m.internal),
                                      flag(o.internal)));
        }
    } else {
        if (m.exchange.starts_with("amq.")) {
            return error(reply::kAccessRefused, "exchange name '" + m.exchange +
                                                    "' contains reserved prefix 'amq.*'");
        }
        core::ExchangeOptions opts;
        opts.durable = m.durable;
        opts.auto_delete = m.auto_delete;
        opts.internal = m.internal;
        opts.args = to_headers(m.arguments);
        broker.declare_exchange(m.exchange, *type, std::move(opts));
    }
    if (!m.no_wait) conn_.send_method(id_, ExchangeDeclareOk{});
    return {};
}

Error Channel::exchange_delete(const ExchangeDelete& m) {
    auto& broker = conn_.server().broker();
    if (m.exchange.empty() || m.exchange == "amq.default") {
        return error(reply::kAccessRefused, "operation not permitted on the default exchange");
    }
    if (m.exchange.starts_with("amq.")) {
        return error(reply::kAccessRefused,
                     "operation not permitted on exchange '" + m.exchange + "' in vhost '/'");
    }
    if (auto* ex = broker.find_exchange(m.exchange)) {
        if (m.if_unused && ex->binding_count() > 0) {
            return error(reply::kPreconditionFailed,
                         "exchange '" + m.exchange + "' in vhost '/' in use");
        }
        broker.delete_exchange(m.exchange);
    }
    // Deleting what does not exist succeeds, as in RabbitMQ 3.x.
    if (!m.no_wait) conn_.send_method(id_, ExchangeDeleteOk{});
    return {};
}

Error Channel::exchange_bind(const ExchangeBind& m, bool bind) {
    auto& broker = conn_.server().broker();
    for (const auto* name : {&m.source, &m.destination}) {
        if (name->empty() || *name == "amq.default") {
            return error(reply::kAccessRefused, "operation not permitted on the default exchange");
        }
    }
    auto* source = broker.find_exchange(m.source);
    if (!source) return error(reply::kNotFound, no_exchange(m.source));
    auto* destination = broker.find_exchange(m.destination);
    if (!destination) return error(reply::kNotFound, no_exchange(m.destination));
    core::Binding b;
    b.key = m.routing_key;
    b.args = to_headers(m.arguments);
    b.exchange = destination;
    if (bind) {
        broker.bind(m.source, b);
        if (!m.no_wait) conn_.send_method(id_, ExchangeBindOk{});
    } else {
        broker.unbind(m.source, b);
        maybe_delete_auto_exchange(m.source);
        if (!m.no_wait) conn_.send_method(id_, ExchangeUnbindOk{});
    }
    return {};
}

void Channel::maybe_delete_auto_exchange(const std::string& name) {
    auto& broker = conn_.server().broker();
    auto* ex = broker.find_exchange(name);
    if (ex && ex->options().auto_delete && ex->binding_count() == 0) broker.delete_exchange(name);
}

Error Channel::queue_declare(const QueueDeclare& m) {
    auto& server = conn_.server();
    auto& broker = server.broker();
    std::string name = m.queue;
    if (m.passive) {
        core::Queue* q = nullptr;
        if (Error e = resolve_queue(name, q)) return e;
        last_queue_ = q->name();
        if (!m.no_wait) {
            conn_.send_method(id_, QueueDeclareOk{q->name(),
                                                  static_cast<std::uint32_t>(q->ready_count()),
                                                  static_cast<std::uint32_t>(q->consumer_count())});
        }
        return {};
    }
    if (name.empty()) {
        name = server.generate_name("amq.gen-");
    } else if (name.starts_with("amq.")) {
        return error(reply::kAccessRefused,
                     "queue name '" + name + "' contains reserved prefix 'amq.*'");
    }
    core::Queue* q = broker.find_queue(name);
    if (q) {
        if (Error e = check_exclusive(*q)) return e;
        const auto& o = q->options();
        if (o.exclusive != m.exclusive) {
            return error(reply::kResourceLocked,
                         "cannot obtain exclusive access to locked queue '" + name +
                             "' in vhost '/'. It could be originally declared on another "
                             "connection or the exclusive property value does not match that of "
                             "the original declaration.");
        }
        if (o.durable != m.durable) {
            return error(reply::kPreconditionFailed,
                         inequivalent("queue", "durable", name, flag(m.durable), flag(o.durable)));
        }
        if (o.auto_delete != m.auto_delete) {
            return error(reply::kPreconditionFailed,
                         inequivalent("queue", "auto_delete", name, flag(m.auto_delete),
                                      flag(o.auto_delete)));
        }
        const core::Headers args = to_headers(m.arguments);
        for (auto arg : kQueueShapingArgs) {
            const auto* now = find_arg(o.args, arg);
            const auto* asked = find_arg(args, arg);
            if ((now == nullptr) != (asked == nullptr) || (now && !(*now == *asked))) {
                return error(reply::kPreconditionFailed,
                             inequivalent("queue", std::string(arg), name, value_text(asked),
                                          value_text(now)));
            }
        }
        q = broker.declare_queue(name, o);  // counts as use (x-expires)
    } else {
        core::QueueOptions qo;
        qo.durable = m.durable;
        qo.exclusive = m.exclusive;
        qo.auto_delete = m.auto_delete;
        if (m.exclusive) qo.owner = conn_.name();
        if (auto ok = core::apply_queue_arguments(to_headers(m.arguments), qo); !ok) {
            return error(reply::kPreconditionFailed, ok.error());
        }
        q = broker.declare_queue(name, std::move(qo));
        if (m.exclusive) server.exclusive_declared(conn_.name(), name);
    }
    last_queue_ = name;
    if (!m.no_wait) {
        conn_.send_method(id_, QueueDeclareOk{name, static_cast<std::uint32_t>(q->ready_count()),
                                              static_cast<std::uint32_t>(q->consumer_count())});
    }
    return {};
}

Error Channel::queue_bind(const QueueBind& m) {
    auto& broker = conn_.server().broker();
    core::Queue* q = nullptr;
    if (Error e = resolve_queue(m.queue, q)) return e;
    if (m.exchange.empty() || m.exchange == "amq.default") {
        return error(reply::kAccessRefused, "operation not permitted on the default exchange");
    }
    if (!broker.find_exchange(m.exchange)) return error(reply::kNotFound, no_exchange(m.exchange));
    core::Binding b;
    b.queue = q;
    // RabbitMQ: an empty queue name and key bind with the queue's own name as the key.
    b.key = m.queue.empty() && m.routing_key.empty() ? q->name() : m.routing_key;
    b.args = to_headers(m.arguments);
    broker.bind(m.exchange, b);
    if (!m.no_wait) conn_.send_method(id_, QueueBindOk{});
    return {};
}

Error Channel::queue_unbind(const QueueUnbind& m) {
    auto& broker = conn_.server().broker();
    core::Queue* q = nullptr;
    if (Error e = resolve_queue(m.queue, q)) return e;
    if (m.exchange.empty() || m.exchange == "amq.default") {
        return error(reply::kAccessRefused, "operation not permitted on the default exchange");
    }
    if (!broker.find_exchange(m.exchange)) return error(reply::kNotFound, no_exchange(m.exchange));
    core::Binding b;
    b.queue = q;
    b.key = m.routing_key;
    b.args = to_headers(m.arguments);
    broker.unbind(m.exchange, b);  // a binding that is not there is not an error
    maybe_delete_auto_exchange(m.exchange);
    conn_.send_method(id_, QueueUnbindOk{});
    return {};
}

Error Channel::queue_purge(const QueuePurge& m) {
    core::Queue* q = nullptr;
    if (Error e = resolve_queue(m.queue, q)) return e;
    const auto n = q->purge();
    if (!m.no_wait) conn_.send_method(id_, QueuePurgeOk{static_cast<std::uint32_t>(n)});
    return {};
}

Error Channel::queue_delete(const QueueDelete& m) {
    auto& server = conn_.server();
    core::Queue* q = nullptr;
    if (Error e = resolve_queue(m.queue, q)) {
        // Deleting a queue that is not there succeeds, as in RabbitMQ 3.x.
        if (e.code != reply::kNotFound) return e;
        if (!m.no_wait) conn_.send_method(id_, QueueDeleteOk{0});
        return {};
    }
    if (m.if_unused && q->consumer_count() > 0) {
        return error(reply::kPreconditionFailed, "queue '" + q->name() + "' in vhost '/' in use");
    }
    if (m.if_empty && q->ready_count() > 0) {
        return error(reply::kPreconditionFailed,
                     "queue '" + q->name() + "' in vhost '/' is not empty");
    }
    if (q->consumer_count() > server.consumers_of(q)) {
        // Consumed over MQTT or STOMP: those sessions own it.
        return error(reply::kResourceLocked,
                     "queue '" + q->name() + "' in vhost '/' is in use by another protocol");
    }
    const auto n = server.delete_queue(*q);
    if (!m.no_wait) conn_.send_method(id_, QueueDeleteOk{static_cast<std::uint32_t>(n)});
    return {};
}

}  // namespace sy::amqp

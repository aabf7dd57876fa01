// SUBSCRIBE and UNSUBSCRIBE: the queue behind each destination kind, as RabbitMQ builds it.

#include <algorithm>
#include <cstdint>
#include <iterator>

#include "core/broker/queue_arguments.hpp"
#include "protocols/stomp/connection.hpp"
#include "protocols/stomp/mapping.hpp"
#include "protocols/stomp/server.hpp"

namespace sy::stomp {
namespace {

std::optional<bool> flag(const Frame& f, std::string_view name) {
    const std::string* v = f.header(name);
    if (!v) return std::nullopt;
    return *v == "true";
}

// Queue arguments from x- headers; RabbitMQ's numeric ones become integers when they parse.
core::Headers queue_arguments(const Frame& f) {
    static constexpr std::string_view kNumeric[] = {"x-message-ttl", "x-expires", "x-max-length",
                                                    "x-max-length-bytes", "x-max-priority"};
    core::Headers args;
    for (const auto& [name, value] : f.headers) {
        if (!name.starts_with("x-") || !is_queue_header(name) || name == "x-queue-name") continue;
        std::uint64_t n = 0;
        const bool numeric = std::find(std::begin(kNumeric), std::end(kNumeric), name) !=
                             std::end(kNumeric);
        if (numeric && parse_uint(value, n) && n <= static_cast<std::uint64_t>(INT64_MAX)) {
            args.emplace_back(name, static_cast<std::int64_t>(n));
        } else {
            args.emplace_back(name, value);
        }
    }
    return args;
}

std::optional<AckMode> parse_ack_mode(const std::string* text) {
    if (!text || *text == "auto") return AckMode::Auto;
    if (*text == "client") return AckMode::Client;
    if (*text == "client-individual") return AckMode::ClientIndividual;
    return std::nullopt;
}

}  // namespace

core::Queue* Connection::declare_queue(const std::string& name, const Frame& f,
                                       core::QueueOptions o) {
    auto& broker = server_.broker();
    if (auto* existing = broker.find_queue(name)) {
        // Declaring again never changes a queue (RabbitMQ's queue immutability).
        return broker.declare_queue(name, existing->options());
    }
    // durable has the alias persistent on SUBSCRIBE; on SEND, persistent is about the message.
    if (auto d = flag(f, "durable")) o.durable = *d;
    if (f.command == Command::Subscribe) {
        if (auto d = flag(f, "persistent"); d && !f.header("durable")) o.durable = *d;
    }
    if (auto a = flag(f, "auto-delete")) o.auto_delete = *a;
    if (auto e = flag(f, "exclusive")) o.exclusive = *e;
    if (o.exclusive) o.owner = session_id_;
    if (auto r = core::apply_queue_arguments(queue_arguments(f), o); !r) {
        send_error("precondition_failed", r.error(), &f);
        return nullptr;
    }
    return broker.declare_queue(name, std::move(o));
}

void Connection::handle_subscribe(const Frame& f) {
    const std::string* dest = f.header("destination");
    if (!dest) {
        send_error("Missing destination", "SUBSCRIBE must have a destination header", &f);
        return;
    }
    const std::string* id_header = f.header("id");
    if (!id_header && version_ != Version::V1_0) {
        send_error("Missing id", "SUBSCRIBE must have an id header in STOMP 1.1 and 1.2", &f);
        return;
    }
    // 1.0 makes the id optional: the destination stands for it.
    const std::string id = id_header ? *id_header : *dest;
    if (subs_.contains(id)) {
        send_error("Duplicated subscription identifier",
                   "a subscription with id '" + id + "' already exists", &f);
        return;
    }
    const auto mode = parse_ack_mode(f.header("ack"));
    if (!mode) {
        send_error("Invalid ack mode", "ack must be auto, client or client-individual", &f);
        return;
    }
    std::uint64_t prefetch = 0;
    if (const std::string* p = f.header("prefetch-count");
        p && (!parse_uint(*p, prefetch) || prefetch > UINT32_MAX)) {
        send_error("Invalid prefetch-count", "prefetch-count must be a non-negative integer", &f);
        return;
    }
    const auto d = parse_destination(*dest);
    if (!d || d->kind == Destination::Kind::TempQueue || d->kind == Destination::Kind::ReplyQueue) {
        send_error("Unknown destination",
                   "'" + *dest + "' is not a valid destination for SUBSCRIBE. Use /topic/, "
                   "/exchange/, /queue/ or /amq/queue/",
                   &f);
        return;
    }
    auto& broker = server_.broker();
    core::Queue* q = nullptr;
    QueueFate fate = QueueFate::Keep;
    bool durable_sub = false;
    switch (d->kind) {
    case Destination::Kind::Queue: {
        core::QueueOptions defaults;
        defaults.durable = true;
        q = declare_queue(d->name, f, defaults);
        if (!q) return;
        break;
    }
    case Destination::Kind::AmqQueue:
        q = broker.find_queue(d->name);
        if (!q) {
            send_error("not_found", "no queue '" + d->name + "'", &f);
            return;
        }
        break;
    default: {
        // /topic/ and /exchange/: a queue of the subscription's own, bound with the pattern.
        if (!broker.find_exchange(d->exchange)) {
            send_error("not_found", "no exchange '" + d->exchange + "'", &f);
            return;
        }
        const bool durable = flag(f, "durable").value_or(flag(f, "persistent").value_or(false));
        // auto-delete defaults to true even for a durable one, as in RabbitMQ.
        const bool auto_delete = flag(f, "auto-delete").value_or(true);
        durable_sub = durable && !auto_delete;
        if (durable_sub && !id_header) {
            send_error("Missing id", "a durable subscription needs an id header", &f);
            return;
        }
        std::string name;
        if (const std::string* x = f.header("x-queue-name"); x && !x->empty()) {
            name = *x;
        } else if (durable_sub) {
            // Named after the client and the subscription, so the same client subscribing
            // with the same id finds its queue again, after a reconnect or a restart.
            name = "stomp-subscription-" + client_id_ + "-" + id;
        } else {
            name = "stomp-subscription-" + session_id_ + "-" + std::to_string(next_queue_++);
        }
        core::QueueOptions defaults;
        defaults.durable = durable_sub;
        defaults.auto_delete = !durable_sub;
        defaults.exclusive = !durable_sub;
        q = declare_queue(name, f, defaults);
        if (!q) return;
        core::Binding b;
        b.queue = q;
        b.key = d->name;
        broker.bind(d->exchange, b);
        fate = q->options().auto_delete ? QueueFate::DeleteWhenUnused : QueueFate::Keep;
        break;
    }
    }
    auto sub = std::make_unique<Subscription>(*this, id, *mode, q, fate, durable_sub);
    auto* raw = sub.get();
    subs_[id] = std::move(sub);
    // The RECEIPT goes before the first MESSAGE, so the client knows the subscription exists
    // when messages arrive.
    receipt_for(f);
    q->add_consumer(raw, static_cast<std::uint32_t>(prefetch));
}

void Connection::handle_unsubscribe(const Frame& f) {
    const std::string* id = f.header("id");
    if (!id && version_ == Version::V1_0) id = f.header("destination");
    if (!id) {
        send_error("Missing id", "UNSUBSCRIBE must have an id header", &f);
        return;
    }
    auto it = subs_.find(*id);
    // The internal subscriptions of temp queues cannot be cancelled (RabbitMQ).
    if (it == subs_.end() || id->starts_with("/temp-queue/")) {
        send_error("Subscription not found", "no subscription with id '" + *id + "'", &f);
        return;
    }
    // With durable:true the client ends a durable subscription for good; without it the
    // queue waits for the client to come back.
    end_subscription(*id, flag(f, "durable").value_or(flag(f, "persistent").value_or(false)));
    receipt_for(f);
}

void Connection::end_subscription(const std::string& id, bool delete_durable) {
    auto it = subs_.find(id);
    if (it == subs_.end()) return;
    std::unique_ptr<Subscription> sub = std::move(it->second);
    subs_.erase(it);
    core::Queue* q = sub->queue();
    // What it had not acknowledged goes back to the queue, flagged redelivered.
    q->remove_consumer(sub.get(), true);
    const bool unused = q->consumer_count() == 0;
    if ((sub->fate() == QueueFate::DeleteWhenUnused && unused) ||
        (sub->durable() && delete_durable && unused)) {
        server_.broker().delete_queue(q->name());
    }
}

}  // namespace sy::stomp

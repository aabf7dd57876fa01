// SEND: resolving the destination, the message, and its RECEIPT after the broker's word.

#include <optional>

#include "core/model/clock.hpp"
#include "protocols/stomp/connection.hpp"
#include "protocols/stomp/mapping.hpp"
#include "protocols/stomp/server.hpp"

namespace sy::stomp {

void Connection::handle_send(Frame& f) {
    const std::string* dest = f.header("destination");
    if (!dest) {
        send_error("Missing destination", "SEND must have a destination header", &f);
        return;
    }
    const auto d = parse_destination(*dest);
    if (!d || d->kind == Destination::Kind::TempQueue) {
        send_error("Unknown destination",
                   "'" + *dest + "' is not a valid destination for SEND. Use /topic/, "
                   "/exchange/, /queue/, /amq/queue/ or /reply-queue/",
                   &f);
        return;
    }
    if (const std::string* tx = f.header("transaction")) {
        // Applied on COMMIT; the receipt says the frame was taken into the transaction.
        const std::string name = *tx;
        const std::string* r = f.header("receipt");
        const std::optional<std::string> receipt = r ? std::optional(*r) : std::nullopt;
        if (enlist(name, f) && receipt) queue_receipt(*receipt, true);
        return;
    }
    core::PublishDone done;
    if (const std::string* r = f.header("receipt")) {
        // Released by the broker once the message is as safe as it gets: after the store's
        // commit for a persistent message routed to a durable queue.
        done = receipt_completion(queue_receipt(*r, false));
    }
    publish(f, done);
}

bool Connection::publish(const Frame& send, const core::PublishDone& done) {
    const auto d = parse_destination(*send.header("destination"));
    std::string exchange;
    std::string key;
    if (!resolve_target(send, *d, exchange, key)) return false;
    core::Message m = to_message(send, std::move(exchange), std::move(key), core::wall_ms());
    if (const std::string* reply = send.header("reply-to")) {
        if (auto r = parse_destination(*reply); r && r->kind == Destination::Kind::TempQueue) {
            m.props.reply_to = temp_reply_to(r->name);
        }
    }
    m.origin.client_id = client_id_;
    m.origin.user = login_;
    server_.broker().publish(std::move(m), done);
    return true;
}

bool Connection::resolve_target(const Frame& f, const Destination& d, std::string& exchange,
                                std::string& key) {
    auto& broker = server_.broker();
    switch (d.kind) {
    case Destination::Kind::Topic:
        exchange = d.exchange;
        key = d.name;
        return true;
    case Destination::Kind::Exchange:
        if (!broker.find_exchange(d.exchange)) {
            send_error("not_found", "no exchange '" + d.exchange + "'", &f);
            return false;
        }
        exchange = d.exchange;
        key = d.name;
        return true;
    case Destination::Kind::Queue: {
        // Declared on first use, durable unless the frame says otherwise (RabbitMQ).
        core::QueueOptions defaults;
        defaults.durable = true;
        if (!declare_queue(d.name, f, defaults)) return false;
        key = d.name;
        return true;
    }
    case Destination::Kind::AmqQueue:
        if (!broker.find_queue(d.name)) {
            send_error("not_found", "no queue '" + d.name + "'", &f);
            return false;
        }
        key = d.name;
        return true;
    case Destination::Kind::ReplyQueue:
        // Through the default exchange: a reply to a queue that is gone is dropped.
        key = d.name;
        return true;
    case Destination::Kind::TempQueue: break;
    }
    send_error("Unknown destination", "temp queues are for reply-to headers only", &f);
    return false;
}

std::string Connection::temp_reply_to(const std::string& label) {
    auto it = temp_queues_.find(label);
    if (it == temp_queues_.end()) {
        // A server-named private queue, consumed at once by an internal auto-ack subscription
        // whose id is the temp-queue destination: replies are told apart by that id.
        const std::string name =
            "amq.gen-" + session_id_ + "-" + std::to_string(next_queue_++);
        core::QueueOptions o;
        o.exclusive = true;
        o.auto_delete = true;
        o.owner = session_id_;
        auto* q = server_.broker().declare_queue(name, o);
        const std::string sub_id = "/temp-queue/" + label;
        auto sub = std::make_unique<Subscription>(*this, sub_id, AckMode::Auto, q,
                                                  QueueFate::DeleteWhenUnused, false);
        auto* raw = sub.get();
        subs_[sub_id] = std::move(sub);
        q->add_consumer(raw);
        it = temp_queues_.emplace(label, name).first;
    }
    return "/reply-queue/" + it->second;
}

// ---- transactions --------------------------------------------------------------------------

bool Connection::enlist(const std::string& tx, Frame& f) {
    auto it = transactions_.find(tx);
    if (it == transactions_.end()) {
        send_error("Invalid transaction", "transaction '" + tx + "' was not begun", &f);
        return false;
    }
    auto& t = it->second;
    const auto& o = server_.options();
    if (t.frames.size() >= o.max_transaction_frames || t.bytes + f.body.size() > o.max_transaction_bytes) {
        send_error("Transaction too large", "transaction '" + tx + "' holds too much", &f);
        return false;
    }
    t.bytes += f.body.size();
    t.frames.push_back(std::move(f));
    return true;
}

void Connection::handle_begin(const Frame& f) {
    const std::string* tx = f.header("transaction");
    if (!tx) {
        send_error("Missing transaction", "BEGIN must have a transaction header", &f);
        return;
    }
    if (!transactions_.try_emplace(*tx).second) {
        send_error("Invalid transaction", "transaction '" + *tx + "' is already active", &f);
        return;
    }
    receipt_for(f);
}

void Connection::handle_abort(const Frame& f) {
    const std::string* tx = f.header("transaction");
    if (!tx || transactions_.erase(*tx) == 0) {
        send_error("Invalid transaction", "ABORT of a transaction that was not begun", &f);
        return;
    }
    receipt_for(f);
}

void Connection::handle_commit(const Frame& f) {
    const std::string* tx = f.header("transaction");
    auto it = tx ? transactions_.find(*tx) : transactions_.end();
    if (it == transactions_.end()) {
        send_error("Invalid transaction", "COMMIT of a transaction that was not begun", &f);
        return;
    }
    Transaction t = std::move(it->second);
    transactions_.erase(it);
    // The COMMIT's receipt waits for every persistent SEND in it, like a SEND's own would.
    std::uint64_t seq = 0;
    std::shared_ptr<std::size_t> outstanding;
    std::shared_ptr<bool> all_ok;
    core::PublishDone done;
    if (const std::string* r = f.header("receipt")) {
        seq = queue_receipt(*r, false);
        outstanding = std::make_shared<std::size_t>(1);  // held until every frame is applied
        all_ok = std::make_shared<bool>(true);
        done = [h = handle(), seq, outstanding, all_ok](const core::PublishOutcome& outcome) {
            *all_ok = *all_ok && outcome.ok;
            if (--*outstanding != 0) return;
            auto alive = h.lock();
            if (alive && *alive) (*alive)->complete_receipt(seq, *all_ok);
        };
    }
    for (auto& frame : t.frames) {
        bool ok = true;
        if (frame.command == Command::Send) {
            if (outstanding) ++*outstanding;
            ok = publish(frame, done);
            if (!ok && outstanding) --*outstanding;
        } else {
            ok = apply_ack(frame, frame.command == Command::Ack);
        }
        if (!ok) return;  // an ERROR went out and the connection is closing
    }
    if (done) done(core::PublishOutcome{});  // releases the hold taken above
}

}  // namespace sy::stomp

// ACK and NACK: by id in 1.2, by message-id (and subscription) in 1.0 and 1.1.

#include <optional>

#include "protocols/stomp/connection.hpp"
#include "protocols/stomp/mapping.hpp"

namespace sy::stomp {

void Connection::handle_ack(Frame& f, bool positive) {
    const char* const id_name = version_ == Version::V1_2 ? "id" : "message-id";
    if (!f.header(id_name)) {
        const std::string what = std::string(to_string(f.command)) + " must have a " + id_name +
                                 " header";
        send_error("Missing " + std::string(id_name), what, &f);
        return;
    }
    if (const std::string* tx = f.header("transaction")) {
        // Applied on COMMIT, dropped on ABORT: until then the message stays unacknowledged.
        const std::string name = *tx;
        const std::string* r = f.header("receipt");
        const std::optional<std::string> receipt = r ? std::optional(*r) : std::nullopt;
        if (enlist(name, f) && receipt) queue_receipt(*receipt, true);
        return;
    }
    if (apply_ack(f, positive)) receipt_for(f);
}

bool Connection::apply_ack(const Frame& f, bool positive) {
    const std::string* id = f.header(version_ == Version::V1_2 ? "id" : "message-id");
    std::uint64_t ack_id = 0;
    Subscription* owner = nullptr;
    if (id && parse_uint(*id, ack_id)) {
        if (const std::string* sid = f.header("subscription")) {
            auto it = subs_.find(*sid);
            if (it != subs_.end() && it->second->owns(ack_id)) owner = it->second.get();
        } else {
            for (const auto& [name, sub] : subs_) {
                if (sub->owns(ack_id)) {
                    owner = sub.get();
                    break;
                }
            }
        }
    }
    if (!owner) {
        // RabbitMQ closes the channel on an unknown delivery tag; an ERROR is STOMP's way.
        send_error("Unknown message id",
                   "no unacknowledged message '" + (id ? *id : std::string()) + "'", &f);
        return false;
    }
    // NACK requeues by default; requeue:false drops or dead-letters (RabbitMQ).
    const std::string* requeue = f.header("requeue");
    owner->settle(ack_id, positive, !requeue || *requeue != "false");
    return true;
}

}  // namespace sy::stomp

#include "core/broker/queue_arguments.hpp"

namespace sy::core {
namespace {

using Fail = std::unexpected<std::string>;

// RabbitMQ accepts any integer field type for these; a non-negative value is required.
std::expected<std::uint64_t, std::string> non_negative(const std::string& name,
                                                       const HeaderValue& v) {
    if (const auto* i = std::get_if<std::int64_t>(&v)) {
        if (*i < 0) return Fail("invalid arg '" + name + "': must be non-negative");
        return static_cast<std::uint64_t>(*i);
    }
    return Fail("invalid arg '" + name + "': must be an integer");
}

std::expected<std::string, std::string> text(const std::string& name, const HeaderValue& v) {
    if (const auto* s = std::get_if<std::string>(&v)) return *s;
    return Fail("invalid arg '" + name + "': must be a string");
}

}  // namespace

std::expected<void, std::string> apply_queue_arguments(const Headers& args,
                                                       QueueOptions& options) {
    for (const auto& [name, value] : args) {
        if (name == "x-message-ttl") {
            auto v = non_negative(name, value);
            if (!v) return Fail(v.error());
            options.message_ttl_ms = *v;
        } else if (name == "x-expires") {
            auto v = non_negative(name, value);
            if (!v) return Fail(v.error());
            if (*v == 0) return Fail("invalid arg 'x-expires': must be positive");
            options.expires_ms = *v;
        } else if (name == "x-max-length") {
            auto v = non_negative(name, value);
            if (!v) return Fail(v.error());
            // 0 means "no messages", not "unlimited" as our internal 0 does; keep one slot so
            // the queue still refuses or drops as the client asked.
            options.max_length = *v == 0 ? 1 : *v;
        } else if (name == "x-max-length-bytes") {
            auto v = non_negative(name, value);
            if (!v) return Fail(v.error());
            options.max_length_bytes = *v == 0 ? 1 : *v;
        } else if (name == "x-overflow") {
            auto v = text(name, value);
            if (!v) return Fail(v.error());
            if (*v == "drop-head") {
                options.overflow = Overflow::DropHead;
            } else if (*v == "reject-publish" || *v == "reject-publish-dlx") {
                options.overflow = Overflow::RejectPublish;
            } else {
                return Fail("invalid arg 'x-overflow': " + *v +
                            " is not drop-head, reject-publish or reject-publish-dlx");
            }
        } else if (name == "x-dead-letter-exchange") {
            auto v = text(name, value);
            if (!v) return Fail(v.error());
            options.dead_letter_exchange = *v;
        } else if (name == "x-dead-letter-routing-key") {
            auto v = text(name, value);
            if (!v) return Fail(v.error());
            options.dead_letter_routing_key = *v;
        }
        // Other arguments (x-queue-type, x-max-priority, ...) are kept in args and ignored,
        // as RabbitMQ ignores arguments it does not know.
    }
    if (options.dead_letter_routing_key && !options.dead_letter_exchange) {
        return Fail("invalid arg 'x-dead-letter-routing-key': x-dead-letter-exchange is not set");
    }
    options.args = args;
    return {};
}

}  // namespace sy::core

#pragma once
// Exchanges route a message to a set of queues through their bindings. They hold Queue
// pointers but never dereference them: routing knows nothing about queues.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/model/message.hpp"
#include "core/routing/topic_pattern.hpp"

namespace sy::core {

class Queue;

// GCC 12 reports the scoped enumerator Headers as shadowing the Headers alias, which it
// cannot do (it is only reachable as ExchangeType::Headers); fixed in later GCC.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
enum class ExchangeType : std::uint8_t { Direct, Fanout, Topic, Headers };
#pragma GCC diagnostic pop

std::optional<ExchangeType> parse_exchange_type(std::string_view name);
std::string_view to_string(ExchangeType type);

class Exchange;

struct Binding {
    Queue* queue = nullptr;
    std::string key;                     // as the client gave it (AMQP form for topic)
    std::optional<TopicPattern> pattern; // topic exchange: overrides parsing key
    Headers args;                        // binding arguments (x-match for headers)
    std::uint8_t qos_cap = 2;            // MQTT granted QoS; 2 for non-MQTT bindings
    // Set instead of queue for an exchange-to-exchange binding (RabbitMQ's exchange.bind):
    // a message routed here continues through that exchange.
    Exchange* exchange = nullptr;
};

// The queues a message goes to, each once, with the highest qos_cap of the bindings that
// matched it [MQTT-3.3.5-1].
class RouteSet {
public:
    struct Target {
        Queue* queue;
        std::uint8_t qos_cap;
    };
    void add(Queue* queue, std::uint8_t qos_cap);
    // Where a binding leads: a queue, or another exchange to route through next.
    void add(const Binding& binding) {
        if (binding.exchange) {
            add_exchange(binding.exchange);
        } else {
            add(binding.queue, binding.qos_cap);
        }
    }
    void add_exchange(Exchange* exchange) { exchanges_.push_back(exchange); }
    // Exchanges still to route through (exchange-to-exchange bindings); the broker drains it.
    std::vector<Exchange*>& pending_exchanges() { return exchanges_; }
    const std::vector<Target>& targets() const { return targets_; }
    void clear() {
        targets_.clear();
        index_.clear();
        exchanges_.clear();
    }
    bool empty() const { return targets_.empty(); }

private:
    // Most messages reach a few queues, where a linear scan beats hashing; a topic with many
    // subscribers switches to the index so fan-out stays linear in the number of queues.
    static constexpr std::size_t kScanLimit = 16;
    std::vector<Target> targets_;
    std::unordered_map<Queue*, std::size_t> index_;  // filled once targets_ passes kScanLimit
    std::vector<Exchange*> exchanges_;
};

struct ExchangeOptions {
    bool durable = true;
    bool auto_delete = false;
    bool internal = false;
    Headers args;
};

class Exchange {
public:
    Exchange(std::string name, ExchangeType type, ExchangeOptions options)
        : name_(std::move(name)), type_(type), options_(std::move(options)) {}
    virtual ~Exchange() = default;
    Exchange(const Exchange&) = delete;
    Exchange& operator=(const Exchange&) = delete;

    const std::string& name() const { return name_; }
    ExchangeType type() const { return type_; }
    const ExchangeOptions& options() const { return options_; }

    // Adds a binding. Identity is (queue, key or pattern, args); binding again with the same
    // identity replaces qos_cap and returns false (not new).
    virtual bool bind(const Binding& binding) = 0;
    // Removes the binding with that identity (qos_cap ignored); false if there was none.
    virtual bool unbind(const Binding& binding) = 0;
    // Removes every binding to queue (the queue is being deleted).
    virtual void unbind_queue(Queue* queue) = 0;
    virtual void route(const Message& message, RouteSet& out) const = 0;
    virtual std::size_t binding_count() const = 0;
    virtual std::vector<Binding> bindings() const = 0;

private:
    std::string name_;
    ExchangeType type_;
    ExchangeOptions options_;
};

std::unique_ptr<Exchange> make_exchange(std::string name, ExchangeType type,
                                        ExchangeOptions options = {});

}  // namespace sy::core

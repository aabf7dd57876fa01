#pragma once
// Broker-wide counters. Plain integers: only the loop thread writes them; readers on other
// threads get a snapshot posted through the loop.

#include <cstdint>

namespace sy::core {

struct BrokerStats {
    std::uint64_t messages_received = 0;  // publishes accepted from any protocol
    std::uint64_t messages_sent = 0;      // deliveries written to consumers
    std::uint64_t bytes_received = 0;     // payload bytes
    std::uint64_t bytes_sent = 0;
    std::uint64_t messages_unroutable = 0;
    std::uint64_t messages_dropped = 0;   // queue overflow, purge, rejects: gone for good
    std::uint64_t messages_expired = 0;   // TTL ran out in a queue (dead-lettered or not)
    std::uint64_t messages_dead_lettered = 0;  // copies republished to a dead-letter exchange
    std::uint64_t dead_letters_dropped = 0;    // no such exchange, unroutable, or a cycle
    std::uint64_t queues_expired = 0;          // deleted by x-expires
    std::uint64_t store_failures = 0;          // publishes the store could not make durable
    std::int64_t last_store_failure_ms = 0;    // core::now_ms() of the latest; 0: never
    std::uint64_t clients_connected = 0;
    std::uint64_t clients_total = 0;      // connected plus disconnected persistent sessions
    std::uint64_t clients_maximum = 0;
};

}  // namespace sy::core

#pragma once
// RabbitMQ's queue arguments (x-message-ttl, x-expires, x-max-length, x-max-length-bytes,
// x-overflow, x-dead-letter-exchange, x-dead-letter-routing-key) to QueueOptions. Used when an
// AMQP client declares a queue and when durable queues are declared again at start-up from the
// arguments the store kept.

#include <expected>
#include <string>

#include "core/model/message.hpp"
#include "core/queue/queue.hpp"

namespace sy::core {

// Fills the argument-driven fields of options from args. The error says which argument is
// wrong and why, in the words RabbitMQ's PRECONDITION_FAILED would use.
std::expected<void, std::string> apply_queue_arguments(const Headers& args, QueueOptions& options);

}  // namespace sy::core

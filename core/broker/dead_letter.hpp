#pragma once
// Dead-lettering as RabbitMQ does it: the copy a queue republishes to its dead-letter exchange,
// its x-death history, and the rule that drops fully automatic cycles. Pure functions: the
// broker does the publishing.
//
// RabbitMQ's x-death header is an array of tables, one per (queue, reason) pair, most recent
// first. Our headers are flat, so the array is spelled out as:
//
//   x-death-reason, x-death-queue, x-death-exchange, x-death-count
//       the most recent entry (x-death[0]); x-death-original-expiration when the message had
//       its own expiration (removed from the copy so it does not expire again downstream)
//   x-death-<i>-reason, -queue, -exchange, -count, -original-expiration
//       the older entries x-death[i], i = 1, 2, ...
//   x-first-death-reason, x-first-death-queue, x-first-death-exchange
//       the first death, set once and kept
//
// so "how often was this rejected from queue q" (x-death-count of the entry for q) survives
// a trip through other queues, and cycles through several queues are seen.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/message.hpp"
#include "core/queue/queue.hpp"

namespace sy::core {

// One entry of x-death.
struct DeathRecord {
    std::string queue;
    DeadLetterReason reason = DeadLetterReason::Rejected;
    std::string exchange;  // the exchange the message had been published to when it died
    std::int64_t count = 1;
    std::optional<std::int64_t> original_expiration_ms;

    bool operator==(const DeathRecord&) const = default;
};

// A copy ready to be republished, with the history it carries.
struct DeadLetter {
    Message message;
    DeadLetterReason reason = DeadLetterReason::Rejected;
    std::vector<DeathRecord> deaths;  // as written into message.headers
};

std::optional<DeadLetterReason> parse_dead_letter_reason(std::string_view s);

// The x-death entries of headers, most recent first. Reading stops at the first entry that is
// missing or malformed (no queue, unknown reason).
std::vector<DeathRecord> read_deaths(const Headers& headers);
// Replaces the x-death entries of headers with deaths; x-first-death-* is left alone.
void write_deaths(Headers& headers, const std::vector<DeathRecord>& deaths);
// Adds a death: an entry with the same queue and reason gets its count raised and moves to the
// front (keeping its exchange and original expiration), anything else is prepended.
void record_death(std::vector<DeathRecord>& deaths, DeathRecord death);
// Whether routing a dead letter with this history to target closes a cycle that no client
// took part in: the target queue is in the history and no death since (the target's included)
// was a rejection. RabbitMQ drops the copy for such targets; a cycle with a rejection in it is
// left alone, since it moves only as fast as a consumer rejects.
bool is_death_cycle(const std::vector<DeathRecord>& deaths, std::string_view target_queue);

// The copy of m that queue (with these options, which name a dead-letter exchange) republishes
// for reason: addressed to the dead-letter exchange with the dead-letter routing key or m's own,
// x-death recorded, per-message expiration removed, not retained, and with a blank id and
// publish time for Broker::publish to fill in. Its origin becomes Internal (the broker is the
// publisher now, so it is not counted as received again); client id and user are kept.
DeadLetter make_dead_letter(const Message& m, const std::string& queue,
                            const QueueOptions& options, DeadLetterReason reason);

}  // namespace sy::core

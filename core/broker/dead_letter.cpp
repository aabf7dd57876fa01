#include "core/broker/dead_letter.hpp"

#include <algorithm>
#include <array>
#include <limits>

namespace sy::core {
namespace {

constexpr std::string_view kDeathPrefix = "x-death-";
constexpr std::string_view kFirstReason = "x-first-death-reason";
constexpr std::string_view kFirstQueue = "x-first-death-queue";
constexpr std::string_view kFirstExchange = "x-first-death-exchange";

constexpr std::string_view kReason = "reason";
constexpr std::string_view kQueue = "queue";
constexpr std::string_view kExchange = "exchange";
constexpr std::string_view kCount = "count";
constexpr std::string_view kOriginalExpiration = "original-expiration";
constexpr std::array kFields{kReason, kQueue, kExchange, kCount, kOriginalExpiration};

// x-death-<field> for entry 0, x-death-<i>-<field> for the older ones.
std::string death_key(std::size_t i, std::string_view field) {
    std::string key(kDeathPrefix);
    if (i > 0) {
        key += std::to_string(i);
        key += '-';
    }
    key += field;
    return key;
}

// Whether name is one of the keys death_key() makes, so a rewrite replaces exactly those.
bool is_death_key(std::string_view name) {
    if (!name.starts_with(kDeathPrefix)) return false;
    name.remove_prefix(kDeathPrefix.size());
    const auto digits = name.find_first_not_of("0123456789");
    if (digits != 0 && digits != std::string_view::npos && name[digits] == '-') {
        name.remove_prefix(digits + 1);
    }
    return std::find(kFields.begin(), kFields.end(), name) != kFields.end();
}

const HeaderValue* find(const Headers& headers, std::string_view key) {
    for (const auto& [name, value] : headers) {
        if (name == key) return &value;
    }
    return nullptr;
}

const std::string* find_string(const Headers& headers, std::string_view key) {
    const auto* v = find(headers, key);
    return v ? std::get_if<std::string>(v) : nullptr;
}

const std::int64_t* find_int(const Headers& headers, std::string_view key) {
    const auto* v = find(headers, key);
    return v ? std::get_if<std::int64_t>(v) : nullptr;
}

std::optional<DeathRecord> read_death(const Headers& headers, std::size_t i) {
    const auto* queue = find_string(headers, death_key(i, kQueue));
    const auto* reason_text = find_string(headers, death_key(i, kReason));
    if (!queue || !reason_text) return std::nullopt;
    const auto reason = parse_dead_letter_reason(*reason_text);
    if (!reason) return std::nullopt;
    DeathRecord d;
    d.queue = *queue;
    d.reason = *reason;
    if (const auto* x = find_string(headers, death_key(i, kExchange))) d.exchange = *x;
    if (const auto* n = find_int(headers, death_key(i, kCount)); n && *n > 0) d.count = *n;
    if (const auto* e = find_int(headers, death_key(i, kOriginalExpiration))) {
        d.original_expiration_ms = *e;
    }
    return d;
}

}  // namespace

std::optional<DeadLetterReason> parse_dead_letter_reason(std::string_view s) {
    for (auto r : {DeadLetterReason::Expired, DeadLetterReason::Rejected, DeadLetterReason::Maxlen}) {
        if (s == to_string(r)) return r;
    }
    return std::nullopt;
}

std::vector<DeathRecord> read_deaths(const Headers& headers) {
    std::vector<DeathRecord> out;
    while (auto d = read_death(headers, out.size())) out.push_back(std::move(*d));
    return out;
}

void write_deaths(Headers& headers, const std::vector<DeathRecord>& deaths) {
    std::erase_if(headers, [](const auto& h) { return is_death_key(h.first); });
    for (std::size_t i = 0; i < deaths.size(); ++i) {
        const DeathRecord& d = deaths[i];
        headers.emplace_back(death_key(i, kReason), std::string(to_string(d.reason)));
        headers.emplace_back(death_key(i, kQueue), d.queue);
        headers.emplace_back(death_key(i, kExchange), d.exchange);
        headers.emplace_back(death_key(i, kCount), d.count);
        if (d.original_expiration_ms) {
            headers.emplace_back(death_key(i, kOriginalExpiration), *d.original_expiration_ms);
        }
    }
}

void record_death(std::vector<DeathRecord>& deaths, DeathRecord death) {
    auto same = std::find_if(deaths.begin(), deaths.end(), [&](const DeathRecord& d) {
        return d.queue == death.queue && d.reason == death.reason;
    });
    if (same != deaths.end()) {
        if (same->count < std::numeric_limits<std::int64_t>::max()) ++same->count;
        std::rotate(deaths.begin(), same, same + 1);  // to the front, the rest keep their order
        return;
    }
    death.count = 1;
    deaths.insert(deaths.begin(), std::move(death));
}

bool is_death_cycle(const std::vector<DeathRecord>& deaths, std::string_view target_queue) {
    for (const auto& d : deaths) {
        if (d.reason == DeadLetterReason::Rejected) return false;
        if (d.queue == target_queue) return true;
    }
    return false;
}

DeadLetter make_dead_letter(const Message& m, const std::string& queue,
                            const QueueOptions& options, DeadLetterReason reason) {
    DeadLetter dl;
    dl.reason = reason;
    Message& c = dl.message;
    c.exchange = options.dead_letter_exchange.value_or("");
    c.routing_key = options.dead_letter_routing_key.value_or(m.routing_key);
    c.payload = m.payload;
    c.headers = m.headers;
    c.props = m.props;
    c.origin = m.origin;
    c.origin.protocol = Protocol::Internal;
    c.qos = m.qos;

    DeathRecord death;
    death.queue = queue;
    death.reason = reason;
    death.exchange = m.exchange;
    if (m.props.expiration_ms) {
        constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
        death.original_expiration_ms =
            static_cast<std::int64_t>(std::min(*m.props.expiration_ms, kMax));
    }
    // Without this the copy would expire again in every queue it reaches.
    c.props.expiration_ms.reset();

    const bool first = find(m.headers, kFirstReason) == nullptr;
    dl.deaths = read_deaths(m.headers);
    record_death(dl.deaths, death);
    write_deaths(c.headers, dl.deaths);
    if (first) {
        c.headers.emplace_back(std::string(kFirstReason), std::string(to_string(reason)));
        c.headers.emplace_back(std::string(kFirstQueue), queue);
        c.headers.emplace_back(std::string(kFirstExchange), m.exchange);
    }
    return dl;
}

}  // namespace sy::core

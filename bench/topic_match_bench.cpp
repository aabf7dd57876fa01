// Topic matching throughput with 100,000 IoT-shaped bindings: the trie alone, and the topic
// exchange on top of it (per-binding qos lookup and RouteSet dedupe included). Reports
// matches/s, one match being one routing key resolved to all its bindings.

#include <benchmark/benchmark.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/routing/topic_exchange.hpp"
#include "core/routing/topic_pattern.hpp"
#include "core/routing/topic_trie.hpp"

namespace sy::core {
namespace {

constexpr std::size_t kBindings = 100'000;
constexpr int kSites = 1000;
constexpr int kDevices = 100;
constexpr std::size_t kQueues = 10'000;
constexpr std::size_t kKeys = 1 << 14;  // cycled through so the key is not always cached
constexpr std::size_t kFleetServices = 32;  // storage, analytics, alerts...: "#.<metric>"
constexpr std::array<const char*, 4> kMetrics = {"temp", "humidity", "battery", "rssi"};

// Mostly exact subscriptions, as from dashboards and services tracking one sensor, plus the
// wildcard shapes fleet tools use. Shares are percentages of the bindings.
std::string random_pattern(std::mt19937& rng) {
    const std::string site = std::to_string(std::uniform_int_distribution<>(0, kSites - 1)(rng));
    const std::string device =
        std::to_string(std::uniform_int_distribution<>(0, kDevices - 1)(rng));
    const std::string metric = kMetrics[std::uniform_int_distribution<>(0, 3)(rng)];
    const int shape = std::uniform_int_distribution<>(0, 99)(rng);
    if (shape < 60) {
        return "site." + site + ".device." + device + "." + metric;
    }
    if (shape < 75) {
        return "site." + site + ".device.*." + metric;
    }
    if (shape < 85) {
        return "site." + site + ".*." + device + ".#";
    }
    if (shape < 95) {
        return "site." + site + ".device." + device + ".#";
    }
    return "site.*.device." + device + "." + metric;
}

std::string random_key(std::mt19937& rng) {
    return "site." + std::to_string(std::uniform_int_distribution<>(0, kSites - 1)(rng)) +
           ".device." + std::to_string(std::uniform_int_distribution<>(0, kDevices - 1)(rng)) +
           "." + kMetrics[std::uniform_int_distribution<>(0, 3)(rng)];
}

struct Fixture {
    std::vector<TopicPattern> patterns;
    std::vector<std::string> keys;
    std::vector<Message> messages;  // the same keys, built ahead so routing is timed alone
    TopicTrie<std::uint32_t> trie;
    std::vector<std::byte> queue_storage = std::vector<std::byte>(kQueues);
    TopicExchange exchange{"amq.topic"};

    Fixture() {
        std::mt19937 rng(2024);
        for (std::size_t i = 0; i < kFleetServices; ++i) {
            bind(std::string("#.") + kMetrics[i % kMetrics.size()]);
        }
        while (exchange.binding_count() < kBindings) {
            bind(random_pattern(rng));
        }
        for (std::size_t i = 0; i < patterns.size(); ++i) {
            trie.insert(patterns[i], static_cast<std::uint32_t>(i));
        }
        keys.reserve(kKeys);
        messages.resize(kKeys);
        for (std::size_t i = 0; i < kKeys; ++i) {
            keys.push_back(random_key(rng));
            messages[i].routing_key = keys.back();
        }
    }

    void bind(const std::string& pattern) {
        // Bindings only compare queue addresses; nothing is ever dereferenced.
        Queue* queue = reinterpret_cast<Queue*>(&queue_storage[patterns.size() % kQueues]);
        if (exchange.bind({queue, pattern, {}, {}, 1})) {
            patterns.push_back(parse_amqp_pattern(pattern));
        }
    }
};

const Fixture& fixture() {
    static const Fixture instance;
    return instance;
}

void report(benchmark::State& state, std::size_t hits) {
    const auto keys = static_cast<double>(state.iterations());
    state.SetItemsProcessed(state.iterations());
    state.counters["bindings"] = static_cast<double>(fixture().trie.size());
    state.counters["matches/s"] = benchmark::Counter(keys, benchmark::Counter::kIsRate);
    state.counters["hits/key"] = static_cast<double>(hits) / keys;
}

void bm_trie_match(benchmark::State& state) {
    const Fixture& f = fixture();
    std::size_t hits = 0;
    std::size_t next = 0;
    for (auto _ : state) {
        f.trie.match(f.keys[next], [&hits](std::uint32_t) { ++hits; });
        next = (next + 1) % f.keys.size();
    }
    benchmark::DoNotOptimize(hits);
    report(state, hits);
}

void bm_topic_exchange_route(benchmark::State& state) {
    const Fixture& f = fixture();
    RouteSet out;
    std::size_t hits = 0;
    std::size_t next = 0;
    for (auto _ : state) {
        out.clear();
        f.exchange.route(f.messages[next], out);
        hits += out.targets().size();
        next = (next + 1) % f.messages.size();
    }
    report(state, hits);
}

void bm_reference_matcher_scan(benchmark::State& state) {
    // What the trie saves: testing each binding in turn. Only 1% of the bindings, or it
    // would take seconds per key; multiply by 100 to compare.
    const Fixture& f = fixture();
    std::size_t hits = 0;
    std::size_t next = 0;
    for (auto _ : state) {
        for (std::size_t i = 0; i < f.patterns.size(); i += 100) {
            hits += pattern_matches(f.patterns[i], f.keys[next], true) ? 1 : 0;
        }
        next = (next + 1) % f.keys.size();
    }
    benchmark::DoNotOptimize(hits);
    report(state, hits);
}

void bm_topic_exchange_fanout(benchmark::State& state) {
    // One key bound by N distinct queues: the cost of a broadcast topic, dominated by the
    // RouteSet's linear dedupe once N is large.
    const auto fanout = static_cast<std::size_t>(state.range(0));
    std::vector<std::byte> storage(fanout);
    TopicExchange exchange("fanout");
    for (std::size_t i = 0; i < fanout; ++i) {
        exchange.bind({reinterpret_cast<Queue*>(&storage[i]), "fleet.#", {}, {}, 1});
    }
    Message message;
    message.routing_key = "fleet.firmware.update";
    RouteSet out;
    for (auto _ : state) {
        out.clear();
        exchange.route(message, out);
        benchmark::DoNotOptimize(out.targets().data());
    }
    state.counters["matches/s"] =
        benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

}  // namespace
}  // namespace sy::core

BENCHMARK(sy::core::bm_trie_match);
BENCHMARK(sy::core::bm_topic_exchange_route);
BENCHMARK(sy::core::bm_reference_matcher_scan);
BENCHMARK(sy::core::bm_topic_exchange_fanout)->RangeMultiplier(8)->Range(8, 4096);

BENCHMARK_MAIN();

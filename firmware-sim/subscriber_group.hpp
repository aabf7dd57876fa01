#pragma once
// The subscribers of one bench run, living in one process: connect and subscribe them all, wait
// until each holds every message (or progress stops), then disconnect and report.
//
// With --persistent-subs they connect with a session the broker keeps, under client ids fixed for
// the run, and end_sessions() discards those sessions afterwards. With --offline-subs they also
// disconnect after subscribing (go_offline) and resume their sessions to drain them (come_back).

#include "core/model/result.hpp"
#include "firmware-sim/bench_options.hpp"
#include "firmware-sim/mqtt_endpoint.hpp"
#include "firmware-sim/subscriber_report.hpp"
#include "firmware-sim/subscriber_tally.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sy::sim {

class SubscriberGroup {
public:
    // `id_prefix` names the clients (<prefix>s0, <prefix>s1, ...); `filter` is what they
    // subscribe to.
    SubscriberGroup(const BenchOptions& options, std::uint32_t run_tag, std::string id_prefix,
                    std::string filter);
    ~SubscriberGroup();
    SubscriberGroup(const SubscriberGroup&) = delete;
    SubscriberGroup& operator=(const SubscriberGroup&) = delete;

    // Connects every subscriber (all started before any is awaited) and subscribes each.
    Result<void> connect();

    // Disconnects every subscriber, leaving its persistent session (and, from now on, the
    // messages for it) on the broker.
    void go_offline() noexcept;

    // Reconnects every subscriber to the session it left. A broker that kept no session is
    // reported on stderr; its messages then show up as lost.
    Result<void> come_back();

    // Waits until every subscriber holds `wanted` distinct messages, until no subscriber made
    // progress for `stall_limit`, or until all lost their connection. False unless all arrived.
    bool wait_for(std::uint64_t wanted, std::chrono::steady_clock::duration stall_limit);

    // Disconnects everyone and tallies what they saw.
    SubscriberReport finish(bool timed_out);

    // After a persistent session was opened: connects each client id once more with a clean
    // session and disconnects, so that the broker drops the session. Best effort; a no-op when
    // no session was opened.
    void end_sessions() noexcept;

private:
    Result<void> open_all(SessionMode mode);
    void close_all() noexcept;
    std::string client_id(std::uint32_t index) const;
    EndpointConfig endpoint_config(std::uint32_t index, SessionMode mode) const;
    std::uint64_t total_unique() const;

    const BenchOptions& options_;
    const std::uint32_t run_tag_;
    const std::string id_prefix_;
    const std::string filter_;
    bool sessions_kept_ = false;  // a persistent session was opened and not yet ended
    // Declared before the endpoints: Paho may call into a tally until its endpoint is destroyed.
    std::vector<std::unique_ptr<SubscriberTally>> tallies_;
    std::vector<std::unique_ptr<MqttEndpoint>> endpoints_;
};

}  // namespace sy::sim

#pragma once
// Runs one `bench`: subscribers connect and subscribe in a child process (see
// subscriber_process.hpp), publishers connect here and publish from one thread each through a
// bounded window, then the child reports what arrived.

#include "core/model/result.hpp"
#include "firmware-sim/bench_options.hpp"
#include "firmware-sim/bench_report.hpp"
#include "firmware-sim/mqtt_endpoint.hpp"
#include "firmware-sim/publish_window.hpp"
#include "firmware-sim/subscriber_report.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sy::sim {

class BenchRunner {
public:
    explicit BenchRunner(BenchOptions options);
    ~BenchRunner();
    BenchRunner(const BenchRunner&) = delete;
    BenchRunner& operator=(const BenchRunner&) = delete;

    // Fails only when a client cannot connect or subscribe, or the subscriber process dies;
    // loss, stalls and timeouts are results.
    Result<BenchResult> run();

private:
    Result<void> connect_publishers();
    void publish_all(BenchResult& result);
    void publish_loop(std::uint32_t index);
    void disconnect_publishers() noexcept;
    void tally(const SubscriberReport& report, BenchResult& result) const;

    const BenchOptions options_;
    const std::uint32_t run_tag_;
    const std::string topic_base_;
    const std::string id_prefix_;
    std::int64_t start_ns_ = 0;
    std::uint32_t effective_window_ = UINT32_MAX;
    std::atomic<bool> publish_stalled_{false};
    // Declared before the endpoints: Paho may call into a window until its endpoint is destroyed.
    std::vector<std::unique_ptr<PublishWindow>> windows_;
    std::vector<std::unique_ptr<MqttEndpoint>> publishers_;
};

}  // namespace sy::sim

#include "firmware-sim/bench_options.hpp"

#include "firmware-sim/payload_stamp.hpp"

#include <algorithm>

namespace sy::sim {
namespace {

// Each subscriber keeps one bit per expected message to find duplicates; cap the total so a typo
// in --msgs cannot eat the machine.
constexpr std::uint64_t kMaxTrackingBytes = std::uint64_t{1} << 30;

}  // namespace

void apply_implied(BenchOptions& options) {
    options.persistent_subs = options.persistent_subs || options.offline_subs;
}

std::optional<std::string> find_problem(const BenchOptions& options) {
    if (options.pubs == 0 || options.msgs == 0) {
        return "--pubs and --msgs must be at least 1";
    }
    if (options.size < kStampSize) {
        return "--size must be at least " + std::to_string(kStampSize) +
               " bytes: the payload carries a sequence number, publisher id and send time";
    }
    if (options.qos < 0 || options.qos > 2) {
        return "--qos must be 0, 1 or 2";
    }
    if (options.mqtt_version != 3 && options.mqtt_version != 5) {
        return "--mqtt-version must be 3 (3.1.1) or 5";
    }
    const std::uint64_t max_messages = kMaxTrackingBytes * 8;
    if (options.msgs > max_messages || options.pubs > max_messages / options.msgs ||
        (options.pubs * options.msgs + 63) / 64 * 8 * std::max<std::uint64_t>(options.subs, 1) >
            kMaxTrackingBytes) {
        return "--pubs x --msgs x --subs is too large to track (over 1 GiB of bitmaps)";
    }
    if (!options.topic.empty() && options.topic.find_first_of("+#") != std::string::npos) {
        return "--topic must not contain wildcards; the bench appends /<publisher> itself";
    }
    if (options.offline_subs && options.qos == 0) {
        // Brokers keep only QoS 1 and 2 messages for an offline session [MQTT-3.1.2-5].
        return "--offline-subs needs --qos 1 or 2: QoS 0 messages are not kept for offline "
               "subscribers";
    }
    return std::nullopt;
}

}  // namespace sy::sim

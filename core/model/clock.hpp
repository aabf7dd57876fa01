#pragma once
#include <chrono>
#include <cstdint>

namespace sy::core {

// Milliseconds on the monotonic clock. Sessions and queues take "now" as an argument so that
// tests can drive time by hand.
inline std::int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// Milliseconds since the UNIX epoch. Message stamps and TTL deadlines use it because they are
// persisted and must mean the same after a reboot; timeouts of live connections use now_ms(),
// which a clock adjustment cannot move.
inline std::int64_t wall_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace sy::core

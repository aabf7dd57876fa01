#include "firmware-sim/stop_signal.hpp"

#include <atomic>
#include <csignal>

namespace sy::sim {
namespace {

// Lock-free, so the handler may touch it [C++ [support.signal]].
std::atomic<int> g_signals{0};
static_assert(std::atomic<int>::is_always_lock_free);

extern "C" void on_stop_signal(int sig) {
    if (g_signals.fetch_add(1) > 0) {
        // The second signal: the clean stop is taking too long for whoever sends it.
        std::signal(sig, SIG_DFL);
        std::raise(sig);
    }
}

}  // namespace

void install_stop_signals() noexcept {
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

bool stop_requested() noexcept {
    return g_signals.load() > 0;
}

}  // namespace sy::sim

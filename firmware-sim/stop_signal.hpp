#pragma once
// SIGINT and SIGTERM end a simulator run cleanly: the first one sets a flag the run loop polls
// (devices then say "offline" and send DISCONNECT); a second one kills the process at once.

namespace sy::sim {

// Installs the handlers; safe to call more than once.
void install_stop_signals() noexcept;

bool stop_requested() noexcept;

}  // namespace sy::sim

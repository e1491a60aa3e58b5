// Stopping a run cleanly on SIGINT/SIGTERM/SIGHUP: the program's signal handler only
// notes the signal here (note_interrupt is async-signal-safe); every long loop, in any
// layer, polls check_interrupted(), which throws Error(Interrupted).  The writers'
// destructors then remove or mark what they started.
#pragma once

namespace ddr {

void note_interrupt(int signal) noexcept;
bool interrupted();
void check_interrupted();  // throws Error(Interrupted) once a signal has arrived

} // namespace ddr

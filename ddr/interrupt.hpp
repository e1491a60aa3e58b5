// SIGINT/SIGTERM end a run cleanly: the loops poll check_interrupted(), which throws
// Error(Interrupted); the writers' destructors then remove or mark what they started.
#pragma once

namespace ddr {

void install_interrupt_handlers();
bool interrupted();
void check_interrupted();  // throws Error(Interrupted) once a signal has arrived

} // namespace ddr

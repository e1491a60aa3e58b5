// The program's signal handling: SIGINT, SIGTERM and SIGHUP are noted for
// check_interrupted() (formats/io/interrupt.hpp); SIGPIPE is ignored.
#pragma once

#include "formats/io/interrupt.hpp"

namespace ddr {

void install_interrupt_handlers();

} // namespace ddr

#include "formats/io/interrupt.hpp"

#include "formats/io/error.hpp"

#include <csignal>
#include <string>

namespace ddr {

namespace {
volatile std::sig_atomic_t g_signal = 0;  // the only mutable global: a signal handler needs it
} // namespace

void note_interrupt(int signal) noexcept
{
    g_signal = signal;
}

bool interrupted()
{
    return g_signal != 0;
}

void check_interrupted()
{
    if (g_signal != 0)
        fail(ErrorKind::Interrupted, "interrupted by signal " + std::to_string(int(g_signal)));
}

} // namespace ddr

#include "ddr/interrupt.hpp"

#include "formats/error.hpp"

#include <atomic>
#include <csignal>

namespace ddr {

namespace {
volatile std::sig_atomic_t g_signal = 0;  // the only mutable global: a signal handler needs it

extern "C" void on_signal(int sig)
{
    g_signal = sig;
}
} // namespace

void install_interrupt_handlers()
{
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGHUP, &sa, nullptr);
    // A closed pipe must surface as a write error on that output, not kill us mid-write.
    std::signal(SIGPIPE, SIG_IGN);
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

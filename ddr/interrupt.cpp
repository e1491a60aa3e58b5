#include "ddr/interrupt.hpp"

#include <csignal>

namespace ddr {

namespace {
extern "C" void on_signal(int sig)
{
    note_interrupt(sig);
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

} // namespace ddr

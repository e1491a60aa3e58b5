#include "formats/io/interrupt.hpp"

#include "formats/io/error.hpp"

#include <atomic>
#include <string>

namespace ddr {

namespace {
// The only mutable global: a signal handler needs it.  An atomic, not a volatile
// sig_atomic_t: the handler may run on any thread, and the others must see what it wrote.
std::atomic<int> g_signal{0};
static_assert(std::atomic<int>::is_always_lock_free, "a signal handler may only touch a lock-free atomic");
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

#include "ddr/report.hpp"

#include "formats/ddrtape/units.hpp"
#include "formats/io/cchh.hpp"

#include <algorithm>

#include <cstdio>
#include <unistd.h>

namespace ddr {

Reporter::Reporter(Level level)
    : level_(level), tty_(::isatty(STDERR_FILENO) == 1), start_(std::chrono::steady_clock::now()), last_(start_)
{
}

Reporter Reporter::for_job(ProgressObserver observer)
{
    Reporter r(Level::Normal);
    r.job_ = true;
    r.tty_ = false;
    r.observer_ = std::move(observer);
    return r;
}

void Reporter::note(const std::string& line) const
{
    if (job_)
        messages_.push_back(line);
    else if (level_ != Level::Quiet)
        std::fprintf(stderr, "ddr: %s\n", line.c_str());
}

void Reporter::detail(const std::string& line) const
{
    if (!job_ && level_ == Level::Verbose)
        std::fprintf(stderr, "ddr: %s\n", line.c_str());
}

void Reporter::warn(const std::string& line) const
{
    warnings_.push_back(line);
    if (job_)
        messages_.push_back("warning: " + line);
    else
        std::fprintf(stderr, "ddr: warning: %s\n", line.c_str());
}

void Reporter::listing(const std::string& line) const
{
    if (job_ || json_)
        return;
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
}

void Reporter::end_listing() const
{
    std::fflush(stdout);
}

void Reporter::progress(uint64_t done, uint64_t total, uint64_t bytes, const std::string& what, ProgressPlace place)
{
    if (observer_)
        observer_(done, total, bytes);
    if (!tty_ || json_ || level_ == Level::Quiet)
        return;
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(250) && done != total)
        return;
    last_ = now;
    const double secs = std::chrono::duration<double>(now - start_).count();
    const double rate = secs > 0 ? double(bytes) / secs : 0;
    std::string line = "\r" + what;
    if (place.unit)
        line += "  " + std::string(place.unit) + " " + std::to_string(place.number);
    if (total > 0)
        line += "  " + std::to_string(std::min<uint64_t>(done, total) * 100 / total) + "%";
    line += "  " + human_bytes(bytes) + "  " + human_bytes(uint64_t(rate)) + "/s";
    if (total > 0 && done > 0 && done < total && secs >= 1) {
        const uint64_t left = uint64_t(secs * double(total - done) / double(done) + 0.5);
        char eta[48];
        std::snprintf(eta, sizeof eta, "  ETA %llu:%02llu:%02llu", static_cast<unsigned long long>(left / 3600),
                      static_cast<unsigned long long>(left / 60 % 60), static_cast<unsigned long long>(left % 60));
        line += eta;
    }
    // Clear what a longer line before left behind.
    std::fprintf(stderr, "%s\033[K", line.c_str());
    progress_shown_ = true;
}

ProgressPlace progress_place(const UnitGeometry& geometry, uint32_t address)
{
    return progress_place(geometry.fba(), geometry.fba() ? address : address_of(address, geometry.eav_form).cyl);
}

ProgressPlace progress_place(bool fba, uint64_t cylinder_or_block)
{
    return {fba ? "block" : "cyl", cylinder_or_block};
}

void Reporter::end_progress()
{
    if (progress_shown_) {
        std::fprintf(stderr, "\r\033[K");
        progress_shown_ = false;
    }
}

std::string human_bytes(uint64_t bytes)
{
    static const char* units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
    double v = double(bytes);
    int u = 0;
    while (v >= 1000 && u < 5) {
        v /= 1000;
        ++u;
    }
    char buf[32];
    if (u == 0)
        std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
    else
        std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
    return buf;
}

} // namespace ddr

// What a command says while it runs.  Everything goes to standard error, because
// standard output may be carrying a tape ("-").  Listings go to standard output.
#pragma once

#include "formats/io/wording.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ddr {

class Reporter {
public:
    enum class Level { Quiet, Normal, Verbose };

    Reporter(Level level = Level::Normal);

    void note(const std::string& line) const;     // informational; silent when quiet
    void detail(const std::string& line) const;   // only when verbose
    void warn(const std::string& line) const;     // always shown

    // A progress line on a terminal (rewritten in place, at most a few times a second).
    void progress(uint64_t done, uint64_t total, uint64_t bytes, const std::string& what);
    void end_progress();

    Level level() const { return level_; }

private:
    Level level_;
    bool tty_;
    bool progress_shown_ = false;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_;
};

// "1.6 MB", "55.9 GB": decimal units, as tape and disk capacities are quoted.
std::string human_bytes(uint64_t bytes);


} // namespace ddr

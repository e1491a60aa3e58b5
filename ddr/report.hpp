// Everything a command says, through one Reporter: its messages while it runs on
// standard error, because standard output may be carrying a tape ("-"); its listing (what
// list, verify and the like answer) on standard output.
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

    // A line of the command's listing, on standard output at every level: it is the
    // answer the command was asked for, not a message about its work.
    void listing(const std::string& line) const;
    // Sends the listing out now, so that it stands before an error message that follows.
    void end_listing() const;

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

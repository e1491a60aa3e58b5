// ddr run: IBM DDR's statement mode.  Reads DDR control statements (INPUT, OUTPUT,
// SYSPRINT, DUMP, RESTORE, COPY, PRINT, TYPE, END) from a file or standard input and
// carries them out on the files bound to the unit addresses, with IBM's console and
// printer output, so that a runbook written for stand-alone DDR runs unchanged.
#pragma once

#include "ddr/report.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace ddr {

struct RunOptions {
    std::vector<std::string> units;        // ADDR=FILE [option...]
    std::optional<std::string> config;     // a Hercules configuration file
    bool yes = false;                      // answer YES to every question
    bool no = false;                       // answer NO to every question
    bool pure = false;                     // tapes exactly as IBM's DDR writes them: no checksum trailer
    std::optional<std::string> statements; // the statements' file; standard input if not given
};

// Runs the job; returns 0, or the exit code of the first statement or step that failed
// (6 if a question was answered NO).  The job goes on after a failed step, as IBM's does.
int run_statements(const RunOptions& options, Reporter& reporter);

// Registers `ddr run` and its options; its callback sets `action`.
void add_run_command(CLI::App& app, std::function<int(Reporter&)>& action);

} // namespace ddr

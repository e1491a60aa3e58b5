// What the commands share of the command line.  Each cmd_*.cpp registers its own
// subcommand, options and checks (add_*_command); main.cpp owns only the program's
// global options, the dispatch of the one action, and the turning of errors into
// messages and exit codes.
#pragma once

#include "ddr/report.hpp"

#include <functional>
#include <string>

namespace CLI {
class App;
}

namespace ddr {

// The run of the one subcommand the command line chose: set by that subcommand's
// callback once its options are parsed, called by main with the Reporter the global
// options ask for.  Returns the exit code; errors are thrown as ddr::Error.
using CommandAction = std::function<int(Reporter&)>;

// Volsers are upper case on the volume (EBCDIC), as IBM's DDR reads every statement:
// "vmpk01" means VMPK01 wherever a volser is given.  A CLI11 transform.
std::string upper_case(std::string text);

} // namespace ddr

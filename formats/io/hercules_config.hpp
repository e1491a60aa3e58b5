// The device statements of a Hercules configuration file (hercules.cnf): which file each
// unit address holds.  `ddr run` binds IBM DDR's INPUT/OUTPUT units through it.
//
// A device statement is `ADDR DEVTYPE FILE [options]`: ADDR hexadecimal (with an optional
// "lcss:" prefix, or a range "0130-0133" or "0130.4"), the file double-quoted if it holds
// blanks.  "#" starts a comment (at the start of a line, or after a blank); a line ending
// in "\" continues on the next.  Every other statement (MAINSIZE, NUMCPU, ...) is not a
// device and is passed over.  Pure text parsing: safe on any input (tests/fuzz).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ddr {

struct HerculesDevice {
    uint16_t unit = 0;
    std::string devtype;               // as written: "3330", "3420", "1403"
    std::string file;                  // "" if the statement names none
    std::vector<std::string> options;  // what follows the file: "maxsize=880570", "ro", ...
    unsigned line = 0;                 // where the statement starts, from 1
};

// Every device statement of `text`, in order.  Error(Usage) "NAME: line N: ..." for a
// device statement that cannot be read: a bad address, no device type, an unclosed
// quote, a range of more than 256 units.
std::vector<HerculesDevice> parse_hercules_config(std::string_view text, const std::string& name);

// The value of option `key=` among `options` ("maxsize" finds "maxsize=880570"), or "".
std::string hercules_option(const std::vector<std::string>& options, std::string_view key);

} // namespace ddr

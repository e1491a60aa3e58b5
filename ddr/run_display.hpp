// The seam between `ddr run` and the formatting of PRINT and TYPE: the statement, the
// file it reads (a volume, or a DDR tape at its VHR) and where the lines go.
#pragma once

#include "ddr/statements.hpp"

#include <cstdint>
#include <functional>
#include <string>

namespace ddr {

struct DisplayRequest {
    stmt::DisplayStatement statement;
    std::string file;            // the INPUT unit's file
    bool tape = false;           // a DDR tape (else a volume)
    std::string devtype;         // the type named on INPUT
    uint64_t dumps_before = 0;   // tape: the dumps to pass over first (SKIP, LEAVE)
};

// Formats the records `request` names, one line at a time, to `line`.  Error(Usage)
// for records it cannot show; the errors of reading the file as they come.
void display_records(const DisplayRequest& request, const std::function<void(const std::string&)>& line);

} // namespace ddr

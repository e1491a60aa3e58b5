// What an input path is, from its bytes: the commands that take "a volume or a tape".
#pragma once

#include <string>

namespace ddr {

// True if `path` is "-" or a file that opens as a tape (AWS or HET).
bool is_tape_input(const std::string& path);

} // namespace ddr

// What an input path is, from its bytes: the commands that take "a volume or a tape".
#pragma once

#include "formats/ddrtape/dump_reader.hpp"

#include <string>
#include <vector>

namespace ddr {

class Reporter;

// True if `path` is "-" or a file that opens as a tape (AWS or HET).
bool is_tape_input(const std::string& path);

// The progress of reading `tapes` (list, verify) on `reporter`'s progress line, as "verify
// reel 2 cyl 1234 37% ...": bytes read of the reels' sizes (a pipe or a drive has none, so
// then only bytes and rate).  The reporter must outlive the result.
ScanProgress tape_reading_progress(const std::vector<std::string>& tapes, Reporter& reporter, const std::string& what);

} // namespace ddr

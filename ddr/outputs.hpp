// The rules every command applies to the files it writes, before it writes them: an
// output is never one of the inputs, and what an interrupted ddr run left beside it is
// cleared away (and said).
#pragma once

#include "ddr/report.hpp"

#include <string>
#include <vector>

namespace ddr {

// Error(Refused) if `output` is one of `inputs` (the same file through any path or
// link): writing it would destroy what is being read.  "-" is never a file.
void check_output_is_not_input(const std::string& output, const std::vector<std::string>& inputs);

// Error(Usage) if two of `outputs` are the same file (a reel named twice).
void check_outputs_distinct(const std::vector<std::string>& outputs);

// With --json the report goes to standard output, so no output may be "-" there (a tape,
// a volume or a listing written to standard output): Error(Usage), before anything is
// read or written.  `what` names the output ("TAPE").
void refuse_json_with_stdout(const std::vector<std::string>& outputs, const std::string& what,
                             const Reporter& reporter);

// Removes the temporary files that ddr processes killed before they finished left in
// the folder of `output`, and says what went.
void clear_leftovers_beside(const std::string& output, Reporter& reporter);

} // namespace ddr

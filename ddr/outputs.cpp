#include "ddr/outputs.hpp"

#include "formats/io/error.hpp"
#include "formats/io/file.hpp"

namespace ddr {

void refuse_json_with_stdout(const std::vector<std::string>& outputs, const std::string& what,
                             const Reporter& reporter)
{
    if (!reporter.json())
        return;
    for (const std::string& output : outputs)
        if (output == "-")
            fail(ErrorKind::Usage, "--json prints the report on standard output, so " + what +
                                       " cannot be written there: give a file instead of -");
}

void check_output_is_not_input(const std::string& output, const std::vector<std::string>& inputs)
{
    if (output == "-")
        return;
    for (const std::string& input : inputs)
        if (input != "-" && same_file(output, input))
            fail(ErrorKind::Refused, file_place(output),
                 output == input ? "is both an input and the output; left as it was"
                                 : "is the same file as the input " + input + "; left as it was");
}

void check_outputs_distinct(const std::vector<std::string>& outputs)
{
    for (size_t i = 0; i < outputs.size(); ++i)
        for (size_t j = i + 1; j < outputs.size(); ++j)
            if (outputs[i] != "-" && same_file(outputs[i], outputs[j]))
                fail(ErrorKind::Usage, file_place(outputs[j]),
                     "is given twice (reels " + std::to_string(i + 1) + " and " + std::to_string(j + 1) +
                         "): every reel needs a file of its own");
}

void clear_leftovers_beside(const std::string& output, Reporter& reporter)
{
    if (output == "-")
        return;
    for (const StaleTemporary& t : remove_stale_temporaries(output))
        reporter.warn("removed " + t.path + " (" + human_bytes(t.bytes) + "), left unfinished by ddr process " +
                      std::to_string(t.pid) + ", which was stopped before it completed");
}

} // namespace ddr

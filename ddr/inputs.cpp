#include "ddr/inputs.hpp"

#include "formats/io/error.hpp"
#include "formats/tape/tape.hpp"

namespace ddr {

bool is_tape_input(const std::string& path)
{
    if (path == "-")
        return true;
    try {
        open_tape_reader(path);
        return true;
    } catch (const Error&) {
        return false;
    }
}

} // namespace ddr

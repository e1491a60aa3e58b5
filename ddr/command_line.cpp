#include "ddr/command_line.hpp"

#include <cctype>

namespace ddr {

std::string upper_case(std::string text)
{
    for (char& c : text)
        c = char(std::toupper(static_cast<unsigned char>(c)));
    return text;
}

} // namespace ddr

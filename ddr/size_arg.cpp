#include "ddr/size_arg.hpp"

#include "devices/tape_devices.hpp"
#include "formats/io/error.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>

namespace ddr {

uint64_t parse_size(const std::string& text, bool allow_cartridge)
{
    if (allow_cartridge) {
        if (const TapeReel* reel = find_tape_reel(text))
            return reel->capacity;
    }
    char* end = nullptr;
    double value = std::strtod(text.c_str(), &end);
    std::string suffix = end ? std::string(end) : std::string();
    double scale = 1;
    if (suffix.empty() || suffix == "B")
        scale = 1;
    else if (suffix == "k" || suffix == "K" || suffix == "kB" || suffix == "KB")
        scale = 1e3;
    else if (suffix == "M" || suffix == "MB")
        scale = 1e6;
    else if (suffix == "G" || suffix == "GB")
        scale = 1e9;
    else if (suffix == "T" || suffix == "TB")
        scale = 1e12;
    else if (suffix == "Ki" || suffix == "KiB")
        scale = 1024.0;
    else if (suffix == "Mi" || suffix == "MiB")
        scale = 1024.0 * 1024;
    else if (suffix == "Gi" || suffix == "GiB")
        scale = 1024.0 * 1024 * 1024;
    else if (suffix == "Ti" || suffix == "TiB")
        scale = 1024.0 * 1024 * 1024 * 1024;
    else
        scale = -1;
    if (end == text.c_str() || scale < 0 || !(value >= 0) || !std::isfinite(value))
        fail(ErrorKind::Usage, "bad size '" + text + "': give bytes, a number with k/M/G/T or Ki/Mi/Gi/Ti" +
                                   (allow_cartridge ? std::string(", or a cartridge type such as 3490E") : std::string()));
    return uint64_t(std::llround(value * scale));
}

} // namespace ddr

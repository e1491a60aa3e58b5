// The program's version, and what `ddr --version` says of the build.
#pragma once

#include <string>

namespace ddr {

inline constexpr const char* kDdrVersion = "0.1.0";

// "ddr 0.1.0" and a second line naming the build: compiler, whether the binary is static,
// and the versions of the libraries linked in (xxHash, zlib, bzip2) -- what a bug report
// needs, and what a DR site checks before trusting a binary it carried in.
std::string version_text();

} // namespace ddr

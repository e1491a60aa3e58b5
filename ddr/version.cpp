#include "ddr/version.hpp"

#include <bzlib.h>
#include <elf.h>
#include <link.h>
#include <sys/auxv.h>
#include <xxhash.h>
#include <zlib.h>

namespace ddr {

namespace {

// A dynamically linked program names its loader in a PT_INTERP program header; a static
// one has none.  Read from the running program itself, so it cannot disagree with the build.
bool linked_statically()
{
    const auto* headers = reinterpret_cast<const ElfW(Phdr)*>(getauxval(AT_PHDR));
    const unsigned long count = getauxval(AT_PHNUM);
    for (unsigned long i = 0; headers && i < count; ++i)
        if (headers[i].p_type == PT_INTERP)
            return false;
    return true;
}

std::string compiler()
{
#if defined(__clang__)
    return std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
    return std::string("g++ ") + __VERSION__;
#else
    return "an unknown compiler";
#endif
}

std::string xxhash_version()
{
    const unsigned v = XXH_versionNumber();
    return std::to_string(v / 10000) + "." + std::to_string(v / 100 % 100) + "." + std::to_string(v % 100);
}

} // namespace

std::string version_text()
{
    std::string bz = BZ2_bzlibVersion();
    bz = bz.substr(0, bz.find(','));  // "1.0.8, 13-Jul-2019"
    return std::string("ddr ") + kDdrVersion + "\nbuilt with " + compiler() + ", " +
           (linked_statically() ? "static" : "dynamic") + ", xxHash " + xxhash_version() + ", zlib " + zlibVersion() +
           ", bzip2 " + bz;
}

} // namespace ddr

// Short ways to name a place in an error for the cckd_* / cfba_* modules.
#pragma once

#include "formats/io/error.hpp"
#include "formats/io/file.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace ddr::cckd {

using ddr::file_place;

inline Place track_place(const std::string& file, uint32_t cyl, uint32_t head)
{
    Place p;
    p.file = file;
    p.cyl = cyl;
    p.head = head;
    return p;
}

inline Place block_place(const std::string& file, uint64_t block)
{
    Place p;
    p.file = file;
    p.fba_block = block;
    return p;
}

// "0x0C": a byte for messages.
inline std::string hex_byte(uint8_t v)
{
    static const char digits[] = "0123456789ABCDEF";
    return std::string("0x") + digits[v >> 4] + digits[v & 0xF];
}

} // namespace ddr::cckd

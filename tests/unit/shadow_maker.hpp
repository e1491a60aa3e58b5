// Building Hercules shadow files for the tests, from a complete compressed image.
// Hercules 3.13 can only make shadow files while a guest writes to the volume, so the
// tests make theirs from an ordinary CCKD/CFBA image instead, with the bytes Hercules
// uses (ddrimage(5), "Shadow files"); tests/e2e/t-shadow.sh checks Hercules' dasdcopy
// reads them as ddr does.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace ddr::test {

// Writes to `out` a shadow file made from the compressed image `full` (CKD_C370/C064 or
// FBA_C370/C064, little-endian): the units (tracks or block groups) for which `here(unit)`
// holds keep what `full` has for them (a stored image or a null entry); every other
// unit is marked "not in this file" (all ones): by its L1 entry when none of its group
// is here, else by its L2 entry.  A null group (L1 entry 0) with some units here gets
// an L2 table of its own, appended, so only those units read as null.  The magic
// becomes CKD_S370 (FBA_S370, *_S064).
void make_shadow_file(const std::string& full, const std::string& out, const std::function<bool(uint64_t)>& here);

// Parses "a-b,c,..." (unit numbers and inclusive ranges) into a predicate; Error(Usage)
// on anything else.
std::function<bool(uint64_t)> unit_ranges(const std::string& text);

} // namespace ddr::test

#include "tests/unit/shadow_maker.hpp"

#include "formats/io/error.hpp"
#include "formats/volume/cckd/layout.hpp"
#include "tests/unit/support.hpp"

#include <cstdlib>
#include <utility>
#include <vector>

namespace ddr::test {

using namespace cckd;

namespace {

// A null group's own L2 table: the units here null in the header's format, the others absent.
Bytes null_group_table(uint64_t first, uint64_t units, const std::function<bool(uint64_t)>& here, bool wide,
                       uint8_t nullfmt)
{
    Bytes table(l2_table_size(wide));
    for (unsigned i = 0; i < kL2Entries; ++i) {
        const bool in = first + i < units && here(first + i);
        L2Entry e = in ? L2Entry{0, nullfmt, nullfmt} : L2Entry{shadow_marker(wide), 0xFFFF, 0xFFFF};
        store_l2(table.data() + i * l2_entry_size(wide), e, wide, ByteOrder::Little);
    }
    return table;
}

} // namespace

void make_shadow_file(const std::string& full, const std::string& out, const std::function<bool(uint64_t)>& here)
{
    Bytes f = read_file(full);
    auto kind = classify_magic(f.data());
    if (!kind || kind->shadow || kind->eav)
        fail(ErrorKind::Usage, file_place(full), "is not a CCKD or CFBA base image");
    const bool wide = kind->wide;
    CompressedHeader ch = CompressedHeader::parse(f.data() + kCompressedHeaderPos, wide);
    const DeviceHeader dh = DeviceHeader::decode(f.data());
    const uint64_t units = kind->flavor == Flavor::Ckd ? uint64_t(ch.cyls) * dh.heads : cfba_groups(ch.cyls);
    const uint64_t groups = l1_entries_for(units);
    for (uint64_t g = 0; g < groups; ++g) {
        const uint64_t first = g * kL2Entries;
        const uint64_t last = std::min(units, first + kL2Entries);
        bool any = false, all = true;
        for (uint64_t u = first; u < last; ++u) {
            if (here(u))
                any = true;
            else
                all = false;
        }
        uint8_t* l1 = f.data() + kL1Pos + g * l1_entry_size(wide);
        const uint64_t table = load_l1(l1, wide, ByteOrder::Little);
        if (!any) {
            store_l1(l1, shadow_marker(wide), wide, ByteOrder::Little);
        } else if (all) {
            continue;
        } else if (table == 0) {
            const uint64_t at = f.size();
            const Bytes t = null_group_table(first, units, here, wide, ch.nullfmt);
            f.insert(f.end(), t.begin(), t.end());
            l1 = f.data() + kL1Pos + g * l1_entry_size(wide);
            store_l1(l1, at, wide, ByteOrder::Little);
        } else {
            for (uint64_t u = first; u < last; ++u)
                if (!here(u))
                    store_l2(f.data() + table + (u - first) * l2_entry_size(wide),
                             L2Entry{shadow_marker(wide), 0xFFFF, 0xFFFF}, wide, ByteOrder::Little);
        }
    }
    ch.used += f.size() - ch.size;  // the L2 tables appended
    ch.size = f.size();
    ch.store(f.data() + kCompressedHeaderPos, wide, ByteOrder::Little);
    f[4] = 'S';
    write_file(out, f);
}

std::function<bool(uint64_t)> unit_ranges(const std::string& text)
{
    std::vector<std::pair<uint64_t, uint64_t>> ranges;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find(',', pos);
        if (end == std::string::npos)
            end = text.size();
        const std::string item = text.substr(pos, end - pos);
        char* rest = nullptr;
        const uint64_t a = std::strtoull(item.c_str(), &rest, 10);
        uint64_t b = a;
        if (*rest == '-')
            b = std::strtoull(rest + 1, &rest, 10);
        if (item.empty() || *rest != '\0' || b < a)
            fail(ErrorKind::Usage, "\"" + item + "\" is not a unit number or range a-b");
        ranges.emplace_back(a, b);
        pos = end + 1;
    }
    return [ranges](uint64_t u) {
        for (const auto& [a, b] : ranges)
            if (u >= a && u <= b)
                return true;
        return false;
    };
}

} // namespace ddr::test

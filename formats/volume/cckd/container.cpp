#include "formats/volume/cckd/container.hpp"

#include "formats/io/error.hpp"
#include "formats/volume/cckd/eav_container.hpp"

#include <algorithm>
#include <array>

namespace ddr::cckd {

namespace {

std::string hex(uint64_t v)
{
    static const char digits[] = "0123456789ABCDEF";
    std::string s;
    do {
        s.insert(s.begin(), digits[v & 0xF]);
        v >>= 4;
    } while (v);
    return "0x" + s;
}

// "tracks 512-767" / "block groups 0-255": what an L1 entry covers, for messages.
std::string covered(Flavor flavor, uint64_t group, uint64_t units)
{
    uint64_t first = group * kL2Entries;
    uint64_t last = std::min(units, first + kL2Entries) - 1;
    return std::string(flavor == Flavor::Ckd ? "tracks " : "block groups ") + std::to_string(first) + "-" +
           std::to_string(last);
}

} // namespace

Container::Container(const std::string& path, FileRole role) : file_(FileHandle::open_read(path)), role_(role)
{
    file_size_ = file_.size();
    check_headers();
    nullfmt_ = cdevhdr_.nullfmt;
    read_l1_table();
}

void Container::check_headers()
{
    const std::string& name = file_.path();
    auto bad = [&](uint64_t offset, const std::string& msg) {
        fail(ErrorKind::Unreadable, file_place(name, offset), msg);
    };
    if (file_size_ < kL1Pos)
        bad(0, "file is " + std::to_string(file_size_) + " bytes, too short for the 1024 bytes of CCKD headers");
    std::array<uint8_t, kL1Pos> head{};
    file_.read_exact(0, head);
    auto kind = classify_magic(head.data());
    if (!kind)
        bad(0, "does not start with a compressed DASD magic (CKD_C370, FBA_C370, CKD_C064, FBA_C064, CKD_E064)");
    kind_ = *kind;
    if (kind_.shadow && role_ == FileRole::Base)
        bad(0, "is a Hercules shadow file (" + kind_.magic +
                   "), which holds only the tracks changed since its base image; read it through its base "
                   "(--sf, Hercules' sf= name) or merge it first (dasdcopy base sf=shadow merged)");
    if (!kind_.shadow && role_ == FileRole::Shadow)
        bad(0, "is a " + kind_.magic + " image where a shadow file (CKD_S370, CKD_S064, FBA_S370, FBA_S064) belongs");
    devhdr_ = DeviceHeader::decode(head.data());
    cdevhdr_ = CompressedHeader::parse(head.data() + kCompressedHeaderPos, kind_.wide);
    const bool ckd = kind_.flavor == Flavor::Ckd;
    const uint64_t hdr = kCompressedHeaderPos;

    // Before any number is read in the order the option byte names.
    if (kind_.eav && cdevhdr_.order() != ByteOrder::Little)
        bad(hdr + 3, "compressed header option byte " + hex(cdevhdr_.options) +
                         " marks the numbers big-endian; a CKD_E064 image is little-endian throughout");
    if (cdevhdr_.numl2tab != kL2Entries)
        bad(hdr + 8, "compressed header says " + std::to_string(cdevhdr_.numl2tab) + " entries per L2 table, not 256");
    if (kind_.eav) {
        check_eav_headers();
    } else if (ckd) {
        if (devhdr_.heads == 0 || devhdr_.heads > 0xFFFF)
            bad(8, "device header says " + std::to_string(devhdr_.heads) + " heads per cylinder");
        // A track must fit an L2 entry's 16-bit length when it is stored raw.
        if (devhdr_.track_size < kEmptyTrackSize || devhdr_.track_size > kMaxStoredImage)
            bad(12, "device header says tracks are " + std::to_string(devhdr_.track_size) +
                        " bytes; a CCKD track is 29 to 65,535 bytes");
        if (cdevhdr_.cyls == 0 || cdevhdr_.cyls > 0x10000)
            bad(hdr + (kind_.wide ? 12 : 40), "compressed header says " + std::to_string(cdevhdr_.cyls) +
                                                  " cylinders; a CCKD image holds 1 to 65,536");
    }
    if (ckd) {
        if (cdevhdr_.nullfmt > kNullFmt2)
            bad(hdr + (kind_.wide ? 72 : 44), "compressed header names null track format " +
                                                  std::to_string(cdevhdr_.nullfmt) + " (expected 0, 1 or 2)");
        units_ = uint64_t(cdevhdr_.cyls) * devhdr_.heads;
    } else {
        if (cdevhdr_.cyls == 0)
            bad(hdr + (kind_.wide ? 12 : 40), "compressed header says the volume has 0 sectors");
        units_ = cfba_groups(cdevhdr_.cyls);
    }
    const uint64_t needed = l1_entries_for(units_);
    if (cdevhdr_.numl1tab < needed)
        bad(hdr + 4, "compressed header says " + std::to_string(cdevhdr_.numl1tab) + " L1 entries, but " +
                         std::to_string(units_) + (ckd ? " tracks" : " block groups") + " need " + std::to_string(needed));
    data_start_ = kL1Pos + uint64_t(cdevhdr_.numl1tab) * l1_entry_size(kind_.wide);
    if (data_start_ > file_size_)
        bad(kL1Pos, "file is " + std::to_string(file_size_) + " bytes, too short for its " +
                        std::to_string(cdevhdr_.numl1tab) + "-entry L1 table");
}

// CKD_E064 (eav_container.hpp): a 3390 of 65,521 to 1,182,006 cylinders with exactly
// the L1 entries its tracks need.  (Its byte order is checked first, in check_headers.)
void Container::check_eav_headers()
{
    const std::string& name = file_.path();
    auto bad = [&](uint64_t offset, const std::string& msg) {
        fail(ErrorKind::Unreadable, file_place(name, offset), msg);
    };
    const uint64_t hdr = kCompressedHeaderPos;
    if (devhdr_.heads != eav::kHeads)
        bad(8, "device header says " + eav::geometry_problem(devhdr_.heads, eav::kTrackSize, eav::kDevtypeByte));
    if (devhdr_.track_size != eav::kTrackSize)
        bad(12, "device header says " + eav::geometry_problem(eav::kHeads, devhdr_.track_size, eav::kDevtypeByte));
    if (devhdr_.devtype_byte != eav::kDevtypeByte)
        bad(16, "device header says " + eav::geometry_problem(eav::kHeads, eav::kTrackSize, devhdr_.devtype_byte));
    if (std::string why = eav::cylinder_count_problem(cdevhdr_.cyls); !why.empty())
        bad(hdr + 12, "compressed header says " + why);
    const uint64_t needed = l1_entries_for(uint64_t(cdevhdr_.cyls) * eav::kHeads);
    if (cdevhdr_.numl1tab != needed)
        bad(hdr + 4, "compressed header says " + std::to_string(cdevhdr_.numl1tab) + " L1 entries; " +
                         std::to_string(cdevhdr_.cyls) + " cylinders of 15 tracks need exactly " +
                         std::to_string(needed));
}

void Container::read_l1_table()
{
    const bool wide = kind_.wide;
    const size_t esize = l1_entry_size(wide);
    const uint64_t count = l1_entries_for(units_);
    Bytes raw(size_t(count) * esize);
    file_.read_exact(kL1Pos, raw);
    l1_.resize(size_t(count));
    const uint64_t table = l2_table_size(wide);
    for (uint64_t i = 0; i < count; ++i) {
        uint64_t v = load_l1(raw.data() + i * esize, wide, cdevhdr_.order());
        const Place at = file_place(file_.path(), kL1Pos + i * esize);
        if (v == shadow_marker(wide) && role_ == FileRole::Shadow) {
            l1_[size_t(i)] = v;
            continue;
        }
        if (v == shadow_marker(wide))
            fail(ErrorKind::Unreadable, at,
                 "L1 entry " + std::to_string(i) + " (" + covered(kind_.flavor, i, units_) +
                     ") holds the shadow-file marker " + hex(v) + " in a base image");
        if (v != 0 && (v < data_start_ || v > file_size_ || file_size_ - v < table))
            fail(ErrorKind::Unreadable, at,
                 "L1 entry " + std::to_string(i) + " (" + covered(kind_.flavor, i, units_) +
                     ") points at offset " + std::to_string(v) + ", but an L2 table must lie between " +
                     std::to_string(data_start_) + " and the end of the " + std::to_string(file_size_) + "-byte file");
        l1_[size_t(i)] = v;
    }
}

void Container::read_l2_table(uint64_t group, const Place& where)
{
    const bool wide = kind_.wide;
    l2_raw_.resize(l2_table_size(wide));
    try {
        file_.read_exact(l1_[size_t(group)], l2_raw_);
    } catch (const Error& e) {
        cached_group_ = ~uint64_t(0);
        throw e.within(where);
    }
    l2_.resize(kL2Entries);
    for (unsigned i = 0; i < kL2Entries; ++i)
        l2_[i] = load_l2(l2_raw_.data() + i * l2_entry_size(wide), wide, cdevhdr_.order());
    cached_group_ = group;
}

Container::Slot Container::locate(uint64_t unit, const Place& where)
{
    if (unit >= units_)
        fail(ErrorKind::Internal, where,
             "asked for unit " + std::to_string(unit) + " of an image holding " + std::to_string(units_));
    const bool ckd = kind_.flavor == Flavor::Ckd;
    const uint64_t group = unit / kL2Entries;
    Slot slot;
    if (l1_[size_t(group)] == 0) {
        slot.null_format = nullfmt_;
        return slot;
    }
    if (l1_[size_t(group)] == shadow_marker(kind_.wide)) {  // only a shadow file's (read_l1_table)
        slot.absent = true;
        return slot;
    }
    if (cached_group_ != group)
        read_l2_table(group, where);
    const unsigned index = unsigned(unit % kL2Entries);
    slot.entry = l2_[index];
    Place at = where;
    at.offset = l1_[size_t(group)] + index * l2_entry_size(kind_.wide);
    const L2Entry& e = slot.entry;
    if (e.pos == 0) {
        if (ckd) {
            if (e.len > kNullFmt2)
                fail(ErrorKind::Unreadable, at,
                     "L2 entry marks the track null with format " + std::to_string(e.len) + " (expected 0, 1 or 2)");
            // Hercules reads format 0 as format 2 in an image whose default is format 2
            // (a compatibility rule for old Linux volumes); so do we.
            slot.null_format = (e.len == kNullFmt0 && nullfmt_ == kNullFmt2) ? kNullFmt2 : uint8_t(e.len);
        }
        return slot;
    }
    if (e.pos == shadow_marker(kind_.wide) && role_ == FileRole::Shadow) {
        slot.absent = true;
        return slot;
    }
    if (e.pos == shadow_marker(kind_.wide))
        fail(ErrorKind::Unreadable, at, "L2 entry holds the shadow-file marker " + hex(e.pos) + " in a base image");
    if (e.len <= kImageHeaderSize)
        fail(ErrorKind::Unreadable, at,
             "L2 entry says the stored image is " + std::to_string(e.len) + " bytes, too short to hold anything");
    if (e.pos < data_start_ || e.pos > file_size_ || file_size_ - e.pos < e.len)
        fail(ErrorKind::Unreadable, at,
             "L2 entry points at offset " + std::to_string(e.pos) + " length " + std::to_string(e.len) +
                 ", outside the data area " + std::to_string(data_start_) + "-" + std::to_string(file_size_) + " of the file");
    return slot;
}

} // namespace ddr::cckd

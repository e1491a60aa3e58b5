// An existing compressed image opened for reading: the headers are checked, the L1
// table is loaded and checked, and L2 tables are read as tracks or block groups are
// asked for (the last one is kept).  Shared by the CKD and FBA readers and by the
// writers that update an image.
#pragma once

#include "formats/volume/cckd/file.hpp"
#include "formats/volume/cckd/layout.hpp"
#include "formats/io/error.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace ddr::cckd {

// What a file is in a chain of base image and shadow files (shadow.hpp).
enum class FileRole : uint8_t {
    Base,    // CKD_C370/C064, FBA_C370/C064, CKD_E064; a shadow file is refused
    Shadow,  // CKD_S370/S064, FBA_S370/S064; anything else is refused
};

class Container {
public:
    // Opens `path` and checks everything but the L2 tables and the stored images.
    // Throws Error(Unreadable) naming the file and offset when the headers or the L1
    // table are not a usable compressed image of the `role` asked for.  Only a shadow
    // file may hold the "not in this file" marker (shadow_marker) in its L1 and L2 entries.
    explicit Container(const std::string& path, FileRole role = FileRole::Base);

    const std::string& path() const { return file_.path(); }
    const Kind& kind() const { return kind_; }
    const DeviceHeader& device_header() const { return devhdr_; }
    const CompressedHeader& header() const { return cdevhdr_; }
    const FileHandle& file() const { return file_; }
    uint64_t file_size() const { return file_size_; }
    // Tracks (CKD) or block groups (FBA).
    uint64_t units() const { return units_; }
    // The first offset past the headers and the L1 table.
    uint64_t data_start() const { return data_start_; }

    struct Slot {
        L2Entry entry;             // entry.pos == 0: nothing stored
        uint8_t null_format = 0;   // CKD null unit: the null format it reads as
        bool absent = false;       // shadow file only: the unit is not in this file (look below)
        bool null() const { return entry.pos == 0; }
    };

    // The header null format Hercules applies to this file's null units: its own, unless
    // a chain says otherwise (Hercules takes the top file's for every file of a chain).
    void set_chain_null_format(uint8_t fmt) { nullfmt_ = fmt; }

    // True when no L2 table covers `unit` (its L1 entry is 0): the 256 units of its
    // group all read as the header's null format.  `unit` < units().  (A base image's
    // question: a shadow file's L1 entry may also be the "not here" marker.)
    bool in_null_group(uint64_t unit) const { return l1_[size_t(unit / kL2Entries)] == 0; }

    // Where unit `unit` is stored.  The entry is checked (inside the file, long enough);
    // errors are Error(Unreadable) at `where` plus the offset of the bad entry.
    Slot locate(uint64_t unit, const Place& where);

private:
    void check_headers();
    void check_eav_headers();
    void read_l1_table();
    void read_l2_table(uint64_t group, const Place& where);

    FileHandle file_;
    FileRole role_;
    uint64_t file_size_ = 0;
    Kind kind_;
    uint8_t nullfmt_ = 0;
    DeviceHeader devhdr_;
    CompressedHeader cdevhdr_;
    uint64_t units_ = 0;
    uint64_t data_start_ = 0;
    std::vector<uint64_t> l1_;
    uint64_t cached_group_ = ~uint64_t(0);
    std::vector<L2Entry> l2_;
    Bytes l2_raw_;
};

} // namespace ddr::cckd

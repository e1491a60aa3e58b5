// Lays out a new compressed image, streaming:
//
//   0     device header          } written last, by finish()
//   512   compressed header      }
//   1024  L1 table               }
//   ...   stored images, appended in the order they are handed over
//   ...   the L2 tables that are needed, in group order (finish())
//
// Everything from the L1 table to the end of the file is in use: no free space, no
// imbedded free space (L2 size = len), so Hercules' cckdcdsk finds nothing to fix.
// The L2 entries are kept in memory, 8 bytes each (a 48-bit offset and the length;
// size always equals len), in tables of 256 allocated when a group first gets an entry
// other than the header's null format; the image data is not kept.  So an empty
// volume costs no tables at all, whatever its size.  A group whose entries all read as
// the header's null format gets no L2 table (L1 entry 0).
//
// Replacing a unit already stored leaves its old image as dead space; garbage()
// counts it and the owner then copies the live images to a fresh builder
// (copy_live) instead of finishing this one.
#pragma once

#include "formats/volume/cckd/file.hpp"
#include "formats/volume/cckd/layout.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ddr::cckd {

struct BuildLayout {
    Kind kind;
    DeviceHeader devhdr;
    CompressedHeader cdevhdr;  // numl1tab and the size/free fields are filled in by the builder
    uint64_t units = 0;        // tracks (CKD) or block groups (FBA)
    uint64_t l1_entries = 0;   // L1 table size; 0 = just enough for `units`
    uint64_t max_file_size = kMaxFileSize32;
    std::string target;        // the final file name, for messages
    std::string too_big;       // the message when the image would pass max_file_size
};

class Builder {
public:
    Builder(FileHandle& file, BuildLayout layout);

    const BuildLayout& layout() const { return layout_; }
    // The null format a unit nobody set reads as (the header's nullfmt).
    uint8_t default_null() const { return layout_.cdevhdr.nullfmt; }

    // Stores `stored` (a complete stored image: 5-byte header + data) for `unit`.
    // Error(WriteFailed) if the file would pass the size limit.
    void append(uint64_t unit, ByteSpan stored);
    // Makes `unit` a null entry of format `fmt` (CKD) / an all-zero group (FBA, fmt 0).
    void set_null(uint64_t unit, uint8_t fmt);

    bool emitted(uint64_t unit) const { return emitted_[size_t(unit)]; }
    // The current entry of `unit` (a null default-format entry if never set).
    L2Entry entry(uint64_t unit) const;
    uint64_t garbage() const { return garbage_; }
    uint64_t end() const { return end_; }
    // Groups whose L2 entries are held in memory (2 KiB each).
    uint64_t groups_in_memory() const { return groups_in_memory_; }

    // Writes buffered image bytes to the file (so they can be read back).
    void flush();
    // Writes the L2 tables, the L1 table and both headers.  The caller syncs and renames.
    void finish();

private:
    bool is_default(const L2Entry& e) const;
    void set(uint64_t unit, const L2Entry& e);
    void check_room(uint64_t bytes_to_add) const;
    void put(ByteSpan bytes);

    FileHandle& file_;
    BuildLayout layout_;
    uint64_t groups_count_ = 0;  // L1 entries that cover units
    uint64_t l1_count_ = 0;      // L1 entries written (may be one more)
    std::vector<std::unique_ptr<uint64_t[]>> groups_;  // packed entries: pos << 16 | len
    uint64_t groups_in_memory_ = 0;
    std::vector<uint16_t> non_default_;  // per group: entries that differ from the default
    uint64_t tables_needed_ = 0;         // groups with non_default_ > 0
    std::vector<bool> emitted_;
    uint64_t garbage_ = 0;
    uint64_t end_ = 0;        // end of the data written or buffered
    uint64_t buf_start_ = 0;  // file offset of buf_[0]
    Bytes buf_;
    bool finished_ = false;
};

// Copies every unit `from` has emitted into `to` (stored images as they are, null
// entries as null entries), in unit order.  `from_file` is the file `from` writes.
void copy_live(Builder& from, const FileHandle& from_file, Builder& to);

} // namespace ddr::cckd

// CP-formatted VM/370 volumes: the records of cylinder 0 head 0 that IBM's DDR reads for
// DUMP CPVOL and DUMP/RESTORE NUCLEUS (man/ddrtape.5 section 6).
//
// On a volume CP's FORMAT/ALLOCATE prepared, track 0 holds R1, the 24-byte IPL record;
// R2, the 4096-byte checkpoint record of the CP nucleus ('DMKCKP  ' at data offset 14,
// the nucleus' first and last cylinder as halfwords at 22); R3, the VOL1 label with owner
// 'CP370' (data bytes 46-50); R4, the 1024-byte allocation record, one code per cylinder
// up to an end byte X'FF'.  Pure functions on track images and record data: no I/O.
#pragma once

#include "formats/io/bytes.hpp"
#include "formats/io/error.hpp"
#include "formats/volume/ckd_track.hpp"
#include "formats/volume/volume_label.hpp"

#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace ddr {

inline constexpr uint8_t kCpIplRecordNumber = 1;
inline constexpr uint8_t kCpCheckpointRecordNumber = 2;
inline constexpr uint8_t kCpAllocationRecordNumber = 4;
inline constexpr size_t kCpIplRecordSize = 24;
inline constexpr size_t kCpCheckpointRecordSize = 4096;
inline constexpr size_t kCpAllocationRecordSize = 1024;

// What the allocation record says of one cylinder.
enum class CpAllocation : uint8_t {
    Temp = 0x00,            // paging and spooling
    Perm = 0x01,            // permanent: minidisks, the nucleus
    Tdisk = 0x02,           // temporary minidisks
    Directory = 0x04,       // directory space not in use
    DirectoryInUse = 0x0C,  // the directory in use
};

// "PERM", "DRCT in use", ...: for messages and listings.
const char* cp_allocation_name(CpAllocation a);

// A decoded allocation record: the code of every cylinder before the end byte.
struct CpAllocationMap {
    std::vector<CpAllocation> cylinders;

    // The cylinder runs IBM's DUMP CPVOL dumps: cylinder 0, and every run of PERM or
    // directory-in-use cylinders (a run that starts at cylinder 1 joins cylinder 0's).
    // Ascending, as first-last pairs.
    std::vector<std::pair<uint32_t, uint32_t>> cpvol_runs() const;
    // True if every cylinder of [first, last] is allocated PERM.
    bool all_perm(uint32_t first, uint32_t last) const;
};

// Decodes R4's data.  Error(NotCpVolume), naming the record, if it is not 1024 bytes,
// has no end byte X'FF', or holds a code other than the five above before it.
CpAllocationMap decode_cp_allocation(ByteSpan data);

// The checkpoint record's nucleus cylinders.
struct CpCheckpoint {
    uint16_t nucleus_first = 0;
    uint16_t nucleus_last = 0;
};

// True if `data` is a checkpoint record: 4096 bytes with 'DMKCKP  ' at offset 14.
bool is_cp_checkpoint(ByteSpan data);
// Decodes a checkpoint record.  Error(NotCpVolume) if `data` is no checkpoint record or
// its nucleus cylinders are not ascending.
CpCheckpoint decode_cp_checkpoint(ByteSpan data);

// R1 as RESTORE NUCLEUS writes it: a PSW starting at X'800' and a CCW that reads the
// 4096-byte R2 (the checkpoint record, the nucleus' loader) there.
std::span<const uint8_t, kCpIplRecordSize> cp_nucleus_ipl_record();

// Track 0 of a volume read as CP-formatted: its VOL1 label (owner CP370) and allocation.
struct CpVolume {
    CkdVolumeLabel label;
    CpAllocationMap allocation;
};

// Reads track 0 as DUMP CPVOL needs it.  Error(NotCpVolume) saying why not: no VOL1
// label, an owner other than CP370, no R4, or an R4 decode_cp_allocation refuses.
CpVolume read_cp_volume(const TrackImage& track0);

// The checkpoint record on track 0 (R2's data), as DUMP NUCLEUS needs it.
// Error(NotCpVolume) if R2 is missing or is no checkpoint record.
ByteSpan find_cp_checkpoint(const TrackImage& track0);

// Checks that track 0 of a volume can take a NUCLEUS restore, as IBM's RESTORE NUCLEUS
// requires: CP-formatted (read_cp_volume), an R1 of 24 and an R2 of 4096 data bytes to
// rewrite in place, and every nucleus cylinder of `nucleus` allocated PERM.
// Error(NotCpVolume) saying which is missing.
void check_cp_nucleus_target(const TrackImage& track0, const CpCheckpoint& nucleus);

// Rewrites, in place, R1's data with cp_nucleus_ipl_record() and R2's with `checkpoint`
// (4096 bytes).  Track 0 must have passed check_cp_nucleus_target.
void rewrite_cp_nucleus_records(TrackImage& track0, ByteSpan checkpoint);

} // namespace ddr

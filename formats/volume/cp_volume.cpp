#include "formats/volume/cp_volume.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

namespace ddr {

namespace {

constexpr uint8_t kAllocationEnd = 0xFF;

// Checkpoint record offsets (man/ddrtape.5 section 6).
constexpr size_t kCheckpointIdAt = 14;
constexpr std::array<uint8_t, 8> kCheckpointId = {0xC4, 0xD4, 0xD2, 0xC3, 0xD2, 0xD7, 0x40, 0x40};  // 'DMKCKP  '
constexpr size_t kNucleusFirstAt = 22;
constexpr size_t kNucleusLastAt = 24;

// PSW X'000C0000 00000800', CCW read X'06' of 4096 bytes to X'800', a zero doubleword.
constexpr std::array<uint8_t, kCpIplRecordSize> kNucleusIplRecord = {
    0x00, 0x0C, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x06, 0x00, 0x08, 0x00,
    0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};

[[noreturn]] void not_cp(const std::string& why)
{
    fail(ErrorKind::NotCpVolume, why);
}

bool known_code(uint8_t b)
{
    switch (CpAllocation(b)) {
    case CpAllocation::Temp:
    case CpAllocation::Perm:
    case CpAllocation::Tdisk:
    case CpAllocation::Directory:
    case CpAllocation::DirectoryInUse: return true;
    }
    return false;
}

// The record numbered `number` on track 0, if there is one.
std::optional<CkdRecord> record_of(const TrackImage& track0, uint8_t number)
{
    std::vector<CkdRecord> recs;
    track0.records(recs);
    for (size_t i = 1; i < recs.size(); ++i)
        if (recs[i].record_number() == number)
            return recs[i];
    return std::nullopt;
}

std::string hex_byte(uint8_t b)
{
    char s[8];
    std::snprintf(s, sizeof s, "X'%02X'", unsigned(b));
    return s;
}

} // namespace

const char* cp_allocation_name(CpAllocation a)
{
    switch (a) {
    case CpAllocation::Temp: return "TEMP";
    case CpAllocation::Perm: return "PERM";
    case CpAllocation::Tdisk: return "TDSK";
    case CpAllocation::Directory: return "DRCT";
    case CpAllocation::DirectoryInUse: return "DRCT in use";
    }
    return "?";
}

std::vector<std::pair<uint32_t, uint32_t>> CpAllocationMap::cpvol_runs() const
{
    std::vector<std::pair<uint32_t, uint32_t>> runs{{0, 0}};
    for (uint32_t c = 1; c < cylinders.size(); ++c) {
        if (cylinders[c] != CpAllocation::Perm && cylinders[c] != CpAllocation::DirectoryInUse)
            continue;
        if (runs.back().second + 1 == c)
            runs.back().second = c;
        else
            runs.push_back({c, c});
    }
    return runs;
}

bool CpAllocationMap::all_perm(uint32_t first, uint32_t last) const
{
    for (uint64_t c = first; c <= last; ++c)
        if (c >= cylinders.size() || cylinders[c] != CpAllocation::Perm)
            return false;
    return true;
}

CpAllocationMap decode_cp_allocation(ByteSpan data)
{
    if (data.size() != kCpAllocationRecordSize)
        not_cp("R4 (the CP allocation record) has " + std::to_string(data.size()) + " data bytes, not " +
               std::to_string(kCpAllocationRecordSize));
    CpAllocationMap map;
    for (size_t c = 0; c < data.size(); ++c) {
        if (data[c] == kAllocationEnd)
            return map;
        if (!known_code(data[c]))
            not_cp("R4 (the CP allocation record) has the unknown code " + hex_byte(data[c]) + " for cylinder " +
                   std::to_string(c));
        map.cylinders.push_back(CpAllocation(data[c]));
    }
    not_cp("R4 (the CP allocation record) has no end byte X'FF'");
}

bool is_cp_checkpoint(ByteSpan data)
{
    return data.size() == kCpCheckpointRecordSize &&
           std::equal(kCheckpointId.begin(), kCheckpointId.end(), data.begin() + kCheckpointIdAt);
}

CpCheckpoint decode_cp_checkpoint(ByteSpan data)
{
    if (!is_cp_checkpoint(data))
        not_cp("no CP checkpoint record ('DMKCKP' at offset 14 of 4096 bytes)");
    CpCheckpoint c;
    c.nucleus_first = load_be16(data.data() + kNucleusFirstAt);
    c.nucleus_last = load_be16(data.data() + kNucleusLastAt);
    if (c.nucleus_last < c.nucleus_first)
        not_cp("the CP checkpoint record names nucleus cylinders " + std::to_string(c.nucleus_first) + " to " +
               std::to_string(c.nucleus_last) + ", which do not ascend");
    return c;
}

std::span<const uint8_t, kCpIplRecordSize> cp_nucleus_ipl_record()
{
    return kNucleusIplRecord;
}

CpVolume read_cp_volume(const TrackImage& track0)
{
    CpVolume v;
    auto label = find_ckd_volume_label(track0);
    if (!label)
        not_cp("no VOL1 label (no record with key VOL1)");
    if (!label->cp_formatted)
        not_cp("the VOL1 label (R" + std::to_string(label->record) + ") has no 'CP370' at bytes 46-50: its owner field reads '" +
               label->owner + "'");
    v.label = std::move(*label);
    auto r4 = record_of(track0, kCpAllocationRecordNumber);
    if (!r4)
        not_cp("no R4 (the CP allocation record)");
    v.allocation = decode_cp_allocation(r4->data);
    return v;
}

ByteSpan find_cp_checkpoint(const TrackImage& track0)
{
    auto r2 = record_of(track0, kCpCheckpointRecordNumber);
    if (!r2)
        not_cp("no R2 (the CP checkpoint record)");
    if (!is_cp_checkpoint(r2->data))
        not_cp("R2 is no CP checkpoint record ('DMKCKP' at offset 14 of 4096 bytes)");
    return r2->data;
}

void check_cp_nucleus_target(const TrackImage& track0, const CpCheckpoint& nucleus)
{
    const CpVolume v = read_cp_volume(track0);
    auto r1 = record_of(track0, kCpIplRecordNumber);
    if (!r1 || r1->data.size() != kCpIplRecordSize)
        not_cp("R1 (the IPL record) is missing or not 24 bytes");
    auto r2 = record_of(track0, kCpCheckpointRecordNumber);
    if (!r2 || r2->data.size() != kCpCheckpointRecordSize)
        not_cp("R2 (the checkpoint record) is missing or not 4096 bytes");
    if (!v.allocation.all_perm(nucleus.nucleus_first, nucleus.nucleus_last))
        not_cp("the nucleus cylinders " + std::to_string(nucleus.nucleus_first) + "-" +
               std::to_string(nucleus.nucleus_last) + " are not all allocated PERM in R4 (the CP allocation record)");
}

void rewrite_cp_nucleus_records(TrackImage& track0, ByteSpan checkpoint)
{
    std::vector<CkdRecord> recs;
    track0.records(recs);
    for (const CkdRecord& r : recs) {
        const size_t at = size_t(r.data.data() - track0.bytes.data());
        if (r.record_number() == kCpIplRecordNumber && r.data.size() == kCpIplRecordSize)
            std::copy(kNucleusIplRecord.begin(), kNucleusIplRecord.end(), track0.bytes.begin() + std::ptrdiff_t(at));
        if (r.record_number() == kCpCheckpointRecordNumber && r.data.size() == checkpoint.size())
            std::copy(checkpoint.begin(), checkpoint.end(), track0.bytes.begin() + std::ptrdiff_t(at));
    }
}

} // namespace ddr

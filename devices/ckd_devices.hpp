// The CKD device table: one row per model, with the geometry Hercules uses, IBM's track
// capacity constants, and the per-device values IBM DDR writes into its volume header.
//
// Where each number comes from, and every choice made where no source gives a number,
// is written down in devices/README.md.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace ddr {

// Which track capacity formula a device uses.  The values are the formula numbers of
// Hercules' device table.
enum class CapacityFormula : int8_t {
    F2311 = -2,  // 2311, 2314: a record that is last on the track needs no gap after it
    F3330 = -1,  // 2305, 3330, 3340, 3350: fixed overhead per record
    F3380 = 1,   // 3375, 3380: space counted in 32-byte cells
    F3390 = 2,   // 3390, 9345: space counted in 34-byte cells, plus per-segment overhead
};

// The four device-table values IBM DDR copies into every VHR (ddrtape(5) section 3; devices/README.md).
struct DdrGeometry {
    uint16_t mrec = 0;  // VHRMREC: more than the most records a track can hold
    uint16_t cylp = 0;  // last primary cylinder (DUMP ALL stops here)
    uint16_t cyla = 0;  // VHRCYLA: last alternate cylinder
    uint16_t mtck = 0;  // VHRMTCK: last head (heads - 1)
    friend bool operator==(const DdrGeometry&, const DdrGeometry&) = default;
};

// Where a row's DDR values come from.
enum class DdrValuesFrom : uint8_t {
    IbmR6,    // IBM's VM/370 Release 6 DMKDDR device table, exactly
    Vm370Ce,  // the VM/370 Community Edition DDR (HRC012DK), the only DDR with 3380 support
    Rule,     // our rule (devices/README.md): no public DDR source gives values
};

// VHRCYLA of an EAV (3390-A): its last cylinder does not fit the 16-bit field.  The true
// value travels in the VHR bytes IBM leaves blank and in our trailer (ddrtape(5), EAV).
inline constexpr uint16_t kDdrCylaEav = 0xFFFF;

// 3390 model A (EAV) sizes: more than 65,520 cylinders, up to IBM's 1 TB limit.
inline constexpr uint32_t kEavMinCylinders = 65'521;
inline constexpr uint32_t kEavMaxCylinders = 1'182'006;

struct CkdDevice {
    std::string_view name;                    // canonical model name, e.g. "3390-3"
    std::array<std::string_view, 3> aliases;  // other accepted names; "" = unused
    uint16_t devtype = 0;                     // 0x3390
    uint8_t rdc_model = 0;                    // model byte of Read Device Characteristics
    uint32_t cylinders = 0;                   // primary cylinders (3390-A: the largest EAV)
    uint16_t alt_cylinders = 0;               // alternate cylinders (Hercules 3.13 table)
    uint16_t heads = 0;                       // tracks per cylinder
    uint32_t r0_max = 0;                      // largest R0 data length
    uint32_t r1_max = 0;                      // largest data length of a lone keyless R1
    uint32_t ha_r0_overhead = 0;              // track space taken by HA and R0
    uint32_t track_length = 0;                // space for R1..Rn in the capacity formula
    CapacityFormula formula = CapacityFormula::F3390;
    std::array<uint16_t, 6> f{};              // formula constants f1..f6
    DdrGeometry ddr;
    DdrValuesFrom ddr_from = DdrValuesFrom::Rule;
    bool eav = false;                         // 3390-A: any size kEavMin..kEavMaxCylinders

    // The device type byte in a Hercules CKD header (offset 16): the low byte of devtype.
    constexpr uint8_t hercules_devtype() const { return uint8_t(devtype & 0xFF); }
    // Bytes per track slot in a Hercules image: HA, R0 and one maximal R1 plus the
    // end-of-track marker, rounded up to a multiple of 512.
    constexpr uint32_t hercules_track_size() const { return (r1_max + 37 + 511) / 512 * 512; }
    constexpr uint32_t total_cylinders() const { return cylinders + alt_cylinders; }
};

// Every row, in Hercules' table order: rows of one device type are contiguous and sorted
// by size, so the first row of a type whose cylinders reach a count is the model Hercules
// reports.
std::span<const CkdDevice> ckd_devices();

// All rows of one device type (0x3390, or just its low byte 0x90); empty if unknown.
std::span<const CkdDevice> ckd_devices_of_type(uint16_t devtype);

// The row named `name` (canonical or alias, any case), or nullptr.
const CkdDevice* find_ckd_device(std::string_view name);

// The model Hercules infers for an image from its header's device type byte and its
// cylinder count: the first row of that type whose primary plus alternate cylinders reach
// the count.  nullptr if the byte is unknown or the count exceeds every row.
const CkdDevice* ckd_device_for_image(uint8_t hercules_devtype, uint32_t cylinders);

// A device type a DDR volume header may describe.  The VHR names no device type, so a
// reader can only infer it from MREC, CYLA and MTCK (devices/README.md, "Which device a DDR tape came from").
struct VhrMatch {
    const CkdDevice* device = nullptr;
    bool mrec_matches = false;  // the VHR's MREC is this row's
    bool cyla_matches = false;  // the VHR's CYLA is this row's: a whole-pack dump
};

// Every row a VHR can describe, best first.  A row fits when its last head is MTCK and
// CYLA does not exceed its last cylinder (a community DDR writes a minidisk's own last
// cylinder); kDdrCylaEav fits only the EAV row.  Order: MREC match, then exact CYLA, then
// the smaller device, then table order.  Rows with identical DDR values (3380, -D, -J;
// or 3330-1 and 3330-11 when CYLA is small) cannot be told apart and all come back.
std::vector<VhrMatch> ckd_devices_for_vhr(uint16_t mrec, uint16_t cyla, uint16_t mtck);

// ---- Track capacity of the real device (devices/README.md, "Track capacity") ----
//
// Hercules itself only checks that a track fits its image slot; these say whether the
// records would fit the real device's track, which is what IBM's programs rely on.

// Track space one record with key length KL and data length DL takes.  Only the 2311
// and 2314 charge a record that is last on the track less than one followed by another.
struct RecordSpace {
    uint64_t not_last = 0;
    uint64_t last = 0;
};
RecordSpace record_space(const CkdDevice& dev, uint32_t key_length, uint32_t data_length);

// How many records of (KL, DL) fit on one track after R0; 0 if not even one fits.
uint32_t records_per_track(const CkdDevice& dev, uint32_t key_length, uint32_t data_length);

struct RecordShape {
    uint8_t key_length = 0;
    uint16_t data_length = 0;
};

// Track space records R1..Rn (in track order, R0 not included) need, the last one
// charged as last.  0 for no records.
uint64_t track_space_needed(const CkdDevice& dev, std::span<const RecordShape> records);

// True if records R1..Rn fit the real device's track: track_space_needed <= track_length.
bool track_fits(const CkdDevice& dev, std::span<const RecordShape> records);

} // namespace ddr

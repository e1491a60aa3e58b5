// The fixed records of a DDR tape (ddrtape(5) sections 3 and 6):
// the 80-byte volume header VHR and its twins EOV (end of reel) and EOJ (end of dump),
// and the 4096-byte CP checkpoint record that follows the VHR of a NUCLEUS dump.
#pragma once

#include "devices/ckd_devices.hpp"
#include "formats/io/bytes.hpp"
#include "formats/io/cchh.hpp"
#include "formats/io/tod.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace ddr {

inline constexpr size_t kDdrHeaderSize = 80;
inline constexpr size_t kDdrBlockSize = 4096;
inline constexpr size_t kNucleusRecordSize = 4096;

enum class DdrHeaderKind : uint8_t { Vhr, Eov, Eoj };

// VHR / EOV / EOJ.  IBM fills every byte it does not name with EBCDIC blanks (X'40').
struct DdrVolumeHeader {
    DdrHeaderKind kind = DdrHeaderKind::Vhr;
    // VHRCYLNO: BB CC HH.  VHR: first output track on this reel; EOV: the track that did
    // not fit; EOJ: the last output cylinder with head = MTCK.  Raw CCHH bytes.
    uint16_t bb = 0;
    uint16_t cc = 0;
    uint16_t hh = 0;
    uint64_t tod = 0;      // VHRCLOCK: STCK value, the dump's identity
    uint16_t mrec = 0;     // device's max records per track (DDR table)
    uint16_t cyla = 0;     // device's last cylinder incl. alternates (DDR table)
    uint16_t mtck = 0;     // last head number
    std::array<uint8_t, 6> volser{0x40, 0x40, 0x40, 0x40, 0x40, 0x40};  // EBCDIC
    // Bytes IBM leaves blank.  Kept as read, so a header re-encoded after decoding is
    // the same 80 bytes, whatever another writer put there.  ddr puts an EAV's last
    // cylinder into offsets 10..13 (set_eav_last_cylinder).
    std::array<uint8_t, 6> spare_10{0x40, 0x40, 0x40, 0x40, 0x40, 0x40};   // offsets 10..15
    std::array<uint8_t, 44> spare_36{};                                    // offsets 36..79

    DdrVolumeHeader();

    std::array<uint8_t, kDdrHeaderSize> encode() const;

    // The kind of header `block` is, if it is an 80-byte block whose first four bytes
    // are the EBCDIC IDs 'VHR ', 'EOV ' or 'EOJ '.
    static std::optional<DdrHeaderKind> kind_of(ByteSpan block);
    // Decodes an 80-byte header; throws Error(Unreadable) if `block` is not one.
    static DdrVolumeHeader decode(ByteSpan block);

    // True if this dump's CCHHs are read in EAV form (eav_form_for_heads; MTCK is the
    // last head, so the device has MTCK + 1 heads).
    bool eav_form() const { return eav_form_for_heads(mtck + 1u); }
    // VHRCYLNO's CC and HH as one CCHH value (an FBA dump's block number).
    uint32_t cchh() const { return cchh_value(cc, hh); }
    // The track VHRCYLNO names, in this dump's CCHH form.
    TrackAddress address() const { return address_of(cchh(), eav_form()); }

    // An EAV's last cylinder does not fit VHRCYLA (which then holds X'FFFF', kDdrCylaEav),
    // so ddr writes it as a 32-bit number into bytes 10-13, which IBM leaves blank
    // (man/ddrtape.5).  Sets those bytes only; the caller sets CYLA.
    void set_eav_last_cylinder(uint32_t last);
    // The last cylinder an EAV dump's VHR records: with CYLA X'FFFF', bytes 10-13 when
    // they hold a last cylinder a 3390-A can have; nullopt otherwise (another device, or
    // blanks from IBM's DDR).
    std::optional<uint32_t> eav_last_cylinder() const;

    // The same header with another ID and CCHH (EOV/EOJ/continuation VHR are copies).
    DdrVolumeHeader as(DdrHeaderKind k, uint16_t new_cc, uint16_t new_hh) const;
};

const char* header_name(DdrHeaderKind kind);  // "VHR", "EOV", "EOJ"

// The NUCLEUS dump's CP checkpoint record (cyl 0 head 0 R2): 'DMKCKP  ' at offset 14.
bool is_nucleus_record(ByteSpan block);


} // namespace ddr

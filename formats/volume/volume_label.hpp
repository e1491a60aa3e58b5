// Volume labels: finding the volser of a CKD or FBA volume, and the label records
// Hercules' dasdinit writes on a new volume (ddrimage(5) sections 3 and 5:
// VOL1 on cylinder 0 head 0 record 3 of CKD, block 1 of FBA).  Pure functions on track images and blocks: no I/O.
#pragma once

#include "formats/volume/ckd_track.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace ddr {

inline constexpr size_t kVolserLength = 6;
using EbcdicVolser = std::array<uint8_t, kVolserLength>;

// The VOL1 label of a CKD volume: the record on cylinder 0 head 0 whose key is EBCDIC
// "VOL1" (normally R3), as DDR finds it with a search on that key.
struct CkdVolumeLabel {
    uint8_t record = 0;             // record number of the label record
    EbcdicVolser volser_ebcdic{};   // data bytes 4-9 as stored
    std::string volser;             // the same in ASCII, trailing blanks removed
    std::array<uint8_t, 5> vtoc{};  // data bytes 11-15: CCHHR of the VTOC (format-4 DSCB)
    std::string owner;              // data bytes 41-50 in ASCII, blanks and X'00' trimmed
    bool cp_formatted = false;      // data bytes 46-50 are EBCDIC "CP370": a CP-formatted VM volume
    Bytes data;                     // the label record's data (80 bytes normally)
};

// Finds the VOL1 label on track 0 (cyl 0 head 0); nullopt if no record has key "VOL1"
// with at least the 10 data bytes that hold the volser.
std::optional<CkdVolumeLabel> find_ckd_volume_label(const TrackImage& track0);

// A volser as dasdinit stores it: 1 to 6 characters, lower case made upper case,
// padded with blanks, in EBCDIC.  Throws Error(Usage) for an empty or too long volser
// or a character EBCDIC volsers cannot hold.
EbcdicVolser volser_to_ebcdic(std::string_view volser);
// The ASCII form of a stored volser, trailing blanks removed; bytes outside the
// characters volsers use come out as '?'.
std::string volser_to_ascii(const EbcdicVolser& ebcdic);

// Track 0 (cyl 0 head 0) of a new volume, byte for byte as Hercules 3.13 dasdinit
// writes it: R0 (8 zero bytes), R1 key "IPL1" with a 24-byte IPL PSW and CCWs, R2 key
// "IPL2" with 144 zero bytes, R3 key "VOL1" with the 80-byte VOL1 label (VTOC pointer
// cyl 0 head 1 record 1, owner "HERCULES").  dasdinit writes no VTOC there.
TrackImage dasdinit_track0(std::string_view volser);

// Block 1 of an FBA volume as dasdinit writes it: "VOL1" and the volser in EBCDIC, then
// zeros (512 bytes).
std::array<uint8_t, 512> dasdinit_fba_block1(std::string_view volser);
// The volser from block 1 of an FBA volume, if the block starts with EBCDIC "VOL1".
std::optional<std::string> find_fba_volser(ByteSpan block1);

} // namespace ddr

// One CKD track, held the way Hercules stores it and the way every volume container
// (plain CKD, CCKD, our EAV container) hands tracks to the rest of the program:
//
//   HA (5: bin byte, CC, HH) | R0 count (8) | R0 key+data | R1 count key data | ... | FF x 8
//
// Counts are CC HH R KL DL(2), big-endian.  The track ends at the first count that is
// eight X'FF' bytes; whatever a container keeps after that marker is not part of the track.
#pragma once

#include "formats/io/bytes.hpp"
#include "formats/io/cchh.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ddr {

inline constexpr size_t kHomeAddressSize = 5;
inline constexpr size_t kCountSize = 8;
inline constexpr size_t kEndOfTrackSize = 8;
// The HA's flag byte (its first): a track flagged defective, or an alternate track.
inline constexpr uint8_t kHaFlagDefective = 0x02;
inline constexpr uint8_t kHaFlagAlternate = 0x01;
// HA + R0 count + 8 bytes of R0 data + end marker: a track with no records after R0.
inline constexpr size_t kEmptyTrackSize = kHomeAddressSize + kCountSize + 8 + kEndOfTrackSize;

// Hercules keeps its track-overflow flag in the top bit of a count's cylinder, which is
// also a real cylinder bit from cylinder 32,768 up (3390-54).  True when `count` (8
// bytes) of the track whose home address is `ha` (5 bytes) carries the flag: the bit is
// set and, without it, the count names the track's own cylinder, a low one.
bool carries_overflow_flag(const uint8_t* count, const uint8_t* ha);

// A view of one record inside a TrackImage.  R0 is records()[0].
struct CkdRecord {
    const uint8_t* count = nullptr;  // the 8 count bytes
    ByteSpan key;
    ByteSpan data;

    uint32_t cchh() const { return load_be32(count); }  // the count's CCHH value, as stored
    uint8_t record_number() const { return count[4]; }
    uint8_t key_length() const { return count[5]; }
    uint16_t data_length() const { return load_be16(count + 6); }
    bool is_end_of_file() const { return key_length() == 0 && data_length() == 0; }
};

class TrackImage {
public:
    // The track bytes, from the HA up to and including the end-of-track marker.
    Bytes bytes;

    // Measures the track at the start of `slot`: walks the count fields up to the
    // end-of-track marker and returns the length including the marker.  Returns
    // nullopt and sets `why` if no well-formed track is there (no R0, a record
    // running past the slot, no marker).
    static std::optional<size_t> measure(ByteSpan slot, std::string* why = nullptr);

    // Copies the track at the start of `slot` (see measure); throws Error(Unreadable)
    // if the slot holds no well-formed track (the caller adds the place).
    void assign_from_slot(ByteSpan slot);

    // Builds a track: start() writes the HA, then add_record() once for R0 and once
    // for each further record, then finish() writes the end marker.
    void start(uint8_t ha_bin, TrackAddress addr);
    void start_raw_ha(const uint8_t* ha5);
    void add_record(const uint8_t* count8, ByteSpan key, ByteSpan data);
    void add_record(const uint8_t* count8, ByteSpan key_and_data);
    void finish();

    // A formatted empty track (Hercules' null format 1): HA, R0 (KL 0, DL 8, zero data), marker.
    static TrackImage empty(TrackAddress addr);

    // Parses the records (R0 first) into `out`, reusing its storage.  The image must
    // be well formed (as produced by assign_from_slot or the builder).
    void records(std::vector<CkdRecord>& out) const;

    TrackAddress home_address(bool eav_form) const { return decode_cchh(bytes.data() + 1, eav_form); }
    uint32_t home_cchh() const { return load_be32(bytes.data() + 1); }  // the HA's CCHH value, as stored
    size_t size() const { return bytes.size(); }
};

} // namespace ddr

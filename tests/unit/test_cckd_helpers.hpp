// Helpers for the CCKD/CFBA tests: realistic track contents, small plain CKD/FBA files
// written directly (the peer utilities' input), and running the Hercules 3.13 utilities.
#pragma once

#include "formats/io/bytes.hpp"
#include "formats/volume/ckd_track.hpp"
#include "formats/volume/volume.hpp"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace ddr::test {

struct CkdGeometry {
    const char* name;
    uint8_t devtype_byte;
    uint32_t heads;
    uint32_t track_size;
};

// Hercules' own values (ddrimage(5)): cckdcdsk insists on them.
inline constexpr CkdGeometry k3390{"3390", 0x90, 15, 56832};
inline constexpr CkdGeometry k3380{"3380", 0x80, 15, 47616};
inline constexpr CkdGeometry k3350{"3350", 0x50, 30, 19456};
inline constexpr CkdGeometry k3330{"3330", 0x30, 19, 13312};
inline constexpr CkdGeometry k2314{"2314", 0x14, 20, 7680};

NewCkdVolume new_volume(const CkdGeometry& g, uint32_t cylinders, const std::string& format = "CKD_C370");

// Track builders.  Every record's count carries the track's own CCHH.
TrackImage empty_fmt0(TrackAddress addr);
TrackImage track_with_records(TrackAddress addr, const std::vector<std::pair<Bytes, Bytes>>& key_data,
                              const uint8_t* r0data = nullptr);
// A mix of what real volumes hold, chosen by `kind` (0..7): FMT1, FMT0, keyed records,
// an end-of-file record after data, one track-filling record, non-zero R0 data with a
// record, text-like 80-byte records, random (incompressible) 4 KiB records.
TrackImage sample_track(TrackAddress addr, unsigned kind, uint32_t track_size, std::mt19937& rng);

// The tracks of a small volume: tracks of the first `content_tracks` get sample
// contents; the rest are FMT1 (left empty).
std::vector<TrackImage> sample_volume(const CkdGeometry& g, uint32_t cylinders, uint64_t content_tracks, uint32_t seed);

// Writes a plain CKD_P370 file (one slot per track, zero padding) from `tracks`.
void write_plain_ckd(const std::string& path, const CkdGeometry& g, uint32_t cylinders,
                     const std::vector<TrackImage>& tracks);
// Reads track `unit` of a plain CKD_P370 file up to its end-of-track marker.
TrackImage read_plain_track(const std::string& path, uint32_t track_size, uint64_t unit);

// Runs a shell command, returning its stdout and stderr together; `rc` gets the exit status.
std::string run(const std::string& command, int* rc = nullptr);
// True if the Hercules 3.13 utilities are on PATH.
bool have_hercules();

// Runs Hercules 3.13's `cckdcdsk -3` on `path` and checks (doctest CHECKs) that it
// prints nothing and leaves the file byte for byte as it was: it repairs in place.
void check_cckdcdsk_clean(const std::string& path);

// Writes a volume through `writer` in track order and commits.
void write_all(CkdVolumeWriter& writer, const std::vector<TrackImage>& tracks, uint32_t heads);

// Byte order swap of a 32-bit CCKD/CFBA file in place (cdevhdr, L1, L2), as a
// big-endian machine would have written it.
void make_big_endian(const std::string& path);

} // namespace ddr::test

// Realistic CKD volume contents for tests and the demo: a seeded generator of tracks
// like those on real VM and MVS volumes -- IPL records and a VOL1 label, a VTOC, keyed
// directory blocks, CMS-style 4 KB blocks, card images, full tracks, end-of-file records,
// R0 data, and counts whose CCHH is not the track's (minidisks, REORDERed copies) --
// every track within the real device's capacity.
#pragma once

#include "devices/ckd_devices.hpp"
#include "formats/volume/ckd_track.hpp"

#include <cstdint>
#include <random>
#include <string>

namespace ddr::test {

class SampleVolume {
public:
    // `hercules_clean`: only tracks Hercules can keep in a compressed image (no R0 data on
    // a track of no records, no end-of-file-only track with a foreign CCHH): what
    // cckdcdsk -3 must accept unchanged.
    SampleVolume(const CkdDevice& device, std::string volser, uint64_t seed, bool hercules_clean = false);

    // The track at `addr`.  `fill` is the share of tracks (0..100) that hold data; the
    // rest are empty (R0 only), as on most real volumes.  Deterministic for a seed.
    TrackImage track(TrackAddress addr, unsigned fill = 60);

    // Which recipe made the last track (for test messages).
    const std::string& last_recipe() const { return recipe_; }

private:
    void add(TrackImage& t, TrackAddress addr, uint8_t r, const uint8_t* cchh, uint8_t kl, uint16_t dl,
             int content);
    Bytes make_data(size_t n, int content);

    const CkdDevice& dev_;
    std::string volser_;
    uint64_t seed_;
    bool hercules_clean_;
    std::mt19937_64 rng_;
    std::string recipe_;
};

// Writes a whole sample volume image (plain CKD) of `cylinders` cylinders.
void write_sample_volume(const std::string& path, const CkdDevice& device, uint32_t cylinders,
                         const std::string& volser, uint64_t seed, unsigned fill = 60, bool hercules_clean = false);

} // namespace ddr::test

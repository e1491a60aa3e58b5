// The sources PRINT and TYPE read tracks from: a CKD volume, or a CKD dump on a DDR tape
// (its THR groups, addressed by the cylinders written on the tape, as IBM's DDR reads
// them).  Each is a TrackSource (track_listing.hpp).
#pragma once

#include "ddr/track_listing.hpp"
#include "formats/ddrtape/dump_reader.hpp"
#include "formats/volume/volume.hpp"

#include <optional>

namespace ddr {

// The tracks of a CKD volume, read slot by slot; a head past the volume's last moves on
// to head 0 of the next cylinder.
class VolumeTrackSource final : public TrackSource {
public:
    explicit VolumeTrackSource(CkdVolumeReader& volume) : volume_(volume) {}
    bool next(TrackAddress from, TrackAddress to, SourceTrack& out) override;

private:
    CkdVolumeReader& volume_;
};

// The tracks of the dump `reader` stands in (after start_dump()), in tape order.  A
// track before `from` is passed over; one after `to` is kept for a later call.  Each
// track is shown with the home address and R0 count its THR carries.  An FBA dump is
// Error(Unreadable).
class DumpTrackSource final : public TrackSource {
public:
    explicit DumpTrackSource(DumpReader& reader) : reader_(reader) {}
    bool next(TrackAddress from, TrackAddress to, SourceTrack& out) override;

private:
    // Reads on to the next THR group; false at the dump's end.
    bool read_group();

    DumpReader& reader_;
    std::optional<TrackAddress> held_;  // the address of a group read but not yet listed
    bool ended_ = false;
};

// Clears Hercules' track-overflow flag (ckd_track.hpp) from the last count of `image`,
// where it carries one: the count as the device returns it.
void clear_overflow_flag(TrackImage& image);

} // namespace ddr

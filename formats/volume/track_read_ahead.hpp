// Reading a CKD volume's tracks on a second thread, ahead of the thread that encodes them.
//
// A dump asks for its tracks in an order known in advance (its extents, cylinder by
// cylinder).  Reading a track (system calls and a copy out of the page cache, or a CCKD
// track's decompression) costs about as much CPU as encoding it as a THR group, so the
// two are overlapped: a reader thread reads the tracks in that order into a small ring,
// and the encoding thread takes them from it.  Memory is bounded by the ring (kTracks
// track images).
#pragma once

#include "formats/volume/volume.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <thread>

namespace ddr {

class TrackReadAhead {
public:
    // Track images in the ring.  128 made a quarter of the context switches of 32 but no
    // faster a dump (5 alternating runs), for 5 MiB more memory; 32 is kept.
    static constexpr size_t kTracks = 32;
    // Gives the next address to read, nullopt once there are no more.  Called on the
    // reader thread only, one call at a time.
    using AddressSource = std::function<std::optional<TrackAddress>()>;

    // Starts reading `volume` at the addresses `next_address` gives.  From now until this
    // object is destroyed, nothing but the reader thread may use `volume` (apart from
    // info(), which does not change).
    TrackReadAhead(CkdVolumeReader& volume, AddressSource next_address);
    // Stops the reader thread and waits for it; `volume` may be used again after.
    ~TrackReadAhead();
    TrackReadAhead(const TrackReadAhead&) = delete;
    TrackReadAhead& operator=(const TrackReadAhead&) = delete;

    // The next track read ahead, if it is the one at `addr`: it is moved into `out` (whose
    // storage goes back to the ring for reuse) and true returned.  If reading it failed,
    // that error is thrown here, just as volume.read_track(addr, out) would have thrown
    // it.  False if the next track is another one or none is left: the caller reads `addr`
    // itself once this object is gone, and this read-ahead is of no further use.  Waits
    // while the track is being read; throws Error(Interrupted) if a signal arrives then.
    bool take(TrackAddress addr, TrackImage& out);

private:
    struct Shared;
    std::unique_ptr<Shared> shared_;
    std::thread reader_;
};

} // namespace ddr

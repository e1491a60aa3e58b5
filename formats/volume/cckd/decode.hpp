// Turning one stored image back into a track or a block group, checking everything on
// the way: the compression code, the 5-byte header against the expected address, the
// decompressed length and the track structure.  One pread per image; the buffers are
// reused from call to call.
#pragma once

#include "formats/volume/cckd/codec.hpp"
#include "formats/volume/cckd/file.hpp"
#include "formats/volume/cckd/layout.hpp"
#include "formats/volume/ckd_track.hpp"
#include "formats/io/error.hpp"

namespace ddr::cckd {

class ImageDecoder {
public:
    // The image's CCHH fields are in EAV form (CKD_E064).  This only changes how a
    // wrong header is described in messages: the check compares the exact bytes.
    void set_eav_form(bool eav_form) { eav_form_ = eav_form; }

    // Reads the CKD track image stored at `e` for track `addr` into `out`: HA (byte 0
    // cleared) up to and including the end-of-track marker.  Error(Unreadable) at
    // `where` + the image offset if it is not a well-formed image of that track.
    void read_track(const FileHandle& file, const L2Entry& e, TrackAddress addr, uint32_t track_size, TrackImage& out,
                    const Place& where);

    // Reads the CFBA block group image stored at `e` (group number `group`) into `out`,
    // which must be exactly 61,440 bytes.
    void read_group(const FileHandle& file, const L2Entry& e, uint64_t group, MutableByteSpan out, const Place& where);

private:
    bool eav_form_ = false;
    Bytes stored_;
    Decompressor decompressor_;
};

} // namespace ddr::cckd

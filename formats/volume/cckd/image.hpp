// Hercules compressed CKD images (CCKD): CKD_C370, and SDL Hyperion's 64-bit CKD_C064;
// also this project's CKD_E064 for EAV volumes (eav_container.hpp), which is CKD_C064's
// layout with a 3390 geometry, up to 1,182,006 cylinders and CCHH in EAV form.
//
// Reading accepts either byte order, raw / zlib / bzip2 tracks, null tracks (L1 entry 0
// = the header's null format; L2 pos 0 = the format in len) and checks every offset,
// length and header before trusting it.  Shadow files (CKD_S370) are refused.
//
// Writing produces what Hercules 3.13's cckdcdsk -3 finds nothing to repair in:
// little-endian, option byte 0x41 (0x40 for CKD_C064, as SDL writes it), header null
// format 1, images packed with no free space, L2 tables after the images.  Empty
// tracks (byte for byte FMT0 or FMT1, or the FMT2 Linux pattern on a device whose
// tracks can hold it) are never stored: they become null L2 entries, and a group of
// 256 FMT1 tracks gets no L2 table at all.  Every other track is stored, compressed
// when that is shorter (images under 512 bytes stay raw), so reading gives back
// exactly what was written.
//
// Known limit of the peer, not of this code: Hercules 3.13's cckdcdsk -3 rejects any
// stored image of 37 bytes or less, and Hercules itself treats every 29- or 37-byte
// track it writes as empty.  A track that short but not empty (R0 data that is not
// zero, or an R1 that is not the end-of-file record of this track) is still stored
// here, so no data is lost, but cckdcdsk -3 would call it invalid.
#pragma once

#include "formats/volume/cckd/codec.hpp"
#include "formats/volume/cckd/decode.hpp"
#include "formats/volume/cckd/shadow.hpp"
#include "formats/volume/cckd/writer_core.hpp"
#include "formats/volume/volume.hpp"

#include <memory>
#include <string>

namespace ddr {

struct CckdOptions {
    CckdCompression compression = CckdCompression::Zlib;
    int level = -1;        // -1 = the library default; zlib 0-9, bzip2 1-9 (block size)
    unsigned threads = 0;  // compression threads; 0 = one per processor, at most 8
};

class CckdImageReader final : public CkdVolumeReader {
public:
    // The image at `path`; with `shadow_files` (Hercules' sf= name), the image and the
    // shadow files Hercules finds for it, read as one volume (cckd::Chain).
    explicit CckdImageReader(const std::string& path, const std::optional<std::string>& shadow_files = std::nullopt);
    const CkdVolumeInfo& info() const override { return info_; }
    void read_track(TrackAddress addr, TrackImage& out) override;

private:
    cckd::Chain chain_;
    CkdVolumeInfo info_;
    cckd::ImageDecoder decoder_;
};

class CckdImageWriter final : public CkdVolumeWriter {
public:
    // A new image (NewCkdVolume::format "CKD_C370", "CKD_C064" or "CKD_E064").  A new
    // CKD_E064 must be a 3390 (devtype byte 0x90, 15 heads, 56,832-byte tracks) of
    // 65,521 to 1,182,006 cylinders; anything else is Error(Device).
    CckdImageWriter(const std::string& path, const NewCkdVolume& spec, const CckdOptions& options);
    // An update of an existing image: rewritten tracks are compressed the way its
    // header says; the others are copied as stored.
    CckdImageWriter(const std::string& path, unsigned threads);

    const CkdVolumeInfo& info() const override { return info_; }
    void read_track(TrackAddress addr, TrackImage& out) override;
    void write_track(TrackAddress addr, const TrackImage& track) override;
    void commit() override;

private:
    uint64_t unit_of(TrackAddress addr, const char* what) const;
    Place place_of(TrackAddress addr) const;
    cckd::WriterCore::Rules rules() const;

    CkdVolumeInfo info_;
    bool allow_fmt2_ = false;
    bool eav_ = false;  // CKD_E064
    cckd::ImageDecoder decoder_;
    std::unique_ptr<cckd::WriterCore> core_;
};

// `shadow_files`: as CckdImageReader's.
std::unique_ptr<CkdVolumeReader> open_cckd_volume(const std::string& path,
                                                  const std::optional<std::string>& shadow_files = std::nullopt);
// Fails with Error(Refused) if `path` exists.
std::unique_ptr<CkdVolumeWriter> create_cckd_volume(const std::string& path, const NewCkdVolume& spec,
                                                    CckdOptions options = {});
// Rewrites some tracks of an existing CKD_C370/CKD_C064/CKD_E064 image: a complete new file is
// built beside it and renamed over it by commit(); until then the original is untouched.
std::unique_ptr<CkdVolumeWriter> update_cckd_volume(const std::string& path, unsigned threads = 0);

} // namespace ddr

// Hercules compressed FBA images (CFBA): FBA_C370, and SDL Hyperion's 64-bit FBA_C064.
//
// The volume is cut into block groups of 120 sectors (61,440 bytes); each group is
// one stored image: compression code, big-endian group number, then the 61,440 bytes
// raw or compressed.  The last group is padded with zeros.  The sector count is the
// compressed header's `cyls` field.
//
// Writing: an all-zero group is a null L2 entry (Hercules reads any null group as
// zeros, and dasdinit -z writes them), and a run of 256 such groups gets no L2 table;
// every other group is stored, compressed when that is shorter.  The device header
// carries, besides the magic, the sector count, 512 and the low byte of the device
// type, as SDL writes them: Hercules 3.13 ignores those fields and they let a reader
// tell the device type.  Header null format 0, option byte 0x41 (0x40 for FBA_C064).
#pragma once

#include "formats/volume/cckd/codec.hpp"
#include "formats/volume/cckd/decode.hpp"
#include "formats/volume/cckd/image.hpp"
#include "formats/volume/cckd/shadow.hpp"
#include "formats/volume/cckd/writer_core.hpp"
#include "formats/volume/volume.hpp"

#include <memory>
#include <string>

namespace ddr {

class CfbaImageReader final : public FbaVolumeReader {
public:
    // The image at `path`, with its shadow files when `shadow_files` (as CckdImageReader).
    explicit CfbaImageReader(const std::string& path, const std::optional<std::string>& shadow_files = std::nullopt);
    const FbaVolumeInfo& info() const override { return info_; }
    void read_blocks(uint64_t first, MutableByteSpan out) override;

private:
    void load_group(uint64_t group);

    cckd::Chain chain_;
    FbaVolumeInfo info_;
    cckd::ImageDecoder decoder_;
    Bytes group_;
    uint64_t cached_ = ~uint64_t(0);
};

class CfbaImageWriter final : public FbaVolumeWriter {
public:
    // A new image (NewFbaVolume::format "FBA_C370" or "FBA_C064").
    CfbaImageWriter(const std::string& path, const NewFbaVolume& spec, const CckdOptions& options);
    // An update of an existing image.
    CfbaImageWriter(const std::string& path, unsigned threads);

    const FbaVolumeInfo& info() const override { return info_; }
    void read_blocks(uint64_t first, MutableByteSpan out) override;
    void write_blocks(uint64_t first, ByteSpan data) override;
    void commit() override;

private:
    void check_range(uint64_t first, size_t bytes, const char* what) const;
    // Fills `out` (61,440 bytes) with the current content of `group`.
    void current_group(uint64_t group, MutableByteSpan out);
    void open_group(uint64_t group);
    void close_group();
    cckd::WriterCore::Rules rules() const;

    FbaVolumeInfo info_;
    cckd::ImageDecoder decoder_;
    std::unique_ptr<cckd::WriterCore> core_;
    Bytes group_;                         // header (5) + the open group's 61,440 bytes
    uint64_t open_ = ~uint64_t(0);        // the group being filled, if any
};

std::unique_ptr<FbaVolumeReader> open_cfba_volume(const std::string& path,
                                                  const std::optional<std::string>& shadow_files = std::nullopt);
// Fails with Error(Refused) if `path` exists.
std::unique_ptr<FbaVolumeWriter> create_cfba_volume(const std::string& path, const NewFbaVolume& spec,
                                                    CckdOptions options = {});
// Rewrites some blocks of an existing FBA_C370/FBA_C064 image; see update_cckd_volume.
std::unique_ptr<FbaVolumeWriter> update_cfba_volume(const std::string& path, unsigned threads = 0);

} // namespace ddr

// Plain FBA images: no header at all, just N consecutive 512-byte blocks (spec:
// ddrimage(5) section 5).
//
// A plain FBA file has no magic we could clobber to mark an update in progress, and any
// bytes at all make a valid plain FBA image to Hercules.  So while ddr rewrites blocks of
// an existing image, the file is renamed to "NAME.ddr-busy" (busy_image.hpp), and a
// 512-byte block holding the RestoreRecord follows its last block; commit() cuts that
// block off and renames the file back.  An interrupted restore leaves no file under
// NAME: Hercules reports the file as missing instead of running a half-restored volume,
// and our reader explains what happened.  Running the restore again picks up the busy
// file.
#pragma once

#include "formats/volume/busy_image.hpp"
#include "formats/io/file.hpp"
#include "formats/volume/volume.hpp"

#include <memory>
#include <optional>
#include <string>

namespace ddr {

// The RestoreRecord at the end of `busy_file`, a plain FBA image a restore is writing;
// nullopt if it holds none.
std::optional<RestoreRecord> fba_restore_record(const std::string& busy_file);

class FbaImageReader : public FbaVolumeReader {
public:
    // Opens a plain FBA image.  Throws Error(Unreadable) if its size is not a positive
    // multiple of 512, or if only NAME.ddr-busy exists (an update did not finish) unless
    // `allow_unfinished` (the restore that redoes it reads the busy file).
    explicit FbaImageReader(const std::string& path, bool allow_unfinished = false);

    const FbaVolumeInfo& info() const override { return info_; }
    void read_blocks(uint64_t first, MutableByteSpan out) override;

private:
    friend class FbaImageWriter;
    FbaImageReader() = default;
    void check_range(uint64_t first, size_t bytes, const char* what) const;

    FbaVolumeInfo info_;
    std::string io_path_;  // the name the open file has now (differs during an update)
    UniqueFd fd_;
};

class FbaImageWriter : public FbaVolumeWriter {
public:
    // A new image of spec.blocks zero blocks (a sparse file), built under a temporary
    // name and renamed to `path` by commit().  Refuses with Error(Refused) if `path` exists.
    static std::unique_ptr<FbaImageWriter> create(const std::string& path, const NewFbaVolume& spec);
    // An existing image, renamed to NAME.ddr-busy and followed by `record` (if any)
    // until commit().  If only the busy file exists (an earlier update did not finish), that
    // file is taken up again; Error(Refused) if both exist.
    static std::unique_ptr<FbaImageWriter> update(const std::string& path, const std::optional<RestoreRecord>& record);
    // A new image an interrupted restore left in `temporary` (resume_fba_volume).
    static std::unique_ptr<FbaImageWriter> resume(const std::string& path, const std::string& temporary);

    const FbaVolumeInfo& info() const override { return image_.info_; }
    void read_blocks(uint64_t first, MutableByteSpan out) override;
    void write_blocks(uint64_t first, ByteSpan data) override;
    void commit() override;
    bool resumable() const override { return true; }
    uint64_t sync_written() override;
    std::vector<std::string> temporary_files() const override;
    void keep_unfinished() override;

private:
    FbaImageWriter() = default;
    // Shares the pending file's descriptor with the reader and describes `blocks` blocks.
    void attach_pending(const std::string& path, uint64_t blocks);

    FbaImageReader image_;
    std::optional<PendingFile> pending_;  // create only
    std::string final_path_;
    bool committed_ = false;
};

} // namespace ddr

#include "formats/volume/fba_image.hpp"

#include <cerrno>
#include <unistd.h>

namespace ddr {

namespace {

uint64_t checked_blocks(int fd, const std::string& path)
{
    uint64_t size = file_size(fd, path);
    if (size == 0 || size % kFbaBlockSize != 0)
        fail(ErrorKind::Unreadable, file_place(path),
             "not an FBA image: its size, " + std::to_string(size) + " bytes, is not a whole number of 512-byte blocks");
    return size / kFbaBlockSize;
}

// A busy file: the image's blocks, then (once the update has written it) one block
// holding the RestoreRecord.
struct BusyLayout {
    uint64_t blocks = 0;
    std::optional<RestoreRecord> record;
};

BusyLayout busy_layout(int fd, const std::string& busy)
{
    const uint64_t size = file_size(fd, busy);
    BusyLayout l;
    l.blocks = size / kFbaBlockSize;  // a record cut short by a crash holds no block
    if (size >= 2 * kFbaBlockSize && size % kFbaBlockSize == 0) {
        Bytes last(kFbaBlockSize);
        pread_exact(fd, last, size - kFbaBlockSize, file_place(busy));
        l.record = RestoreRecord::decode(last);
        if (l.record && l.record->fba_blocks != l.blocks - 1)
            l.record.reset();
        // A record whose check failed (written over by a crash) is no image block.
        if (l.record || RestoreRecord::has_magic(last))
            --l.blocks;
    }
    // No record: the run stopped before its record was on disk, when no block had been
    // written yet, or after commit() cut it off, when every block had.
    if (l.blocks == 0)
        fail(ErrorKind::Unreadable, file_place(busy), "not an FBA image: " + std::to_string(size) + " bytes");
    return l;
}

} // namespace

std::optional<RestoreRecord> fba_restore_record(const std::string& busy_file)
{
    UniqueFd fd = open_existing(busy_file, false);
    return busy_layout(fd.get(), busy_file).record;
}

FbaImageReader::FbaImageReader(const std::string& path, bool allow_unfinished)
{
    const std::string busy = busy_image_name(path);
    info_.format = "FBA";
    info_.files = {path};
    if (!path_exists(path) && path_exists(busy)) {
        fd_ = open_existing(busy, false);
        const BusyLayout l = busy_layout(fd_.get(), busy);
        if (!allow_unfinished)
            fail_unfinished(path, UnfinishedRestore{path, busy, false, false, l.record});
        io_path_ = busy;
        info_.blocks = l.blocks;
    } else {
        fd_ = open_existing(path, false);
        io_path_ = path;
        info_.blocks = checked_blocks(fd_.get(), path);
    }
    info_.bytes = info_.blocks * kFbaBlockSize;
}

void FbaImageReader::check_range(uint64_t first, size_t bytes, const char* what) const
{
    if (bytes % kFbaBlockSize != 0)
        fail(ErrorKind::Internal, file_place(info_.files.front()),
             std::string(what) + " " + std::to_string(bytes) + " bytes, not a whole number of blocks");
    uint64_t count = bytes / kFbaBlockSize;
    if (first > info_.blocks || count > info_.blocks - first) {
        Place at = file_place(info_.files.front());
        at.fba_block = first;
        fail(ErrorKind::Device, at,
             std::string(what) + " blocks " + std::to_string(first) + "-" + std::to_string(first + count - 1) +
                 ", beyond the end of the volume (" + std::to_string(info_.blocks) + " blocks)");
    }
}

void FbaImageReader::read_blocks(uint64_t first, MutableByteSpan out)
{
    check_range(first, out.size(), "asked to read");
    Place at = file_place(io_path_);
    at.fba_block = first;
    pread_exact(fd_.get(), out, first * kFbaBlockSize, at);
}

std::unique_ptr<FbaImageWriter> FbaImageWriter::create(const std::string& path, const NewFbaVolume& spec)
{
    if (spec.format != "FBA")
        fail(ErrorKind::Internal, file_place(path), "plain FBA writer asked for format \"" + spec.format + "\"");
    if (spec.blocks == 0 || spec.blocks > (uint64_t(1) << 54))
        fail(ErrorKind::Device, file_place(path), "cannot make an FBA image of " + std::to_string(spec.blocks) + " blocks");
    if (path_exists(path))
        fail(ErrorKind::Refused, file_place(path), "already exists; not replacing it");

    std::unique_ptr<FbaImageWriter> w(new FbaImageWriter());
    w->pending_.emplace(path);
    truncate_file(w->pending_->fd(), spec.blocks * kFbaBlockSize, path);
    w->attach_pending(path, spec.blocks);
    return w;
}

void FbaImageWriter::attach_pending(const std::string& path, uint64_t blocks)
{
    final_path_ = path;
    FbaImageReader& img = image_;
    img.fd_ = UniqueFd(::dup(pending_->fd()));
    if (!img.fd_)
        fail(ErrorKind::WriteFailed, file_place(path), "cannot duplicate the file descriptor: " + os_error_text(errno));
    img.io_path_ = path;  // in messages: the name asked for (the temporary is renamed to it by commit)
    img.info_.format = "FBA";
    img.info_.blocks = blocks;
    img.info_.bytes = blocks * kFbaBlockSize;
    img.info_.files = {path};
}

std::unique_ptr<FbaImageWriter> FbaImageWriter::resume(const std::string& path, const std::string& temporary)
{
    if (path_exists(path))
        fail(ErrorKind::Refused, file_place(path), "already exists; not replacing it");
    std::unique_ptr<FbaImageWriter> w(new FbaImageWriter());
    w->pending_.emplace(PendingFile::adopt(path, temporary));
    const uint64_t size = file_size(w->pending_->fd(), temporary);
    if (size == 0 || size % kFbaBlockSize != 0) {
        w->pending_->keep();  // refused: the file stays as it was
        fail(ErrorKind::Unreadable, file_place(temporary),
             "holds " + std::to_string(size) + " bytes, not whole 512-byte blocks; not continuing it");
    }
    w->attach_pending(path, size / kFbaBlockSize);
    return w;
}

uint64_t FbaImageWriter::sync_written()
{
    sync_file(image_.fd_.get(), file_place(image_.io_path_));
    return 0;
}

std::vector<std::string> FbaImageWriter::temporary_files() const
{
    if (!pending_)
        return {};
    return {pending_->temp_path()};
}

void FbaImageWriter::keep_unfinished()
{
    if (pending_)
        pending_->keep();
}

std::unique_ptr<FbaImageWriter> FbaImageWriter::update(const std::string& path,
                                                       const std::optional<RestoreRecord>& record)
{
    const std::string busy = busy_image_name(path);
    const bool have_image = path_exists(path);
    if (have_image && path_exists(busy))
        fail_both_names(path, UnfinishedRestore{path, busy, false, true, fba_restore_record(busy)});
    uint64_t blocks = 0;
    if (have_image || !path_exists(busy)) {
        // Check the image before hiding it under the busy name.  Its size is all of it,
        // whatever its last block holds.
        UniqueFd probe = open_existing(path, true);
        blocks = checked_blocks(probe.get(), path);
        rename_no_replace(path, busy);
        sync_parent_folder(path);
    }
    std::unique_ptr<FbaImageWriter> w(new FbaImageWriter());
    w->final_path_ = path;
    FbaImageReader& img = w->image_;
    img.fd_ = open_existing(busy, true);
    img.io_path_ = busy;
    if (blocks == 0)
        blocks = busy_layout(img.fd_.get(), busy).blocks;  // taken up again: its record is no block

    // The record after the last block (over an earlier run's, so that one is never
    // missing), on disk before any block is written.
    if (record) {
        RestoreRecord marked = *record;
        marked.fba_blocks = blocks;
        Bytes block(kFbaBlockSize, 0);
        const auto rec = marked.encode();
        std::copy(rec.begin(), rec.end(), block.begin());
        pwrite_all(img.fd_.get(), block, blocks * kFbaBlockSize, file_place(busy));
    }
    truncate_file(img.fd_.get(), (blocks + (record ? 1 : 0)) * kFbaBlockSize, busy);
    sync_file(img.fd_.get(), file_place(busy));

    img.info_.format = "FBA";
    img.info_.blocks = blocks;
    img.info_.bytes = blocks * kFbaBlockSize;
    img.info_.files = {path};
    return w;
}

void FbaImageWriter::read_blocks(uint64_t first, MutableByteSpan out)
{
    image_.read_blocks(first, out);
}

void FbaImageWriter::write_blocks(uint64_t first, ByteSpan data)
{
    if (committed_)
        fail(ErrorKind::Internal, file_place(final_path_), "blocks written after commit");
    image_.check_range(first, data.size(), "asked to write");
    Place at = file_place(image_.io_path_);
    at.fba_block = first;
    pwrite_all(image_.fd_.get(), data, first * kFbaBlockSize, at);
}

void FbaImageWriter::commit()
{
    if (committed_)
        return;
    const int fd = image_.fd_.get();
    sync_file(fd, file_place(image_.io_path_));
    if (pending_) {
        pending_->rename_into_place();
    } else {
        // Every block on disk, then the record cut off, then the name: a run stopped
        // anywhere in between leaves the busy name, and the next one redoes the restore.
        truncate_file(fd, image_.info_.bytes, image_.io_path_);
        sync_file(fd, file_place(image_.io_path_));
        rename_no_replace(image_.io_path_, final_path_);
    }
    sync_parent_folder(final_path_);
    image_.io_path_ = final_path_;
    committed_ = true;
}

} // namespace ddr

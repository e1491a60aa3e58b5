#include "formats/fba_image.hpp"

#include <cerrno>
#include <unistd.h>

namespace ddr {

std::string fba_busy_name(const std::string& path)
{
    return path + ".ddr-busy";
}

namespace {

[[noreturn]] void busy_error(const std::string& path)
{
    fail(ErrorKind::Unreadable, file_place(path),
         "image is incomplete: a ddr restore into it did not finish (it is still named " + fba_busy_name(path) + ")");
}

uint64_t checked_blocks(int fd, const std::string& path)
{
    uint64_t size = file_size(fd, path);
    if (size == 0 || size % kFbaBlockSize != 0)
        fail(ErrorKind::Unreadable, file_place(path),
             "not an FBA image: its size, " + std::to_string(size) + " bytes, is not a whole number of 512-byte blocks");
    return size / kFbaBlockSize;
}

} // namespace

FbaImageReader::FbaImageReader(const std::string& path)
{
    if (!path_exists(path) && path_exists(fba_busy_name(path)))
        busy_error(path);
    fd_ = open_existing(path, false);
    io_path_ = path;
    info_.format = "FBA";
    info_.blocks = checked_blocks(fd_.get(), path);
    info_.bytes = info_.blocks * kFbaBlockSize;
    info_.files = {path};
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
    if (path_exists(fba_busy_name(path)))
        fail(ErrorKind::Refused, file_place(fba_busy_name(path)),
             "exists: an earlier ddr restore into " + path + " did not finish; restore into it again, or remove it");

    std::unique_ptr<FbaImageWriter> w(new FbaImageWriter());
    w->final_path_ = path;
    w->pending_.emplace(path);
    PendingFile& pf = *w->pending_;
    const uint64_t size = spec.blocks * kFbaBlockSize;
    if (::ftruncate(pf.fd(), off_t(size)) != 0)
        fail(ErrorKind::WriteFailed, file_place(pf.temp_path()),
             "cannot size the new image to " + std::to_string(size) + " bytes: " + os_error_text(errno));
    FbaImageReader& img = w->image_;
    img.fd_ = UniqueFd(::dup(pf.fd()));
    if (!img.fd_)
        fail(ErrorKind::WriteFailed, file_place(pf.temp_path()), "cannot duplicate the file descriptor: " + os_error_text(errno));
    img.io_path_ = pf.temp_path();
    img.info_.format = "FBA";
    img.info_.blocks = spec.blocks;
    img.info_.bytes = size;
    img.info_.files = {path};
    return w;
}

std::unique_ptr<FbaImageWriter> FbaImageWriter::update(const std::string& path)
{
    const std::string busy = fba_busy_name(path);
    const bool have_image = path_exists(path);
    const bool have_busy = path_exists(busy);
    if (have_image && have_busy)
        fail(ErrorKind::Refused, file_place(busy),
             "exists next to " + path + ": an earlier ddr restore did not finish; remove whichever of the two is not wanted");
    if (have_image) {
        // Check the image before hiding it under the busy name.
        UniqueFd probe = open_existing(path, true);
        checked_blocks(probe.get(), path);
        rename_no_replace(path, busy);
        sync_parent_folder(path);
    }
    std::unique_ptr<FbaImageWriter> w(new FbaImageWriter());
    w->final_path_ = path;
    FbaImageReader& img = w->image_;
    img.fd_ = open_existing(have_busy || have_image ? busy : path, true);
    img.io_path_ = busy;
    img.info_.format = "FBA";
    img.info_.blocks = checked_blocks(img.fd_.get(), busy);
    img.info_.bytes = img.info_.blocks * kFbaBlockSize;
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
    sync_file(image_.fd_.get(), file_place(image_.io_path_));
    if (pending_) {
        pending_->rename_into_place();
    } else {
        rename_no_replace(image_.io_path_, final_path_);
    }
    sync_parent_folder(final_path_);
    image_.io_path_ = final_path_;
    committed_ = true;
}

} // namespace ddr

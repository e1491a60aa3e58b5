#include "formats/tape/drive_tape.hpp"

#include "formats/io/error.hpp"
#include "formats/io/file.hpp"

#include <algorithm>
#include <cerrno>
#include <limits>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mtio.h>
#include <unistd.h>

namespace ddr {

// ---- FdTapeDrive: the Linux st driver ----

std::unique_ptr<FdTapeDrive> FdTapeDrive::open_if_drive(const std::string& path, bool for_writing)
{
    if (path == "-" || file_status(path).kind != FileKind::CharDevice)
        return nullptr;
    UniqueFd fd(::open(path.c_str(), (for_writing ? O_RDWR : O_RDONLY) | O_CLOEXEC));
    if (!fd) {
        const int err = errno;
        fail(for_writing ? ErrorKind::WriteFailed : ErrorKind::ReadFailed, file_place(path),
             "cannot open: " + os_error_text(err));
    }
    struct mtget probe {};
    if (::ioctl(fd.get(), MTIOCGET, &probe) != 0)  // a character device, but no tape drive
        return nullptr;
    auto drive = std::make_unique<FdTapeDrive>(path, std::move(fd));
    if (const int err = drive->operation(MTSETBLK, 0); err != 0)
        fail(ErrorKind::Device, file_place(path), "cannot set variable-block mode (MTSETBLK 0): " + os_error_text(-err));
    return drive;
}

// One MTIOCTOP operation: 0, or -errno.
int FdTapeDrive::operation(short op, int count)
{
    struct mtop request {};
    request.mt_op = op;
    request.mt_count = count;
    return ::ioctl(fd_.get(), MTIOCTOP, &request) == 0 ? 0 : -errno;
}

long FdTapeDrive::read_block(std::span<uint8_t> buffer)
{
    const ssize_t n = ::read(fd_.get(), buffer.data(), buffer.size());
    return n >= 0 ? long(n) : -long(errno);
}

long FdTapeDrive::write_block(ByteSpan block)
{
    const ssize_t n = ::write(fd_.get(), block.data(), block.size());
    return n >= 0 ? long(n) : -long(errno);
}

int FdTapeDrive::write_filemarks(unsigned count) { return operation(MTWEOF, int(count)); }
int FdTapeDrive::backspace_records(unsigned count) { return operation(MTBSR, int(count)); }
int FdTapeDrive::forward_space_files(unsigned count) { return count ? operation(MTFSF, int(count)) : 0; }
int FdTapeDrive::rewind() { return operation(MTREW, 1); }
int FdTapeDrive::unload() { return operation(MTOFFL, 1); }
int FdTapeDrive::space_to_end_of_data() { return operation(MTEOM, 1); }

int FdTapeDrive::status(DriveStatus& out)
{
    struct mtget got {};
    if (::ioctl(fd_.get(), MTIOCGET, &got) != 0)
        return -errno;
    out.beginning = GMT_BOT(got.mt_gstat);
    out.early_warning = GMT_EOT(got.mt_gstat);
    out.end_of_data = GMT_EOD(got.mt_gstat);
    out.file = got.mt_fileno;
    out.block = got.mt_blkno;
    return 0;
}

std::unique_ptr<TapeDrive> open_tape_drive(const std::string& path, bool for_writing)
{
    return FdTapeDrive::open_if_drive(path, for_writing);
}

// ---- DriveTapeReader ----

DriveTapeReader::DriveTapeReader(std::unique_ptr<TapeDrive> drive) : drive_(std::move(drive)), buffer_(kDriveMaxBlock)
{
    if (const int err = drive_->rewind(); err != 0)
        fail(ErrorKind::ReadFailed, file_place(drive_->name()), "cannot rewind the tape: " + os_error_text(-err));
}

// Contract: as TapeReader::read.  After EndOfData every read is EndOfData again.
TapeRecord DriveTapeReader::read(Bytes& block)
{
    if (ended_)
        return TapeRecord::EndOfData;
    const long n = drive_->read_block(buffer_);
    if (n > 0) {
        if (after_filemark_)
            ++file_;
        after_filemark_ = false;
        ++block_;
        offset_ = next_offset_;
        next_offset_ += uint64_t(n);
        block.assign(buffer_.begin(), buffer_.begin() + n);
        return TapeRecord::Block;
    }
    DriveStatus status;
    const bool at_end = drive_->status(status) == 0 && status.end_of_data;
    if (n == 0 && !after_filemark_ && !at_end) {
        after_filemark_ = true;
        return TapeRecord::TapeMark;
    }
    if (n == 0 || at_end) {  // a second filemark in a row, or blank tape: the end of data
        ended_ = true;
        if (after_filemark_)  // as for a tape file: the end is in the (empty) file after the mark
            ++file_;
        return TapeRecord::EndOfData;
    }
    const Place place = place_of_next_block();
    if (n == -ENOMEM)
        fail(ErrorKind::Unreadable, place, "a tape block longer than " + std::to_string(kDriveMaxBlock) + " bytes");
    fail(ErrorKind::ReadFailed, place, "read error: " + os_error_text(int(-n)));
}

Place DriveTapeReader::place_of_next_block() const
{
    Place place = file_place(drive_->name()).with_block(block_ + 1, next_offset_);
    place.counted_from_file = counted_from_;
    return place;
}

// The file count after `count` more filemarks, as reading over them would leave it: a
// mark belongs to the file it ends, so the first one passed ends the current file unless
// the reader already stands after a mark.
void DriveTapeReader::passed_filemarks(uint64_t count)
{
    if (count == 0)
        return;
    file_ += after_filemark_ ? count : count - 1;
    after_filemark_ = true;
}

// Contract: as TapeReader::space_files.  MTFSF that runs off the recorded data fails
// with EIO and the drive at its end (GMT_EOD); st's mt_fileno before and after then says
// how many marks it passed (none, where the driver has lost count).  A failure elsewhere
// is a read error.
std::optional<uint64_t> DriveTapeReader::space_files(uint64_t count)
{
    if (count > std::numeric_limits<int>::max())
        return std::nullopt;
    if (ended_ || count == 0)
        return 0;
    DriveStatus before;
    const bool known_before = drive_->status(before) == 0 && before.file >= 0;
    const int err = drive_->forward_space_files(unsigned(count));
    DriveStatus status;
    const bool known = drive_->status(status) == 0;
    uint64_t passed = count;
    if (err != 0) {
        if (!known || !status.end_of_data)
            fail(ErrorKind::ReadFailed, place_of_next_block(),
                 "cannot space over " + std::to_string(count) + " tape files (MTFSF): " + os_error_text(-err));
        passed = known_before && status.file > before.file
                     ? std::min(uint64_t(status.file - before.file), count - 1)
                     : 0;
    }
    passed_filemarks(passed);
    block_ = 0;
    offset_ = next_offset_ = 0;
    counted_from_ = file_ + 1;
    if (passed < count) {
        ended_ = true;
        if (after_filemark_)
            ++file_;  // as read() leaves it at the end of the data
    }
    return passed;
}

// ---- DriveTapeWriter ----

DriveTapeWriter::DriveTapeWriter(std::unique_ptr<TapeDrive> drive, DriveStart start, TapeDisposition at_end)
    : drive_(std::move(drive)), at_end_(at_end)
{
    start_at(start);
}

// Puts the tape where `start` says; spacing past the recorded data (st: EIO, or a
// position that is not the start of the file wanted) is Error(Reel): no such file.
void DriveTapeWriter::start_at(const DriveStart& start)
{
    if (start.append && !start.after_files) {
        if (const int err = drive_->space_to_end_of_data(); err != 0)
            failed(-err, "cannot space to the end of the recorded data");
        return;
    }
    if (const int err = drive_->rewind(); err != 0)
        failed(-err, "cannot rewind the tape");
    const uint64_t files = start.after_files.value_or(0);
    if (files == 0)
        return;
    const int err = drive_->forward_space_files(unsigned(files));
    DriveStatus status;
    const bool there = err == 0 && drive_->status(status) == 0 && (status.file < 0 || uint64_t(status.file) == files);
    if (!there)
        fail(ErrorKind::Reel, file_place(drive_->name()),
             "the tape holds fewer than " + std::to_string(files) + " tape files to space over (MTFSF" +
                 (err ? ": " + os_error_text(-err) : std::string()) + "); nothing was written");
}

void DriveTapeWriter::failed(int error, const std::string& what) const
{
    fail(ErrorKind::WriteFailed, file_place(drive_->name()).with_block(blocks_ + 1, bytes_),
         what + ": " + os_error_text(error));
}

// Contract: as TapeWriter::write_block; the early warning is noted, not an error.
void DriveTapeWriter::write_block(ByteSpan block)
{
    long n = drive_->write_block(block);
    if (n == -ENOSPC) {
        // st refuses one write after the early warning and lets the next through.
        early_warning_ = true;
        n = drive_->write_block(block);
        if (n == -ENOSPC)
            failed(ENOSPC, "the tape reached its physical end (write error)");
    }
    if (n < 0)
        failed(int(-n), "write error");
    if (size_t(n) != block.size())
        failed(EIO, "write error: the drive wrote " + std::to_string(n) + " of " + std::to_string(block.size()) +
                        " bytes (is it in fixed-block mode?)");
    bytes_ += block.size();
    ++blocks_;
    ++records_;
    DriveStatus status;
    if (!early_warning_ && drive_->status(status) == 0 && status.early_warning)
        early_warning_ = true;
}

void DriveTapeWriter::write_tapemark()
{
    if (const int err = drive_->write_filemarks(1); err != 0)
        failed(-err, "cannot write a tape mark");
    ++records_;
}

TapeMarkPosition DriveTapeWriter::mark()
{
    TapeMarkPosition at;
    at.bytes = bytes_;
    at.blocks = blocks_;
    at.state = records_;
    return at;
}

// Contract: backspaces over the records written since `where` (blocks only: a tape mark
// in between cannot be taken back, Error(Internal)); the next write overwrites them.
void DriveTapeWriter::rewind_to(const TapeMarkPosition& where)
{
    if (where.state > records_ || records_ - where.state != blocks_ - where.blocks)
        fail(ErrorKind::Internal, file_place(drive_->name()), "rewind_to past a tape mark or forward");
    if (records_ > where.state)
        if (const int err = drive_->backspace_records(unsigned(records_ - where.state)); err != 0)
            failed(-err, "cannot back up over the partial track (MTBSR)");
    bytes_ = where.bytes;
    blocks_ = where.blocks;
    records_ = where.state;
}

void DriveTapeWriter::finish()
{
    int err = 0;
    if (at_end_ == TapeDisposition::Rewind)
        err = drive_->rewind();
    else if (at_end_ == TapeDisposition::Unload)
        err = drive_->unload();
    if (err != 0)
        failed(-err, at_end_ == TapeDisposition::Rewind ? "cannot rewind the tape" : "cannot unload the tape");
}

} // namespace ddr

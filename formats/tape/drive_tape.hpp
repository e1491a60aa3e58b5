// Tapes on a tape drive: a Linux SCSI tape device (/dev/nst*, /dev/st*) read and written
// one tape block per read() or write(), in variable-block mode.
//
// The drive's calls sit behind TapeDrive, so the readers and writers here work the same
// on a real device (FdTapeDrive: the st driver's ioctls from <sys/mtio.h>) and on the
// simulation the tests use (tests/unit/simulated_drive.*), which keeps the st driver's
// semantics (Documentation/scsi/st.rst):
//   - variable-block mode: the byte count of a write() is the block on tape; a read()
//     returns one block, or fails with ENOMEM if the buffer is shorter than the block;
//   - a read() returning 0 is a filemark; two in a row are the end of recorded data;
//   - end of medium: the write that meets the early warning completes and returns its
//     count; the next write returns -1 with ENOSPC and writes nothing; the one after it is
//     allowed, and so on alternately until the physical end, where writes fail;
//   - MTIOCGET's GMT_EOT says the early warning has been passed, GMT_BOT the tape is at
//     its start, GMT_EOD at the end of recorded data.
#pragma once

#include "formats/io/file.hpp"
#include "formats/tape/tape.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace ddr {

struct DriveStatus {
    bool beginning = false;      // at the beginning of the tape (GMT_BOT)
    bool early_warning = false;  // past the early-warning mark (GMT_EOT)
    bool end_of_data = false;    // at the end of recorded data (GMT_EOD)
    // Where the tape stands as the driver counts it (mt_fileno, mt_blkno): the tape file
    // (0 is the first) and the block within it; -1 where the driver has lost count.
    int64_t file = -1, block = -1;
};

// One tape drive.  Every call returns what the system call would: a byte count (0 for a
// read that met a filemark) or 0 for an operation, or -errno.  Nothing here throws; the
// readers and writers below turn errors into Error with the drive's name and the block.
class TapeDrive {
public:
    virtual ~TapeDrive() = default;
    virtual long read_block(std::span<uint8_t> buffer) = 0;  // one block, 0: a filemark
    virtual long write_block(ByteSpan block) = 0;            // one block
    virtual int write_filemarks(unsigned count) = 0;         // MTWEOF
    virtual int backspace_records(unsigned count) = 0;       // MTBSR
    virtual int forward_space_files(unsigned count) = 0;     // MTFSF: past `count` filemarks
    virtual int rewind() = 0;                                // MTREW
    virtual int unload() = 0;                                // MTOFFL
    virtual int space_to_end_of_data() = 0;                  // MTEOM
    virtual int status(DriveStatus& out) = 0;                // MTIOCGET
    virtual const std::string& name() const = 0;
};

// The Linux st driver on an open file descriptor (closed by the destructor; closing
// /dev/st* rewinds the tape, /dev/nst* leaves it where it is).
class FdTapeDrive : public TapeDrive {
public:
    // The drive at `path` if it is a character device that answers MTIOCGET, set to
    // variable-block mode (MTSETBLK 0); nullptr if it is not a tape drive.  Error(ReadFailed)
    // or Error(WriteFailed) if it cannot be opened, Error(Device) if it cannot be set up.
    static std::unique_ptr<FdTapeDrive> open_if_drive(const std::string& path, bool for_writing);
    // The drive `name` open on `fd`, as it stands (open_if_drive checks and sets it up).
    FdTapeDrive(std::string name, UniqueFd fd) : name_(std::move(name)), fd_(std::move(fd)) {}
    FdTapeDrive(const FdTapeDrive&) = delete;
    FdTapeDrive& operator=(const FdTapeDrive&) = delete;

    long read_block(std::span<uint8_t> buffer) override;
    long write_block(ByteSpan block) override;
    int write_filemarks(unsigned count) override;
    int backspace_records(unsigned count) override;
    int forward_space_files(unsigned count) override;
    int rewind() override;
    int unload() override;
    int space_to_end_of_data() override;
    int status(DriveStatus& out) override;
    const std::string& name() const override { return name_; }

private:
    int operation(short op, int count);
    std::string name_;
    UniqueFd fd_;
};

// The longest block the reader takes (DDR's are at most 64 KiB; st allows larger ones).
constexpr size_t kDriveMaxBlock = size_t(256) << 10;

// Reads a drive from the beginning of the tape (it is rewound first, so --file N counts
// from the start of the cartridge).  A filemark is a TapeMark; a second one in a row, or
// the drive saying it is at the end of data, is EndOfData.  A read error is
// Error(ReadFailed) naming the drive and block; a block over kDriveMaxBlock Error(Unreadable).
// space_files() is MTFSF: the drive passes whole dumps at search speed, and the blocks
// after it are counted from the start of the tape file it reached (st counts no further).
class DriveTapeReader : public TapeReader {
public:
    explicit DriveTapeReader(std::unique_ptr<TapeDrive> drive);
    TapeRecord read(Bytes& block) override;
    uint64_t block_number() const override { return block_; }
    uint64_t offset() const override { return offset_; }
    uint64_t file_number() const override { return file_; }
    std::optional<uint64_t> space_files(uint64_t count) override;
    std::optional<uint64_t> counted_from_file() const override { return counted_from_; }
    const std::string& name() const override { return drive_->name(); }
    std::string format() const override { return "drive"; }

private:
    Place place_of_next_block() const;
    void passed_filemarks(uint64_t count);
    std::unique_ptr<TapeDrive> drive_;
    Bytes buffer_;
    uint64_t block_ = 0, offset_ = 0, next_offset_ = 0, file_ = 1;
    std::optional<uint64_t> counted_from_;
    bool after_filemark_ = false, ended_ = false;
};

// Where a DriveTapeWriter starts writing.
struct DriveStart {
    bool append = false;                 // after the recorded data (MTEOM)
    std::optional<uint64_t> after_files;  // after this many tape files: rewound, then MTFSF
};

// Writes a drive: from the beginning of the tape (rewound first), with `append` after
// its recorded data (MTEOM), or with `after_files` n at the start of tape file n+1 (IBM's
// DDR writing where SKIP or LEAVE put the tape; what followed there is replaced, as on any
// tape; a tape with fewer files is Error(Reel), nothing written).  position() counts the data bytes written; the early warning
// is reported by past_early_warning(), which the DDR reel writer treats like a reel size
// reached.  A write refused with ENOSPC past the early warning is tried once more (st lets
// every other write through); refused again, the tape is at its physical end:
// Error(WriteFailed), as is any other write error, naming the drive and block.
class DriveTapeWriter : public TapeWriter {
public:
    DriveTapeWriter(std::unique_ptr<TapeDrive> drive, DriveStart start, TapeDisposition at_end);
    void write_block(ByteSpan block) override;
    void write_tapemark() override;
    uint64_t position() const override { return bytes_; }
    uint64_t blocks_written() const override { return blocks_; }
    bool past_early_warning() const override { return early_warning_; }
    // A mark is a count of records; rewind_to() backspaces over those written since.
    TapeMarkPosition mark() override;
    void rewind_to(const TapeMarkPosition& where) override;
    void finish() override;
    const std::string& name() const override { return drive_->name(); }

private:
    [[noreturn]] void failed(int error, const std::string& what) const;
    void start_at(const DriveStart& start);
    std::unique_ptr<TapeDrive> drive_;
    TapeDisposition at_end_;
    uint64_t bytes_ = 0, blocks_ = 0, records_ = 0;  // records_: blocks and tape marks
    bool early_warning_ = false;
};

// The tape drive at `path`, or nullptr if `path` is not one (see FdTapeDrive).
std::unique_ptr<TapeDrive> open_tape_drive(const std::string& path, bool for_writing);

} // namespace ddr

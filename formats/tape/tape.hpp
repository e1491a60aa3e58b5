// The tape side of the data flow: containers that hold a sequence of tape blocks and
// tape marks (AWSTAPE, HET, a Linux tape device, a pipe carrying an AWS stream).
//
// Every container implements TapeReader and TapeWriter; the DDR codec and the
// operations see only blocks and tape marks.  Which container a file is comes from its
// bytes (open_tape_reader), never from its name.
#pragma once

#include "formats/io/bytes.hpp"
#include "formats/io/error.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace ddr {

enum class TapeRecord {
    Block,      // a data block
    TapeMark,   // a tape mark
    EndOfData,  // nothing more on the tape (end of file, or of the pipe)
};

// How long a view a TapeReader calls stable lasts: bytes of tape read after it.  Longer
// than any THR or FBG group with its container headers (a THR group is at most 32 blocks of
// 4096 bytes, 128 KiB), and short enough that a file's read buffers fit in an L2 cache.
inline constexpr size_t kStableViewBytes = size_t(192) << 10;

class TapeReader {
public:
    virtual ~TapeReader() = default;

    // Reads the next record.  For a Block, `block` is resized to the block's length and
    // filled.  A container that is cut short or malformed throws Error(Unreadable) with
    // the file name, block number and byte offset.
    virtual TapeRecord read(Bytes& block) = 0;

    // The same without a copy where the container allows: `block` views the record's
    // bytes.  If `stable` comes back true the view stays valid while at least
    // kStableViewBytes more of the tape are read (longer than any THR or FBG group, so a
    // decoder can keep a group's blocks as views until it is complete); otherwise only
    // until the next read.
    virtual TapeRecord read_view(ByteSpan& block, bool& stable)
    {
        TapeRecord r = read(view_buffer_);
        block = view_buffer_;
        stable = false;
        return r;
    }

    // Where the record last returned by read() starts: its 1-based number among the
    // data blocks of the tape (tape marks are not counted) and its byte offset in the
    // container.  For a TapeMark, block_number() is that of the last block before it.
    virtual uint64_t block_number() const = 0;
    virtual uint64_t offset() const = 0;
    // 1-based tape file the last record belongs to (file n ends at its n-th tape mark).
    virtual uint64_t file_number() const = 0;

    // Moves past the next `count` tape marks without reading what lies between them,
    // where the container can do that faster than by reading (a drive: MTFSF, at the
    // drive's search speed).  Returns how many it passed: fewer than `count` if the
    // recorded data ended first (read() then returns EndOfData, and file_number() is what
    // reading over them would have left).  nullopt where the container cannot: nothing
    // moved, and the caller reads over the files.  Error(ReadFailed) if the drive fails
    // otherwise.  Block numbers and offsets from then on may count from the start of the
    // tape file reached instead of the tape's: see counted_from_file().
    virtual std::optional<uint64_t> space_files(uint64_t count)
    {
        (void)count;
        return std::nullopt;
    }
    // The 1-based tape file from whose start block_number() and offset() count, when
    // space_files() passed blocks without counting them; nullopt: from the tape's start.
    virtual std::optional<uint64_t> counted_from_file() const { return std::nullopt; }

    virtual const std::string& name() const = 0;
    virtual std::string format() const = 0;  // "AWS", "HET", ...

    // Irregularities the reader tolerated so far (e.g. AWS "previous length" fields that
    // disagree with the chunk before them), as one line for a warning; empty if none.
    virtual std::string tolerated_irregularities() const { return {}; }

private:
    Bytes view_buffer_;  // for the default read_view()
};

// A position on a tape being written, taken by TapeWriter::mark().
struct TapeMarkPosition {
    uint64_t bytes = 0;   // container bytes written before the mark
    uint64_t blocks = 0;  // data blocks written before the mark
    uint64_t state = 0;   // container-specific (AWS: length of the previous chunk)
};

class TapeWriter {
public:
    virtual ~TapeWriter() = default;

    virtual void write_block(ByteSpan block) = 0;
    virtual void write_tapemark() = 0;

    // Bytes of medium used so far, container headers included (what Hercules'
    // maxsize= counts for an emulated reel).
    virtual uint64_t position() const = 0;
    // At least position(), without waiting for anything: a writer that still compresses
    // blocks already handed to it counts them at their raw size (HetTapeWriter).
    virtual uint64_t position_at_most() const { return position(); }
    // Data blocks this writer wrote (not those an appended tape already held).
    virtual uint64_t blocks_written() const = 0;
    // True once a tape drive has passed its early-warning mark: the reel must end after
    // the current track group (the DDR reel writer treats it like a reel size reached).
    virtual bool past_early_warning() const { return false; }

    // IBM DDR backs up over a track that hit the end of the reel and writes EOV in its
    // place.  mark() remembers the current position; rewind_to() discards everything
    // written after it.  Only the most recent mark can be rewound to.
    virtual TapeMarkPosition mark() = 0;
    virtual void rewind_to(const TapeMarkPosition& where) = 0;

    // Flushes and syncs; a file written under a temporary name is renamed into place.
    // Until finish() returns the tape is not complete; a writer destroyed without it
    // removes the temporary file (and an appended tape is put back exactly as it was).
    virtual void finish() = 0;

    virtual const std::string& name() const = 0;

    // For a resumable dump (TapeWriterOptions::resume_temporary): writes out and syncs
    // every byte so far, returning position(); the temporary file the tape is built in
    // (empty where there is none: a stream, a drive, an append); and, when the run is
    // interrupted, leaving that file for a later --resume instead of removing it.
    virtual uint64_t sync() { fail(ErrorKind::Internal, "this tape cannot be synced for a resume record"); }
    virtual std::string temporary_path() const { return {}; }
    virtual void keep_unfinished() noexcept {}
    // A tape continued over what an interrupted run left (resume_temporary): throws the
    // ResumeMismatch found among the bytes written so far, if any.  A difference is held
    // until then because rewind_to() may still take those bytes back (and forget it);
    // the caller settles once it keeps what it wrote.  Nothing for any other tape.
    virtual void settle() const {}
};

// A tape written again over what an interrupted run left (TapeWriterOptions::
// resume_temporary) differs from it at place().offset: what is written now is not what
// was written then.  Its kind is Damaged.
class ResumeMismatch : public Error {
public:
    ResumeMismatch(const Place& place, const std::string& message) : Error(ErrorKind::Damaged, place, message) {}
};

// What a tape drive is left at once a dump on it is complete (IBM's REWIND, UNLOAD and
// LEAVE); a tape file ignores it.  A drive given up without finish() stays where it stopped.
enum class TapeDisposition { Rewind, Unload, Leave };

// Options for a new tape.
struct TapeWriterOptions {
    std::string format = "AWS";    // "AWS" or "HET"
    bool overwrite = false;        // replace an existing tape file (anything else: Error(Refused))
    bool append = false;           // keep the existing tape and write after its last tape mark
                                   // (refused if it does not end with one; a missing file is created;
                                   // a stream cannot be appended to: Error(Usage))
    // With append: keep the existing tape only up to this byte offset and write from there.
    // It must be where a block or tape mark starts, or the end of the file (a missing file
    // is an empty tape), else Error(Usage); the kept part may end with a block.  An append
    // builds a new version of the tape and replaces the old one only in finish(), so a
    // writer destroyed before that leaves the tape exactly as it was.
    std::optional<uint64_t> append_at;
    uint32_t chunk_size = 65535;   // AWS/HET chunk size
    int compression = 0;           // HET: 0 none, 1 zlib, 2 bzip2
    int level = 4;                 // HET compression level
    TapeDisposition disposition = TapeDisposition::Rewind;  // a tape drive, at the end
    // A tape drive only (a file: Error(Usage)): write at the start of tape file n+1,
    // replacing what follows (IBM's DDR writing after SKIP n or LEAVE); see DriveStart.
    std::optional<uint64_t> drive_after_files;
    // Continue the new tape file an interrupted run began in this temporary file (a full
    // path, beside the tape), whose first `resume_checked_end` bytes it recorded as
    // written: see tapeio::TapeOutput::resume_file.  Empty: a fresh tape.
    std::string resume_temporary;
    uint64_t resume_checked_end = 0;
};

// Options for reading a tape.
struct TapeReaderOptions {
    bool strict = false;  // make tolerated irregularities errors (Error(Unreadable))
};

// Opens a tape for reading: "-" is standard input (an AWS or HET stream).  The container
// is recognised by its bytes.
std::unique_ptr<TapeReader> open_tape_reader(const std::string& path);
std::unique_ptr<TapeReader> open_tape_reader(const std::string& path, const TapeReaderOptions& options);

// Error(Refused) unless the existing file `path` may be replaced by a new tape: a tape
// file, or an empty one; never a volume image or anything else (--overwrite).  A missing
// path, a FIFO or a device passes.
void check_replaceable_tape(const std::string& path);

// Creates a tape for writing: "-" is standard output (an AWS or HET stream).  With
// `overwrite`, an existing file is first checked with check_replaceable_tape.
std::unique_ptr<TapeWriter> create_tape_writer(const std::string& path, const TapeWriterOptions& options);

} // namespace ddr

// File plumbing for the tape containers, over the file layer (io/file.hpp): a buffered
// sequential reader that works the same on files and pipes, and a buffered writer that builds a new
// file under a temporary name, appends to an existing one, or feeds a pipe.
//
// These exist so the AWS/HET code can read and write at disk speed (a few large system
// calls instead of one per block) while keeping memory bounded, and so that nothing
// half-written ever looks like a complete tape.
#pragma once

#include "formats/io/bytes.hpp"
#include "formats/io/file.hpp"
#include "formats/io/read_ahead.hpp"
#include "formats/io/write_behind.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace ddr::tapeio {

// Opens `path` for reading ("-" is standard input, borrowed).  Throws Error(ReadFailed).
UniqueFd open_for_reading(const std::string& path);

// Reads a file or a pipe front to back through two large buffers, used in turn: a
// buffer is refilled with read(2) (a few large system calls, no page faults, memory
// bounded by the two buffers), and bytes are handed out where they lie in it (take(),
// peek()) without a further copy.  Positions are byte offsets from where the reader
// started.
//
// A span handed out stays valid until the reader moves on to the other buffer and back,
// that is while at least view_life() more bytes are consumed, provided no single peek()
// or take() asks for more than kMaxRequest bytes.  This is what lets a decoder keep the
// blocks of a track as views until the track is complete.
//
// A regular file is read on the caller's thread, kFileFill bytes at a time: each piece is
// decoded and hashed while the CPU's caches still hold it, which costs less than a second
// core copying ahead into buffers that the caches cannot hold (measured on verify: CPU time
// 256 ms -> 187 ms, wall time 0.54 s -> 0.28 s for a 1.2 GB tape, xxhsum -H3 0.20 s).
// Its two buffers are then only kFileBuffer bytes each, whatever the caller asked for: they
// stay in a 1 MiB L2 cache, and 3 MiB fewer fresh pages are faulted in (verify of a 1.2 GB
// tape, medians of 11: 0.277 s with 2 x 2 MiB -> 0.253 s with 2 x 512 KiB; 2 x 768 KiB and
// 2 x 1 MiB read 512 KiB at a time were no better; 128 KiB or 64 KiB pieces were slower).
// A mapped file would save the copy, but touching mapped pages costs more than copying
// them on the VMs this runs on (1.2 GB: 0.42 s of user time to touch, 0.16 s to read).
//
// Anything else (a pipe, a device) with buffers of at least kThreadedBuffer bytes (the
// default) is read by a reader thread (io/read_ahead.hpp) into a ring of
// ReadAhead::kBuffers such buffers, while the caller decodes and hashes what is already
// there, as the writer at the other end of a pipe is often the pace; then no single
// request may exceed kMaxThreadedRequest bytes (a larger one is Error(Internal)).  The
// thread is started by the first request and stopped when the reader is destroyed.
class BufferedInput {
public:
    static constexpr size_t kDefaultBuffer = size_t(2) << 20;  // each of the two
    static constexpr size_t kMaxRequest = size_t(64) << 10;
    static constexpr size_t kMaxThreadedRequest = size_t(128) << 10;
    static constexpr size_t kThreadedBuffer = 8 * kMaxThreadedRequest;
    static constexpr size_t kFileFill = size_t(256) << 10;
    static constexpr size_t kFileBuffer = size_t(512) << 10;

    BufferedInput(std::string name, UniqueFd fd, size_t buffer_size = kDefaultBuffer);

    // The next `n` bytes (n <= buffer size), consumed, without a copy.  Fewer only at the end.
    ByteSpan take(size_t n);

    // The next bytes without consuming them: at least `n` (n <= buffer size) unless the
    // input ends first.
    ByteSpan peek(size_t n);
    // Consumes `n` bytes that peek() returned.
    void consume(size_t n);
    // Copies up to `n` bytes to `out`; returns fewer only at the end of the input.
    size_t read(uint8_t* out, size_t n);

    // Bytes that may be consumed after a take() or peek() before its span may change
    // (see above); 0 if the buffers are too small to promise anything.
    size_t view_life() const
    {
        const size_t margin = 2 * (threaded() ? kMaxThreadedRequest : kMaxRequest);
        return capacity_ > margin ? capacity_ - margin : 0;
    }

    uint64_t offset() const { return offset_; }
    const std::string& name() const { return name_; }

private:
    size_t fill(uint8_t* out, size_t n);  // one read(2), retried on EINTR; 0 at the end
    uint8_t* current() { return ahead_ ? ahead_base_ : buffers_[current_].get(); }
    bool threaded() const { return capacity_ >= kThreadedBuffer && !regular_file_; }
    // Threaded: takes filled buffers from the reader thread until `n` bytes are unread.
    void refill_ahead(size_t n);
    // Moves the unread bytes to the start of the other buffer, which becomes current.
    void switch_buffers();
    // Makes buffers_[which] at least `size` bytes (its old bytes are not kept).
    void allocate(unsigned which, size_t size);

    std::string name_;
    UniqueFd fd_;
    size_t capacity_ = 0;  // of each buffer
    // Allocated when first needed and never zeroed: a reader that only looks at the
    // start of a tape (to recognise it) costs little.
    std::unique_ptr<uint8_t[]> buffers_[2];
    size_t sizes_[2] = {0, 0};
    // The size of the first buffer: capacity_, or for a regular file smaller than that,
    // the file's length plus kMaxRequest (a small tape, or a fuzzer's input, need not
    // cost 512 KiB of fresh pages).  The buffer is replaced by a full one if the reader
    // ever comes back to it.
    size_t first_size_ = 0;
    size_t next_fill_ = kMaxRequest;  // grows to max_fill_: the first reads are small
    size_t max_fill_ = 0;             // capacity_, or kFileFill for a regular file
    bool regular_file_ = false;
    unsigned current_ = 0;
    size_t begin_ = 0;  // unread bytes are current()[begin_, end_)
    size_t end_ = 0;
    bool at_end_ = false;
    uint64_t offset_ = 0;
    std::unique_ptr<ReadAhead> ahead_;  // threaded(): the reader thread, once started
    uint8_t* ahead_base_ = nullptr;     // the ring buffer being read
};

// Where a tape being written goes.
//
//  * NewFile: a PendingFile beside the target, renamed onto it by finish(); removed if
//    the writer is abandoned.  With `replace` an existing file of the name (one the
//    caller has checked is a tape) is replaced by that rename.
//  * Append: a PendingFile that starts as a copy of the existing tape's first `keep`
//    bytes (a reflink where the file system can clone, else an in-kernel copy); writing
//    goes on from there and finish() renames the copy over the tape.  The tape itself is
//    never written: until finish() it is exactly as it was, whatever happens.
//  * Stream: standard output, a pipe or a FIFO; written through, except that bytes at or
//    after hold_from() stay in memory so that truncate() can still drop them.
//
// All writes are buffered into large system calls, made by a writer thread
// (io/write_behind.hpp) while the caller goes on encoding into the next buffer; the bytes
// written, and their order, are the same as if the caller wrote them itself.  A failed
// write is reported (with the place) by the next write(), truncate() or finish(); a
// TapeOutput destroyed unfinished stops its writer before the file is discarded.
class TapeOutput {
public:
    enum class Mode { NewFile, Append, Stream };

    // A new file at `path`.  Throws Error(Refused) if it exists and !replace.
    static TapeOutput create_file(const std::string& path, bool replace);
    // A new version of the existing regular file `path` that keeps its first `keep` bytes;
    // writing starts at `keep`.
    static TapeOutput append_file(const std::string& path, uint64_t keep);
    // A stream: "-" is standard output; otherwise an existing FIFO or character device.
    static TapeOutput open_stream(const std::string& path);
    // A new file at `path` that an interrupted run began in `temp_path` (kept for a later
    // --resume): taken up as this writer's own (PendingFile::adopt) and cut back to its
    // first `checked_end` bytes, which the run recorded as written.  The caller then
    // writes the tape again from its start: bytes below `checked_end` are compared with
    // the file's instead of written, the rest written after them.  The first difference
    // is held, not thrown, because the caller may still take those bytes back (a track
    // group that does not fit on a reel is backed up over: truncate() below the
    // difference forgets it); settle() throws it (ResumeMismatch, placed at the first
    // byte that differs), and so do sync() and finish().  Error(Unreadable) if the file
    // holds fewer than `checked_end`.
    static TapeOutput resume_file(const std::string& path, const std::string& temp_path, uint64_t checked_end,
                                  bool replace);
    // True if `path` is "-" or names an existing FIFO or character device.
    static bool is_stream_path(const std::string& path);

    TapeOutput(TapeOutput&&) noexcept;
    TapeOutput& operator=(TapeOutput&&) = delete;
    TapeOutput(const TapeOutput&) = delete;
    ~TapeOutput();

    void write(ByteSpan bytes);
    void write(const uint8_t* data, size_t size) { write(ByteSpan(data, size)); }
    // Container bytes so far, including what an appended file held before.
    uint64_t position() const { return buffer_start_ + buffer_.size(); }
    // Stream: bytes from `pos` on are not written out until a later hold_from() or finish().
    void hold_from(uint64_t pos);
    // Drops everything after `pos`.  A stream can only drop bytes it still holds; an
    // appended file cannot drop the part it kept.  A continued file (resume_file) backs up
    // into its compared part by moving the position only: those bytes are the file's own,
    // compared again when written again.
    void truncate(uint64_t pos);
    // Writes out everything, syncs, and for a file renames it into place.  A continued
    // file first settle()s, and is a ResumeMismatch if it ends before its compared part.
    void finish();
    // Writes out and syncs everything so far (not renamed); returns position().  For the
    // progress record of a resumable dump: every byte it counts is on disk.  Settles first.
    uint64_t sync();
    // A continued file (resume_file): throws the first difference between the bytes
    // written again and the file's, if one is held; nothing for any other file.
    void settle() const;
    // NewFile: the temporary file the tape is built in; empty for the other modes.
    std::string temporary_path() const;
    // NewFile: stops writing and leaves the temporary file where it is, for a later
    // --resume (nothing for the other modes, which discard or never made one).
    void keep_unfinished() noexcept;

    Mode mode() const { return mode_; }
    const std::string& name() const { return name_; }

private:
    TapeOutput(Mode mode, std::string name, uint64_t start);
    int fd() const { return pending_ ? pending_->fd() : stream_.get(); }
    void flush(bool everything);
    // Starts the writer thread when the first full buffer is handed over.
    WriteBehind& behind();
    // resume_file: compares the part of `bytes` below check_end_ with the file and
    // returns the rest (to be written).
    ByteSpan check_prefix(ByteSpan bytes);
    void back_into_checked(uint64_t pos);

    Mode mode_;
    std::string name_;                   // the target as the user named it
    std::optional<PendingFile> pending_; // NewFile, Append
    UniqueFd stream_;                    // Stream
    uint64_t keep_ = 0;                  // Append: where our writing starts
    Bytes buffer_;                       // bytes not yet written out; buffer_[0] is at buffer_start_
    uint64_t buffer_start_ = 0;
    uint64_t hold_from_ = UINT64_MAX;
    bool finished_ = false;
    uint64_t check_end_ = 0;             // resume_file: bytes below this are compared, not written
    Bytes check_window_;                 // the file's bytes from check_window_start_, for comparing
    uint64_t check_window_start_ = 0;
    std::optional<uint64_t> mismatch_at_;  // resume_file: the first byte written again that differs
    // Last, so that it is destroyed first: its thread stops before the file is discarded.
    std::unique_ptr<WriteBehind> behind_;
};

} // namespace ddr::tapeio

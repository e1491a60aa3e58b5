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

#include <cstdint>
#include <optional>
#include <string>

namespace ddr::tapeio {

// Opens `path` for reading ("-" is standard input, borrowed).  Throws Error(ReadFailed).
UniqueFd open_for_reading(const std::string& path);

// Reads a file or a pipe front to back.  A regular file is mapped into memory, so its
// bytes are read where they lie, without a copy (take()); a pipe goes through one large
// buffer.  Positions are byte offsets from where the reader started.
class BufferedInput {
public:
    static constexpr size_t kDefaultBuffer = size_t(1) << 20;

    BufferedInput(std::string name, UniqueFd fd, size_t buffer_size = kDefaultBuffer);
    BufferedInput(BufferedInput&& other) noexcept;
    BufferedInput& operator=(BufferedInput&& other) noexcept;
    ~BufferedInput();

    // True when the input is a mapped file: spans from take() then stay valid as long
    // as this object lives (pages already read are given back to the system as reading
    // goes on, and read in again if touched, so memory stays bounded).
    bool mapped() const { return map_ != nullptr; }
    // With mapped(): the next `n` bytes, consumed, without a copy.  Fewer only at the end.
    ByteSpan take(size_t n);

    // The next bytes without consuming them: at least `n` (n <= buffer size) unless the
    // input ends first.  The span is valid until the next call.
    ByteSpan peek(size_t n);
    // Consumes `n` bytes that peek() returned.
    void consume(size_t n);
    // Copies up to `n` bytes to `out`; returns fewer only at the end of the input.
    size_t read(uint8_t* out, size_t n);

    uint64_t offset() const { return offset_; }
    const std::string& name() const { return name_; }

private:
    size_t fill(uint8_t* out, size_t n);  // one read(2), retried on EINTR; 0 at the end

    void release_behind();

    std::string name_;
    UniqueFd fd_;
    Bytes buffer_;
    size_t begin_ = 0;  // unread bytes are buffer_[begin_, end_)
    size_t end_ = 0;
    bool at_end_ = false;
    uint64_t offset_ = 0;
    const uint8_t* map_ = nullptr;  // the whole file, when mapped
    size_t map_size_ = 0;
    size_t released_ = 0;           // pages below this were given back
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
// All writes are buffered into large system calls.
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
    // appended file cannot drop the part it kept.
    void truncate(uint64_t pos);
    // Writes out everything, syncs, and for a file renames it into place.
    void finish();

    Mode mode() const { return mode_; }
    const std::string& name() const { return name_; }

private:
    TapeOutput(Mode mode, std::string name, uint64_t start);
    int fd() const { return pending_ ? pending_->fd() : stream_.get(); }
    void flush(bool everything);
    void write_out(const uint8_t* data, size_t size, uint64_t at);

    Mode mode_;
    std::string name_;                   // the target as the user named it
    std::optional<PendingFile> pending_; // NewFile, Append
    UniqueFd stream_;                    // Stream
    uint64_t keep_ = 0;                  // Append: where our writing starts
    Bytes buffer_;                       // bytes not yet written out; buffer_[0] is at buffer_start_
    uint64_t buffer_start_ = 0;
    uint64_t hold_from_ = UINT64_MAX;
    bool finished_ = false;
};

} // namespace ddr::tapeio
